package dockercli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Main runs the docker-compatible CLI with args (without the program name)
// and returns the process exit status. It is what `boxlab docker ...` and a
// `docker` symlink to boxlab call.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, sig, stop := notifyTermination(context.Background())
	defer stop()

	c := &dockerCLI{
		ctx: ctx,
		in:  newInStream(stdin),
		out: newOutStream(stdout),
		err: newOutStream(stderr),
	}
	err := runCLI(c, args)
	return exitStatus(c, err, sig)
}

// notifyTermination returns a context cancelled by SIGINT or SIGTERM and a
// record of which signal it was, so the CLI can exit with 128+signal as
// the docker CLI does.
func notifyTermination(parent context.Context) (context.Context, *atomic.Int32, func()) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	var got atomic.Int32
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			got.Store(int32(s.(syscall.Signal)))
			cancel()
		case <-done:
		}
		signal.Stop(ch)
	}()
	return ctx, &got, func() {
		close(done)
		signal.Stop(ch)
		cancel()
	}
}

func exitStatus(c *dockerCLI, err error, sig *atomic.Int32) int {
	if err == nil {
		return 0
	}
	// An exit status decided by the command (a container's exit code, a
	// usage error) wins over the signal that may have ended it.
	var se statusError
	if errors.As(err, &se) {
		if msg := se.Error(); msg != "" {
			fmt.Fprintln(c.err, msg)
		}
		if se.StatusCode != 0 {
			return se.StatusCode
		}
		return 1
	}
	if s := sig.Load(); s != 0 {
		return 128 + int(s)
	}
	var ce cancelledError
	if errors.As(err, &ce) || errors.Is(err, context.Canceled) {
		return 0
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintln(c.err, msg)
	}
	return 1
}

func runCLI(c *dockerCLI, args []string) error {
	root := newRootCommand(c)

	// Global flags are parsed up to the first command, like the docker
	// CLI, so `docker -H x ps -a` gives -a to ps and -H to docker.
	flags := pflag.NewFlagSet(root.Name(), pflag.ContinueOnError)
	flags.SetInterspersed(false)
	flags.SetOutput(io.Discard)
	flags.AddFlagSet(root.Flags())
	flags.AddFlagSet(root.PersistentFlags())
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return showHelp(root, c.out)
		}
		return flagError(root, err)
	}
	root.SetArgs(flags.Args())
	return root.ExecuteContext(c.ctx)
}

func newRootCommand(c *dockerCLI) *cobra.Command {
	root := &cobra.Command{
		Use:              "docker [OPTIONS] COMMAND [ARG...]",
		Short:            "A self-sufficient runtime for containers",
		SilenceUsage:     true,
		SilenceErrors:    true,
		TraverseChildren: true,
		Args:             cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return showHelp(cmd, c.err)
			}
			return fmt.Errorf("docker: unknown command: docker %s\n\nRun 'docker --help' for more information", args[0])
		},
		Version:               clientVersion + ", build " + gitCommit(),
		DisableFlagsInUseLine: true,
		CompletionOptions:     cobra.CompletionOptions{DisableDefaultCmd: true},
		Annotations: map[string]string{
			"additionalHelp": "For more help on how to use Docker, head to https://docs.docker.com/go/guides/",
		},
	}
	root.SetIn(c.in)
	root.SetOut(c.out)
	root.SetErr(c.err)
	root.SetVersionTemplate("Docker version {{.Version}}\n")
	setupUsage(root, c)

	fl := root.Flags()
	fl.StringVar(&c.configDir, "config", defaultConfigDirForHelp(), "Location of client config files")
	fl.StringVarP(&c.contextName, "context", "c", "", `Name of the context to use to connect to the daemon (overrides DOCKER_HOST env var and default context set with "docker context use")`)
	fl.BoolVarP(&c.debug, "debug", "D", false, "Enable debug mode")
	fl.VarP(newListOptsRef(&c.hosts, nil), "host", "H", "Daemon socket to connect to")
	fl.StringP("log-level", "l", "info", `Set the logging level ("debug", "info", "warn", "error", "fatal")`)
	tls := &tlsFlag{set: &c.tlsFlags}
	fl.Var(&boolFlag{tlsFlag: tls}, "tls", "Use TLS; implied by --tlsverify")
	fl.Lookup("tls").NoOptDefVal = "true"
	fl.Var(&stringFlag{tlsFlag: tls, value: defaultConfigDirForHelp() + "/ca.pem"}, "tlscacert", "Trust certs signed only by this CA")
	fl.Var(&stringFlag{tlsFlag: tls, value: defaultConfigDirForHelp() + "/cert.pem"}, "tlscert", "Path to TLS certificate file")
	fl.Var(&stringFlag{tlsFlag: tls, value: defaultConfigDirForHelp() + "/key.pem"}, "tlskey", "Path to TLS key file")
	fl.Var(&boolFlag{tlsFlag: tls}, "tlsverify", "Use TLS and verify the remote")
	fl.Lookup("tlsverify").NoOptDefVal = "true"
	fl.BoolP("version", "v", false, "Print version information and quit")

	addCommands(root, c)
	for _, sub := range root.Commands() {
		visitAll(sub, func(cmd *cobra.Command) { cmd.DisableFlagsInUseLine = true })
	}
	return root
}

