package dockercli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/distribution/reference"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Values of --pull.
const (
	pullAlways  = "always"
	pullMissing = "missing"
	pullNever   = "never"
)

type createOptions struct {
	name         string
	platform     string
	untrusted    bool
	pull         string
	quiet        bool
	useAPISocket bool
}

type runOptions struct {
	createOptions
	detach     bool
	sigProxy   bool
	detachKeys string
}

// addCreateFlags registers the flags `docker create` and `docker run`
// share beyond the container options.
func addCreateFlags(fl *pflag.FlagSet, o *createOptions, pullHelp string) {
	fl.StringVar(&o.name, "name", "", "Assign a name to the container")
	fl.StringVar(&o.pull, "pull", pullMissing, pullHelp)
	fl.BoolVarP(&o.quiet, "quiet", "q", false, "Suppress the pull output")
	fl.BoolVar(&o.useAPISocket, "use-api-socket", false, "Bind mount Docker API socket and required auth")
	// Explicit --help without -h, which is --hostname here.
	fl.Bool("help", false, "Print usage")
	fl.StringVar(&o.platform, "platform", os.Getenv("DOCKER_DEFAULT_PLATFORM"), "Set platform if server is multi-platform capable")
	annotate(fl, "platform", "version", "1.32")
	fl.BoolVar(&o.untrusted, "disable-content-trust", true, "Skip image verification")
}

// parseArgs takes IMAGE [COMMAND] [ARG...] and the flags of run or create
// (cmdName) into a container config; bad input is Docker's exit 125 with
// the command's help hint.
func (copts *containerOptions) parseArgs(cmd *cobra.Command, cmdName, pull string, args []string) (*containerConfig, error) {
	copts.Image = args[0]
	copts.Args = args[1:]
	if len(copts.Args) == 0 {
		copts.Args = nil
	}
	if err := validatePullOpt(pull); err != nil {
		return nil, statusError{Status: withHelp(err, cmdName).Error(), StatusCode: 125}
	}
	cfg, err := copts.parse(cmd.Flags())
	if err != nil {
		return nil, statusError{Status: withHelp(err, cmdName).Error(), StatusCode: 125}
	}
	return cfg, nil
}

func newCreateCommand(c *dockerCLI) *cobra.Command {
	var (
		opts  createOptions
		copts *containerOptions
	)
	cmd := &cobra.Command{
		Use:   "create [OPTIONS] IMAGE [COMMAND] [ARG...]",
		Short: "Create a new container",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := copts.parseArgs(cmd, "create", opts.pull, args)
			if err != nil {
				return err
			}
			api, err := c.client()
			if err != nil {
				return err
			}
			id, err := c.createContainer(api, cfg, &opts)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.out, id)
			return nil
		},
		Annotations: map[string]string{"aliases": "docker container create, docker create"},
	}
	fl := cmd.Flags()
	fl.SetInterspersed(false)
	addCreateFlags(fl, &opts, `Pull image before creating ("always", "|missing", "never")`)
	copts = addContainerFlags(fl)
	return cmd
}

func newRunCommand(c *dockerCLI) *cobra.Command {
	var (
		opts  runOptions
		copts *containerOptions
	)
	cmd := &cobra.Command{
		Use:   "run [OPTIONS] IMAGE [COMMAND] [ARG...]",
		Short: "Create and run a new container from an image",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := copts.parseArgs(cmd, "run", opts.pull, args)
			if err != nil {
				return err
			}
			return c.runContainer(&opts, copts, cfg)
		},
		Annotations: map[string]string{"category-top": "1", "aliases": "docker container run, docker run"},
	}
	fl := cmd.Flags()
	fl.SetInterspersed(false)
	fl.BoolVarP(&opts.detach, "detach", "d", false, "Run container in background and print container ID")
	fl.BoolVar(&opts.sigProxy, "sig-proxy", true, "Proxy received signals to the process")
	fl.StringVar(&opts.detachKeys, "detach-keys", "", "Override the key sequence for detaching a container")
	addCreateFlags(fl, &opts.createOptions, `Pull image before running ("always", "missing", "never")`)
	copts = addContainerFlags(fl)
	return cmd
}

