package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/boxlab/boxlab/lessons"
	"github.com/boxlab/boxlab/runtime/api"
	"github.com/boxlab/boxlab/runtime/daemon"
	"github.com/boxlab/boxlab/sandbox/dockercli"
)

const usage = `Usage:  boxlab COMMAND

Learn containers by doing: lessons in the terminal, a real container engine
behind a docker-compatible CLI, and checks that say what is right.

Commands:
  learn     Start learning: list the lessons
  engine    Run the embedded container engine in the foreground
  docker    Run a docker command against boxlab's engine
  version   Show boxlab's version

Run 'boxlab COMMAND --help' for more information on a command.
`

// Main runs boxlab with os.Args and returns the exit status.
func Main() int {
	return Run(os.Args, os.Stdin, os.Stdout, os.Stderr)
}

// Run dispatches argv; invoked as "docker" (a symlink), it is boxlab docker.
func Run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(argv) > 0 && filepath.Base(argv[0]) == "docker" {
		return docker(argv[1:], stdin, stdout, stderr)
	}
	if len(argv) < 2 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	args := argv[2:]
	switch argv[1] {
	case "learn":
		return learn(args, stdout, stderr)
	case "engine":
		return engine(args, stdout, stderr)
	case daemon.UserNamespaceCommand:
		// Hidden: the engine of an ordinary user, re-executed by
		// engine() into a user namespace of its own (rootless).
		if err := daemon.EnterUserNamespace(); err != nil {
			fmt.Fprintf(stderr, "boxlab engine: %v\n", err)
			return 1
		}
		return engine(args, stdout, stderr)
	case "docker":
		return docker(args, stdin, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "boxlab %s (Docker Engine API %s)\n", api.EngineVersion, api.APIVersion)
		return 0
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "boxlab: unknown command %q\n\n%s", argv[1], usage)
		return 2
	}
}

// docker runs boxlab's docker CLI; without DOCKER_HOST it talks to boxlab's
// own engine, never to a Docker daemon that may also be installed.
func docker(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if os.Getenv("DOCKER_HOST") == "" {
		os.Setenv("DOCKER_HOST", daemon.DefaultHost())
	}
	return dockercli.Main(args, stdin, stdout, stderr)
}

func engine(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("boxlab engine", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", daemon.DefaultRoot(), "state directory (images, containers, logs)")
	socket := fs.String("socket", daemon.DefaultSocket(), "unix socket to serve the Docker Engine API on")
	debug := fs.Bool("debug", false, "log every API request")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage:  boxlab engine [OPTIONS]\n\nRun the embedded container engine in the foreground.\n\nOptions:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if daemon.NeedsUserNamespace() {
		return daemon.RunInUserNamespace(args, stdout, stderr)
	}
	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(stdout, "boxlab engine serving the Docker Engine API on unix://%s\nexport DOCKER_HOST=unix://%s\n", *socket, *socket)
	if err := daemon.Run(ctx, daemon.Options{Root: *root, Socket: *socket, Logger: log}); err != nil {
		fmt.Fprintf(stderr, "boxlab engine: %v\n", err)
		return 1
	}
	return 0
}

func learn(args []string, stdout, stderr io.Writer) int {
	list, err := lessons.List()
	if err != nil {
		fmt.Fprintf(stderr, "boxlab learn: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "boxlab lessons:")
	for i, l := range list {
		fmt.Fprintf(stdout, "  %d. %s — %s\n", i+1, l.Title, l.Summary)
	}
	fmt.Fprintln(stdout, "\nThe interactive lesson runner is not built yet. Meanwhile, start the engine with")
	fmt.Fprintln(stdout, "`boxlab engine` and follow the lessons with `boxlab docker ...` in another terminal.")
	return 0
}