// defaultConfigDirForHelp is the config directory shown as flag defaults,
// computed like the docker CLI (without DOCKER_CONFIG).
func defaultConfigDirForHelp() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ".docker"
	}
	return home + "/.docker"
}

func visitAll(cmd *cobra.Command, fn func(*cobra.Command)) {
	for _, sub := range cmd.Commands() {
		visitAll(sub, fn)
	}
	fn(cmd)
}

// addCommands builds the command tree: the top-level shortcuts
// (docker run, docker ps, ...) and the management groups (docker container,
// docker image, docker system) with the same aliases as the docker CLI.
func addCommands(root *cobra.Command, c *dockerCLI) {
	root.SetHelpCommand(newHelpCommand())

	root.AddCommand(
		newRunCommand(c),
		newExecCommand(c),
		newPsCommand(c, "ps [OPTIONS]", nil),
		newImagesCommand(c, "images [OPTIONS] [REPOSITORY[:TAG]]", nil),
		newPullCommand(c),
		newVersionCommand(c),
		newInfoCommand(c),

		newAttachCommand(c),
		newCopyCommand(c),
		newCreateCommand(c),
		newEventsCommand(c),
		newInspectCommand(c),
		newKillCommand(c),
		newLogsCommand(c),
		newPauseCommand(c),
		newPortCommand(c),
		newRenameCommand(c),
		newRestartCommand(c),
		newRmCommand(c),
		newRmiCommand(c, "rmi [OPTIONS] IMAGE [IMAGE...]", nil),
		newStartCommand(c),
		newStopCommand(c),
		newTagCommand(c),
		newTopCommand(c),
		newUnpauseCommand(c),
		newWaitCommand(c),

		newContainerCommand(c),
		newImageCommand(c),
		newSystemCommand(c),
	)
	for _, name := range unsupportedTopLevel {
		root.AddCommand(newUnsupportedCommand(name))
	}
}

// unsupportedTopLevel lists docker commands boxlab does not implement yet;
// they fail with a clear message instead of "unknown command".
var unsupportedTopLevel = []string{
	"build", "builder", "buildx", "checkpoint", "commit", "compose", "config",
	"context", "diff", "export", "history", "import", "load", "login", "logout",
	"manifest", "network", "node", "plugin", "push", "save", "search", "secret",
	"service", "stack", "stats", "swarm", "trust", "update", "volume",
}