func validatePullOpt(v string) error {
	switch v {
	case pullAlways, pullMissing, pullNever, "":
		return nil
	}
	return fmt.Errorf("invalid pull option: '%s': must be one of %q, %q or %q", v, pullAlways, pullMissing, pullNever)
}

// withHelp adds the docker CLI's "Run 'docker X --help'" hint.
func withHelp(err error, command string) error {
	return fmt.Errorf("docker: %w\n\nRun 'docker %s --help' for more information", err, command)
}

// runStatusError maps a create or start failure to the docker CLI's exit
// status: 127 when the command was not found, 126 when it could not be
// executed, 125 for any other daemon or CLI error.
func runStatusError(err error) error {
	msg := err.Error()
	code := 125
	switch {
	case strings.Contains(msg, "executable file not found") || strings.Contains(msg, "no such file or directory") || strings.Contains(msg, "system cannot find the file specified"):
		code = 127
	case strings.Contains(msg, syscall.EACCES.Error()) || strings.Contains(msg, syscall.EISDIR.Error()):
		code = 126
	}
	return statusError{Cause: err, Status: withHelp(err, "run").Error(), StatusCode: code}
}

// createContainer creates the container, pulling the image first when
// --pull asks for it or when it is missing (printing "Unable to find image
// ... locally"), writes --cidfile, and prints the daemon's warnings.
func (c *dockerCLI) createContainer(api *client.Client, cfg *containerConfig, opts *createOptions) (string, error) {
	if opts.useAPISocket {
		return "", errNotSupported("--use-api-socket")
	}
	cid, err := newCIDFile(cfg.HostConfig.ContainerIDFile)
	if err != nil {
		return "", err
	}
	defer cid.close()

	ref, err := reference.ParseAnyReference(cfg.Config.Image)
	if err != nil {
		return "", err
	}
	var namedRef reference.Named
	if named, ok := ref.(reference.Named); ok {
		namedRef = reference.TagNameOnly(named)
	}

	var platform *ocispec.Platform
	if opts.platform != "" {
		p, err := parsePlatform(opts.platform)
		if err != nil {
			return "", fmt.Errorf("error parsing specified platform: %w", err)
		}
		platform = &p
	}

	if opts.pull == pullAlways {
		if err := c.pullForCreate(api, cfg.Config.Image, opts); err != nil {
			return "", err
		}
	}

	h, w := c.out.ttySize()
	cfg.HostConfig.ConsoleSize = [2]uint{h, w}

	create := func() (client.ContainerCreateResult, error) {
		return api.ContainerCreate(c.ctx, client.ContainerCreateOptions{
			Config:           cfg.Config,
			HostConfig:       cfg.HostConfig,
			NetworkingConfig: cfg.NetworkingConfig,
			Platform:         platform,
			Name:             opts.name,
		})
	}
	res, err := create()
	if err != nil {
		if !cerrdefs.IsNotFound(err) || namedRef == nil || opts.pull != pullMissing {
			return "", err
		}
		if !opts.quiet {
			fmt.Fprintf(c.err, "Unable to find image '%s' locally\n", reference.FamiliarString(namedRef))
		}
		if err := c.pullForCreate(api, cfg.Config.Image, opts); err != nil {
			return "", err
		}
		if res, err = create(); err != nil {
			return "", err
		}
	}
	for _, d := range cfg.HostConfig.DNS {
		if d.IsLoopback() {
			res.Warnings = append(res.Warnings, fmt.Sprintf("Localhost DNS (%s) may fail in containers.", d))
			break
		}
	}
	for _, warn := range res.Warnings {
		fmt.Fprintln(c.err, "WARNING:", warn)
	}
	return res.ID, cid.write(res.ID)
}

