package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/boxlab/boxlab/runtime/api"
	"github.com/boxlab/boxlab/runtime/engine"
)

// DefaultRoot is the engine's state directory: $XDG_DATA_HOME/boxlab, or
// ~/.local/share/boxlab.
func DefaultRoot() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "boxlab")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "boxlab")
	}
	return filepath.Join(home, ".local", "share", "boxlab")
}

// DefaultSocket is $XDG_RUNTIME_DIR/boxlab/engine.sock, or engine.sock in
// the default root when there is no runtime dir.
func DefaultSocket() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "boxlab", "engine.sock")
	}
	return filepath.Join(DefaultRoot(), "engine.sock")
}

// DefaultHost is DefaultSocket as a DOCKER_HOST value.
func DefaultHost() string { return "unix://" + DefaultSocket() }

// Options configure Start.
type Options struct {
	Root   string
	Socket string
	Logger *slog.Logger
	// EngineOptions are passed to engine.New.
	EngineOptions []engine.Option
}

// Daemon is a running engine server.
type Daemon struct {
	Engine *engine.Engine
	Socket string
	srv    *http.Server
	ln     net.Listener
	done   chan error
}

// Start opens the engine and begins serving on the socket. It runs the
// engine in this process, which must be root or in a rootless engine's user
// namespace (EnterUserNamespace): ErrNeedsUserNamespace otherwise.
func Start(opts Options) (*Daemon, error) {
	if err := checkPrivileges(); err != nil {
		return nil, err
	}
	if opts.Root == "" {
		opts.Root = DefaultRoot()
	}
	if opts.Socket == "" {
		opts.Socket = DefaultSocket()
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, err := listen(opts.Socket)
	if err != nil {
		return nil, err
	}
	eng, err := engine.New(opts.Root, append([]engine.Option{engine.WithLogger(log)}, opts.EngineOptions...)...)
	if err != nil {
		ln.Close()
		return nil, err
	}
	d := &Daemon{
		Engine: eng,
		Socket: opts.Socket,
		srv:    &http.Server{Handler: api.New(eng, log), ReadHeaderTimeout: 30 * time.Second},
		ln:     ln,
		done:   make(chan error, 1),
	}
	go func() { d.done <- d.srv.Serve(ln) }()
	return d, nil
}

// listen opens the unix socket, replacing a stale one but refusing to take
// over a socket another engine still serves.
func listen(path string) (net.Listener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("socket dir: %w", err)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("another engine is already listening on %s", path)
	}
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o660); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// Host is the DOCKER_HOST value that reaches this daemon.
func (d *Daemon) Host() string { return "unix://" + d.Socket }

// Close stops serving, kills the containers and removes the socket.
func (d *Daemon) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	d.srv.Shutdown(ctx) // hijacked attach streams end when their containers die
	err := d.Engine.Close()
	d.srv.Close()
	os.Remove(d.Socket)
	if serr := <-d.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// Run serves until ctx is cancelled.
func Run(ctx context.Context, opts Options) error {
	d, err := Start(opts)
	if err != nil {
		return err
	}
	if opts.Logger != nil {
		opts.Logger.Info("boxlab engine listening", "host", d.Host(), "root", opts.Root)
		logRootless(opts.Logger)
	}
	select {
	case <-ctx.Done():
	case err := <-d.done:
		d.done <- err
	}
	return d.Close()
}