func newUnsupportedCommand(path string) *cobra.Command {
	name := path
	if i := strings.LastIndex(path, " "); i >= 0 {
		name = path[i+1:]
	}
	return &cobra.Command{
		Use:                name,
		Hidden:             true,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return errNotSupported("'" + cmd.CommandPath() + "'")
		},
	}
}

func newContainerCommand(c *dockerCLI) *cobra.Command {
	cmd := newGroupCommand(c, "container", "Manage containers")
	cmd.AddCommand(
		newAttachCommand(c),
		newCopyCommand(c),
		newCreateCommand(c),
		newExecCommand(c),
		newContainerInspectCommand(c),
		newKillCommand(c),
		newLogsCommand(c),
		newPsCommand(c, "ls [OPTIONS]", []string{"ps", "list"}),
		newPauseCommand(c),
		newPortCommand(c),
		newContainerPruneCommand(c),
		newRenameCommand(c),
		newRestartCommand(c),
		newRmCommand(c),
		newRunCommand(c),
		newStartCommand(c),
		newStopCommand(c),
		newTopCommand(c),
		newUnpauseCommand(c),
		newWaitCommand(c),
	)
	for _, name := range []string{"commit", "diff", "export", "stats", "update"} {
		cmd.AddCommand(newUnsupportedCommand(name))
	}
	return cmd
}

func newImageCommand(c *dockerCLI) *cobra.Command {
	cmd := newGroupCommand(c, "image", "Manage images")
	cmd.AddCommand(
		newImageInspectCommand(c),
		newImagesCommand(c, "ls [OPTIONS] [REPOSITORY[:TAG]]", []string{"list"}),
		newPullCommand(c),
		newRmiCommand(c, "rm [OPTIONS] IMAGE [IMAGE...]", []string{"remove", "rmi"}),
		newTagCommand(c),
	)
	for _, name := range []string{"build", "history", "import", "load", "prune", "push", "save"} {
		cmd.AddCommand(newUnsupportedCommand(name))
	}
	return cmd
}

func newSystemCommand(c *dockerCLI) *cobra.Command {
	cmd := newGroupCommand(c, "system", "Manage Docker")
	cmd.AddCommand(
		newEventsCommand(c),
		newInfoCommand(c),
	)
	for _, name := range []string{"df", "prune"} {
		cmd.AddCommand(newUnsupportedCommand(name))
	}
	return cmd
}

func newGroupCommand(c *dockerCLI, name, short string) *cobra.Command {
	return &cobra.Command{
		Use:   name,
		Short: short,
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return showHelp(cmd, c.err)
		},
	}
}

func newHelpCommand() *cobra.Command {
	return &cobra.Command{
		Use:               "help [command]",
		Short:             "Help about the command",
		PersistentPreRun:  func(cmd *cobra.Command, args []string) {},
		PersistentPostRun: func(cmd *cobra.Command, args []string) {},
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := c.Root().Find(args)
			if cmd == nil || err != nil || len(rest) > 0 || cmd.Hidden {
				return fmt.Errorf("unknown help topic: %v", strings.Join(args, " "))
			}
			cmd.HelpFunc()(cmd, rest)
			return nil
		},
	}
}

// tlsFlag records that one of the --tls* flags was given: boxlab's CLI
// does not implement them and says so when it would connect.
type tlsFlag struct{ set *bool }

type boolFlag struct {
	*tlsFlag
	value bool
}

func (f *boolFlag) String() string {
	if f.value {
		return "true"
	}
	return "false"
}
func (f *boolFlag) Set(string) error { *f.set = true; f.value = true; return nil }
func (f *boolFlag) Type() string     { return "bool" }
func (f *boolFlag) IsBoolFlag() bool { return true }

type stringFlag struct {
	*tlsFlag
	value string
}

func (f *stringFlag) String() string     { return f.value }
func (f *stringFlag) Set(v string) error { *f.set = true; f.value = v; return nil }
func (f *stringFlag) Type() string       { return "string" }