// pullForCreate pulls the image for run/create, showing progress on
// stderr (stdout carries only the container ID).
func (c *dockerCLI) pullForCreate(api *client.Client, img string, opts *createOptions) error {
	po := client.ImagePullOptions{}
	if opts.platform != "" {
		p, err := parsePlatform(opts.platform)
		if err != nil {
			return err
		}
		po.Platforms = []ocispec.Platform{p}
	}
	resp, err := api.ImagePull(c.ctx, img, po)
	if err != nil {
		return err
	}
	defer resp.Close()
	out := c.err
	if opts.quiet {
		out = newOutStream(io.Discard)
	}
	return displayJSONMessages(resp, out)
}

// parsePlatform parses os[/arch[/variant]].
func parsePlatform(s string) (ocispec.Platform, error) {
	parts := strings.Split(strings.ToLower(s), "/")
	if len(parts) > 3 || parts[0] == "" {
		return ocispec.Platform{}, fmt.Errorf("%q: unknown operating system or architecture: invalid argument", s)
	}
	p := ocispec.Platform{OS: parts[0]}
	if len(parts) > 1 {
		p.Architecture = parts[1]
	}
	if len(parts) > 2 {
		p.Variant = parts[2]
	}
	return p, nil
}

// cidFile implements --cidfile: it must not exist yet, is written with
// the ID, and is removed again if creation failed.
type cidFile struct {
	path    string
	file    *os.File
	written bool
}

func newCIDFile(path string) (*cidFile, error) {
	if path == "" {
		return &cidFile{}, nil
	}
	if _, err := os.Stat(path); err == nil {
		return nil, fmt.Errorf("container ID file found, make sure the other container isn't running or delete %s", path)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("failed to create the container ID file: %w", err)
	}
	return &cidFile{path: path, file: f}, nil
}

func (c *cidFile) write(id string) error {
	if c.file == nil {
		return nil
	}
	if _, err := c.file.WriteString(id); err != nil {
		return fmt.Errorf("failed to write the container ID to the file: %w", err)
	}
	c.written = true
	return nil
}

func (c *cidFile) close() {
	if c.file == nil {
		return
	}
	_ = c.file.Close()
	if !c.written {
		_ = os.Remove(c.path)
	}
}

// runContainer is `docker run`: create, attach before start (so no
// output is lost), wait for exit (or removal with --rm), start, then
// stream until the container exits and return its exit status.
//
//nolint:gocyclo // follows the docker CLI's run sequence step by step
func (c *dockerCLI) runContainer(opts *runOptions, copts *containerOptions, cfg *containerConfig) error {
	config := cfg.Config
	if !opts.detach {
		if err := c.in.checkTTY(config.AttachStdin, config.Tty); err != nil {
			return err
		}
	} else {
		if copts.attach.len() != 0 {
			return errAttachDetach
		}
		config.AttachStdin, config.AttachStdout, config.AttachStderr, config.StdinOnce = false, false, false, false
	}

	api, err := c.client()
	if err != nil {
		return runStatusError(err)
	}
	id, err := c.createContainer(api, cfg, &opts.createOptions)
	if err != nil {
		return runStatusError(err)
	}
	if opts.sigProxy {
		stop := forwardSignals(c.ctx, api, id)
		defer stop()
	}

	// The streams must outlive a Ctrl-C: the signal is for the container.
	ctx, cancel := context.WithCancel(context.WithoutCancel(c.ctx))
	defer cancel()

	attach := config.AttachStdin || config.AttachStdout || config.AttachStderr
	var (
		displayed chan struct{}
		errCh     chan error
	)
	if !attach {
		displayed = make(chan struct{})
		go func() {
			defer close(displayed)
			fmt.Fprintln(c.out, id)
		}()
	} else {
		keys := c.config().DetachKeys
		if opts.detachKeys != "" {
			keys = opts.detachKeys
		}
		resp, err := api.ContainerAttach(ctx, id, client.ContainerAttachOptions{
			Stream: true, Stdin: config.AttachStdin, Stdout: config.AttachStdout, Stderr: config.AttachStderr, DetachKeys: keys,
		})
		if err != nil {
			return err
		}
		defer resp.Close()
		h := &hijackedStreamer{c: c, resp: resp.HijackedResponse, tty: config.Tty, detachKeys: keys}
		if config.AttachStdin {
			h.in = c.in
		}
		if config.AttachStdout {
			h.out = c.out
		}
		if config.AttachStderr {
			if config.Tty {
				h.err = c.out
			} else {
				h.err = c.err
			}
		}
		errCh = make(chan error, 1)
		go func() { errCh <- h.stream(ctx) }()
	}

	statusCtx, cancelStatus := context.WithCancel(context.WithoutCancel(c.ctx))
	defer cancelStatus()
	status := c.waitExitOrRemoved(statusCtx, api, id, copts.autoRemove)

	if _, err := api.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		if attach {
			cancel()
			<-errCh
		}
		if copts.autoRemove {
			<-status
		}
		return runStatusError(err)
	}
	if !attach {
		<-displayed
		return nil
	}
	if config.Tty && c.out.isTerm {
		stop := c.monitorTTYSize(ctx, api, id, false)
		defer stop()
	}

	select {
	case err := <-errCh:
		if err != nil {
			if errors.Is(err, errDetached) {
				return nil
			}
			return err
		}
		if s := c.exitCode(status); s != 0 {
			return statusError{StatusCode: s}
		}
	case r := <-status:
		s := r.code
		if r.msg != "" {
			fmt.Fprintln(c.err, r.msg)
		}
		// Output may still be in flight: keep streaming until it ends,
		// unless nothing is attached to output.
		if !config.AttachStdout && !config.AttachStderr {
			cancel()
		}
		<-errCh
		if s != 0 {
			return statusError{StatusCode: s}
		}
	}
	return nil
}

// waitResult is a container's exit status, or why waiting failed.
type waitResult struct {
	code int
	msg  string
}

// waitExitOrRemoved reports the container's exit status once it exits
// (or, with --rm, once the daemon removed it): 125 when waiting failed.
// Read it with c.exitCode, which prints the failure.
func (c *dockerCLI) waitExitOrRemoved(ctx context.Context, api *client.Client, id string, waitRemove bool) <-chan waitResult {
	cond := container.WaitConditionNextExit
	if waitRemove {
		cond = container.WaitConditionRemoved
	}
	w := api.ContainerWait(ctx, id, client.ContainerWaitOptions{Condition: cond})
	ch := make(chan waitResult, 1)
	go func() {
		defer close(ch)
		select {
		case <-ctx.Done():
		case r := <-w.Result:
			if r.Error != nil {
				ch <- waitResult{125, "Error waiting for container: " + r.Error.Message}
				return
			}
			ch <- waitResult{code: int(r.StatusCode)}
		case err := <-w.Error:
			if errors.Is(err, context.Canceled) {
				return
			}
			ch <- waitResult{125, fmt.Sprintf("error waiting for container: %v", err)}
		}
	}()
	return ch
}

// exitCode receives a wait result, printing why waiting failed if it did.
func (c *dockerCLI) exitCode(ch <-chan waitResult) int {
	r := <-ch
	if r.msg != "" {
		fmt.Fprintln(c.err, r.msg)
	}
	return r.code
}

// monitorTTYSize sizes the container's (or exec's) TTY like the local
// terminal now and whenever it is resized.
func (c *dockerCLI) monitorTTYSize(ctx context.Context, api *client.Client, id string, isExec bool) (stop func()) {
	resize := func() error {
		h, w := c.out.ttySize()
		if h == 0 && w == 0 {
			return nil
		}
		var err error
		if isExec {
			_, err = api.ExecResize(ctx, id, client.ExecResizeOptions{Height: h, Width: w})
		} else {
			_, err = api.ContainerResize(ctx, id, client.ContainerResizeOptions{Height: h, Width: w})
		}
		return err
	}
	if err := resize(); err != nil {
		// The process may not be started yet: retry briefly.
		go func() {
			var err error
			for retry := 0; retry < 10; retry++ {
				time.Sleep(time.Duration(retry+1) * 10 * time.Millisecond)
				if err = resize(); err == nil {
					return
				}
			}
			fmt.Fprintln(c.err, "failed to resize tty, using default size")
		}()
	}
	return notifyResize(func() { _ = resize() })
}

func newStartCommand(c *dockerCLI) *cobra.Command {
	var (
		attach, interactive                   bool
		detachKeys, checkpoint, checkpointDir string
	)
	cmd := &cobra.Command{
		Use:   "start [OPTIONS] CONTAINER [CONTAINER...]",
		Short: "Start one or more stopped containers",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			if checkpoint != "" || checkpointDir != "" {
				return errNotSupported("--checkpoint")
			}
			if !attach && !interactive {
				var failed []string
				for _, n := range args {
					if _, err := api.ContainerStart(c.ctx, n, client.ContainerStartOptions{}); err != nil {
						fmt.Fprintln(c.err, err)
						failed = append(failed, n)
						continue
					}
					fmt.Fprintln(c.out, n)
				}
				if len(failed) > 0 {
					return fmt.Errorf("Error: failed to start containers: %s", strings.Join(failed, ", "))
				}
				return nil
			}
			if len(args) > 1 {
				return errStartAttachMany
			}
			return c.startAttached(api, args[0], interactive, detachKeys)
		},
		Annotations: map[string]string{"aliases": "docker container start, docker start"},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&attach, "attach", "a", false, "Attach STDOUT/STDERR and forward signals")
	fl.BoolVarP(&interactive, "interactive", "i", false, "Attach container's STDIN")
	fl.StringVar(&detachKeys, "detach-keys", "", "Override the key sequence for detaching a container")
	fl.StringVar(&checkpoint, "checkpoint", "", "Restore from this checkpoint")
	fl.StringVar(&checkpointDir, "checkpoint-dir", "", "Use a custom checkpoint storage directory")
	for _, name := range []string{"checkpoint", "checkpoint-dir"} {
		annotate(fl, name, "experimental")
		annotate(fl, name, "ostype", "linux")
	}
	return cmd
}

// startAttached is `docker start -a [-i]`.
func (c *dockerCLI) startAttached(api *client.Client, name string, interactive bool, detachKeys string) error {
	ctx, cancel := context.WithCancel(c.ctx)
	defer cancel()
	res, err := api.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
	if err != nil {
		return err
	}
	ctr := res.Container
	tty := ctr.Config != nil && ctr.Config.Tty
	openStdin := ctr.Config != nil && ctr.Config.OpenStdin
	autoRemove := ctr.HostConfig != nil && ctr.HostConfig.AutoRemove
	if !tty {
		stop := forwardSignals(ctx, api, ctr.ID)
		defer stop()
	}
	if detachKeys == "" {
		detachKeys = c.config().DetachKeys
	}
	stdin := interactive && openStdin
	resp, err := api.ContainerAttach(ctx, ctr.ID, client.ContainerAttachOptions{Stream: true, Stdin: stdin, Stdout: true, Stderr: true, DetachKeys: detachKeys})
	if err != nil {
		return err
	}
	defer resp.Close()
	h := &hijackedStreamer{c: c, resp: resp.HijackedResponse, out: c.out, err: c.err, tty: tty, detachKeys: detachKeys}
	if stdin {
		h.in = c.in
	}
	errCh := make(chan error, 1)
	go func() { errCh <- h.stream(ctx) }()

	status := c.waitExitOrRemoved(ctx, api, ctr.ID, autoRemove)
	if _, err := api.ContainerStart(ctx, ctr.ID, client.ContainerStartOptions{}); err != nil {
		cancel()
		<-errCh
		if autoRemove {
			<-status
		}
		return err
	}
	if tty && c.out.isTerm {
		stop := c.monitorTTYSize(ctx, api, ctr.ID, false)
		defer stop()
	}
	if err := <-errCh; err != nil {
		if errors.Is(err, errDetached) {
			return nil
		}
		return err
	}
	if s := c.exitCode(status); s != 0 {
		return statusError{StatusCode: s}
	}
	return nil
}

func newAttachCommand(c *dockerCLI) *cobra.Command {
	var (
		noStdin, proxy bool
		detachKeys     string
	)
	cmd := &cobra.Command{
		Use:   "attach [OPTIONS] CONTAINER",
		Short: "Attach local standard input, output, and error streams to a running container",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			return c.attach(api, args[0], noStdin, proxy, detachKeys)
		},
		Annotations: map[string]string{"aliases": "docker container attach, docker attach"},
	}
	fl := cmd.Flags()
	fl.BoolVar(&noStdin, "no-stdin", false, "Do not attach STDIN")
	fl.BoolVar(&proxy, "sig-proxy", true, "Proxy all received signals to the process")
	fl.StringVar(&detachKeys, "detach-keys", "", "Override the key sequence for detaching a container")
	return cmd
}

func (c *dockerCLI) attach(api *client.Client, name string, noStdin, proxy bool, detachKeys string) error {
	wait := api.ContainerWait(context.WithoutCancel(c.ctx), name, client.ContainerWaitOptions{})

	inspect := func() (container.InspectResponse, error) {
		res, err := api.ContainerInspect(c.ctx, name, client.ContainerInspectOptions{})
		if err != nil {
			return container.InspectResponse{}, err
		}
		return res.Container, containerStateOK(res.Container.State)
	}
	ctr, err := inspect()
	if err != nil {
		return err
	}
	tty := ctr.Config != nil && ctr.Config.Tty
	if err := c.in.checkTTY(!noStdin, tty); err != nil {
		return err
	}
	if detachKeys == "" {
		detachKeys = c.config().DetachKeys
	}
	stdin := !noStdin && ctr.Config != nil && ctr.Config.OpenStdin
	if proxy && !tty {
		stop := forwardSignals(c.ctx, api, name)
		defer stop()
	}
	resp, err := api.ContainerAttach(c.ctx, name, client.ContainerAttachOptions{Stream: true, Stdin: stdin, Stdout: true, Stderr: true, DetachKeys: detachKeys})
	if err != nil {
		return err
	}
	defer resp.Close()
	// The container may have stopped between the check and the attach.
	if _, err := inspect(); err != nil {
		return err
	}
	if tty && c.out.isTerm {
		// Resizing to a different size first makes the shell redraw its
		// prompt on a re-attach.
		h, w := c.out.ttySize()
		_, _ = api.ContainerResize(c.ctx, name, client.ContainerResizeOptions{Height: h + 1, Width: w + 1})
		stop := c.monitorTTYSize(c.ctx, api, name, false)
		defer stop()
	}
	h := &hijackedStreamer{c: c, resp: resp.HijackedResponse, out: c.out, err: c.err, tty: tty, detachKeys: detachKeys}
	if stdin {
		h.in = c.in
	}
	// A detach ends `docker attach` with "read escape sequence", exit 1,
	// as in the docker CLI (run and start treat it as success).
	if err := h.stream(c.ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	select {
	case r := <-wait.Result:
		if r.Error != nil {
			return errors.New(r.Error.Message)
		}
		if r.StatusCode != 0 {
			return statusError{StatusCode: int(r.StatusCode)}
		}
	case err := <-wait.Error:
		return err
	}
	return nil
}

func newExecCommand(c *dockerCLI) *cobra.Command {
	var (
		detachKeys, user, workdir      string
		interactive, tty, detach, priv bool
		env                            = newListOpts(validateEnv)
		envFile                        = newListOpts(nil)
	)
	cmd := &cobra.Command{
		Use:   "exec [OPTIONS] CONTAINER COMMAND [ARG...]",
		Short: "Execute a command in a running container",
		Args:  requiresMinArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			envs, err := readKVStrings(envFile.slice(), env.slice(), os.LookupEnv)
			if err != nil {
				return err
			}
			if detachKeys == "" {
				detachKeys = c.config().DetachKeys
			}
			opts := client.ExecCreateOptions{
				User: user, Privileged: priv, TTY: tty, Cmd: args[1:], WorkingDir: workdir,
				Env: envs, DetachKeys: detachKeys,
			}
			if !detach {
				opts.AttachStdout, opts.AttachStderr, opts.AttachStdin = true, true, interactive
			}
			api, err := c.client()
			if err != nil {
				return err
			}
			return c.exec(api, args[0], opts, detach)
		},
		Annotations: map[string]string{"category-top": "2", "aliases": "docker container exec, docker exec"},
	}
	fl := cmd.Flags()
	fl.SetInterspersed(false)
	fl.StringVar(&detachKeys, "detach-keys", "", "Override the key sequence for detaching a container")
	fl.BoolVarP(&interactive, "interactive", "i", false, "Keep STDIN open even if not attached")
	fl.BoolVarP(&tty, "tty", "t", false, "Allocate a pseudo-TTY")
	fl.BoolVarP(&detach, "detach", "d", false, "Detached mode: run command in the background")
	fl.StringVarP(&user, "user", "u", "", `Username or UID (format: "<name|uid>[:<group|gid>]")`)
	fl.BoolVar(&priv, "privileged", false, "Give extended privileges to the command")
	fl.VarP(env, "env", "e", "Set environment variables")
	fl.Var(envFile, "env-file", "Read in a file of environment variables")
	fl.StringVarP(&workdir, "workdir", "w", "", "Working directory inside the container")
	annotate(fl, "env", "version", "1.25")
	annotate(fl, "env-file", "version", "1.25")
	annotate(fl, "workdir", "version", "1.35")
	return cmd
}

func (c *dockerCLI) exec(api *client.Client, name string, opts client.ExecCreateOptions, detach bool) error {
	// A missing container must be reported before any TTY complaint, and
	// no exec may be created (and leaked) when the TTY check fails.
	if _, err := api.ContainerInspect(c.ctx, name, client.ContainerInspectOptions{}); err != nil {
		return err
	}
	if !detach {
		if err := c.in.checkTTY(opts.AttachStdin, opts.TTY); err != nil {
			return err
		}
	}
	if opts.TTY {
		h, w := c.out.ttySize()
		opts.ConsoleSize = client.ConsoleSize{Height: h, Width: w}
	}
	created, err := api.ExecCreate(c.ctx, name, opts)
	if err != nil {
		return err
	}
	if created.ID == "" {
		return errExecIDEmpty
	}
	if detach {
		_, err := api.ExecStart(c.ctx, created.ID, client.ExecStartOptions{Detach: true, TTY: opts.TTY, ConsoleSize: opts.ConsoleSize})
		return err
	}
	resp, err := api.ExecAttach(c.ctx, created.ID, client.ExecAttachOptions{TTY: opts.TTY, ConsoleSize: opts.ConsoleSize})
	if err != nil {
		return err
	}
	defer resp.Close()
	h := &hijackedStreamer{c: c, resp: resp.HijackedResponse, tty: opts.TTY, detachKeys: opts.DetachKeys}
	if opts.AttachStdin {
		h.in = c.in
	}
	if opts.AttachStdout {
		h.out = c.out
	}
	if opts.AttachStderr {
		if opts.TTY {
			h.err = c.out
		} else {
			h.err = c.err
		}
	}
	errCh := make(chan error, 1)
	go func() { errCh <- h.stream(c.ctx) }()
	if opts.TTY && c.in.isTerm {
		stop := c.monitorTTYSize(c.ctx, api, created.ID, true)
		defer stop()
	}
	// Unlike run and attach, the docker CLI reports a detach from exec as
	// an error ("read escape sequence").
	if err := <-errCh; err != nil {
		return err
	}
	res, err := api.ExecInspect(c.ctx, created.ID, client.ExecInspectOptions{})
	if err != nil {
		if client.IsErrConnectionFailed(err) {
			return statusError{StatusCode: -1}
		}
		return err
	}
	if res.ExitCode != 0 {
		return statusError{StatusCode: res.ExitCode}
	}
	return nil
}
