package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"

	"github.com/boxlab/boxlab/runtime/linux"
)

// execSession is one `docker exec`: created, then started once.
type execSession struct {
	id  string
	c   *Container
	req container.ExecCreateRequest

	mu       sync.Mutex
	started  bool
	running  bool
	pid      int
	exitCode *int
	proc     *linux.Process
}

// ExecCreate registers a command to run in a running container.
func (e *Engine) ExecCreate(ctx context.Context, ref string, req container.ExecCreateRequest) (string, error) {
	c, err := e.lookup(ref)
	if err != nil {
		return "", err
	}
	if len(req.Cmd) == 0 {
		return "", errdefs.ErrInvalidArgument.WithMessage("No exec command specified")
	}
	if _, err := parseDetachKeys(req.DetachKeys); err != nil {
		return "", err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch c.rec.State.Status {
	case StateRunning:
	case StatePaused:
		return "", errdefs.ErrConflict.WithMessage(fmt.Sprintf("Container %s is paused, unpause the container before exec", ref))
	default:
		return "", errNotRunning(c.rec.ID)
	}
	s := &execSession{id: newID(), c: c, req: req}
	e.mu.Lock()
	e.execs[s.id] = s
	e.mu.Unlock()
	c.execIDs = append(c.execIDs, s.id)
	e.emit(c, events.Action("exec_create: "+strings.Join(req.Cmd, " ")), map[string]string{"execID": s.id})
	return s.id, nil
}

func (e *Engine) execByID(id string) (*execSession, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if s, ok := e.execs[id]; ok {
		return s, nil
	}
	return nil, errNoSuchExec(id)
}

// ExecStartOptions are POST /exec/{id}/start's body.
type ExecStartOptions struct {
	Detach      bool
	Tty         bool
	ConsoleSize *[2]uint // height, width
}

// ExecStart runs a created exec. Attached, it streams like Attach and
// returns when the process ended; detached, it returns once started. A
// command that cannot run is reported on the output stream, as Docker
// does, and its exit code recorded.
func (e *Engine) ExecStart(ctx context.Context, id string, opts ExecStartOptions, in io.Reader, out func(stream string, p []byte) error) error {
	s, err := e.execByID(id)
	if err != nil {
		return err
	}
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return errdefs.ErrConflict.WithMessage(fmt.Sprintf("Error: Exec command %s is already running", id))
	}
	s.started = true
	s.mu.Unlock()

	c := s.c
	c.mu.Lock()
	if c.rec.State.Status != StateRunning {
		status := c.rec.State.Status
		c.mu.Unlock()
		if status == StatePaused {
			return errdefs.ErrConflict.WithMessage(fmt.Sprintf("Container %s is paused, unpause the container before exec", c.rec.ID))
		}
		return errNotRunning(c.rec.ID)
	}
	pid := c.rec.State.Pid
	cfg := c.rec.Config
	base := []string{"PATH=" + linux.DefaultPath, "HOSTNAME=" + cfg.Hostname}
	tty := s.req.Tty || opts.Tty
	if tty {
		base = append(base, "TERM=xterm")
	}
	user := s.req.User
	if user == "" {
		user = cfg.User
	}
	cwd := s.req.WorkingDir
	if cwd == "" {
		cwd = cfg.WorkingDir
	}
	if cwd == "" {
		cwd = "/"
	}
	spec := &linux.ExecSpec{
		Args:  s.req.Cmd,
		Env:   mergeEnv(mergeEnv(base, cfg.Env), s.req.Env),
		Cwd:   cwd,
		User:  user,
		Tty:   tty,
		Stdin: s.req.AttachStdin && !opts.Detach,
		ConsoleSize: func() [2]uint16 {
			if opts.ConsoleSize == nil {
				return [2]uint16{}
			}
			return consoleSize(*opts.ConsoleSize)
		}(),
		Privileged: s.req.Privileged || c.rec.HostConfig.Privileged,
		CapAdd:     c.rec.HostConfig.CapAdd,
		CapDrop:    c.rec.HostConfig.CapDrop,
	}
	e.emit(c, events.Action("exec_start: "+strings.Join(s.req.Cmd, " ")), map[string]string{"execID": s.id})
	c.mu.Unlock()

	proc, err := linux.Exec(e.toolbox, pid, spec)
	if err != nil {
		var se *linux.StartError
		if !errors.As(err, &se) {
			return fmt.Errorf("exec in container %s: %w", c.Name(), err)
		}
		code := se.ExitCode
		s.mu.Lock()
		s.exitCode = &code
		s.mu.Unlock()
		msg := se.Msg
		if !se.Daemon {
			msg = "OCI runtime exec failed: exec failed: unable to start container process: " + se.Msg + ": unknown"
		}
		if !opts.Detach && out != nil {
			out("stdout", []byte(msg+"\r\n"))
		}
		return nil
	}
	s.mu.Lock()
	s.proc, s.pid, s.running = proc, proc.Pid, true
	s.mu.Unlock()

	var stdin io.WriteCloser
	sources := map[string]io.Reader{}
	if tty {
		sources["stdout"] = proc.Console
		if spec.Stdin {
			stdin = nopCloser{proc.Console}
		}
	} else {
		sources["stdout"], sources["stderr"] = proc.Stdout, proc.Stderr
		if spec.Stdin {
			stdin = proc.Stdin
		}
	}
	var wg sync.WaitGroup
	for name, r := range sources {
		wg.Add(1)
		go func(name string, r io.Reader) {
			defer wg.Done()
			buf := make([]byte, 32*1024)
			for {
				n, err := r.Read(buf)
				if n > 0 && !opts.Detach && out != nil {
					if out(name, buf[:n]) != nil {
						out = nil // client gone: keep draining so the process is not blocked
					}
				}
				if err != nil {
					return
				}
			}
		}(name, r)
	}
	finish := func() {
		status := proc.Wait()
		wg.Wait()
		if stdin != nil {
			stdin.Close()
		}
		proc.Release()
		code := status.Code
		s.mu.Lock()
		s.running, s.exitCode, s.proc = false, &code, nil
		s.mu.Unlock()
		c.mu.Lock()
		e.emit(c, events.ActionExecDie, map[string]string{"execID": s.id, "exitCode": fmt.Sprint(code)})
		c.mu.Unlock()
	}
	if opts.Detach {
		go finish()
		return nil
	}
	if stdin != nil && in != nil {
		keys, _ := parseDetachKeys(s.req.DetachKeys)
		go func() {
			st := newStreams(nil, tty, stdin)
			copyInput(st, in, keys, true)
		}()
	}
	done := make(chan struct{})
	go func() { finish(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		// The client went away; the process keeps running, as in Docker.
	}
	return nil
}

// ExecInspect describes an exec session.
func (e *Engine) ExecInspect(ctx context.Context, id string) (container.ExecInspectResponse, error) {
	s, err := e.execByID(id)
	if err != nil {
		return container.ExecInspectResponse{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	entry, args := s.req.Cmd[0], s.req.Cmd[1:]
	priv := s.req.Privileged
	return container.ExecInspectResponse{
		ID:      s.id,
		Running: s.running,
		ExitCode: func() *int {
			if s.exitCode == nil {
				return nil
			}
			v := *s.exitCode
			return &v
		}(),
		ProcessConfig: &container.ExecProcessConfig{
			Tty:        s.req.Tty,
			Entrypoint: entry,
			Arguments:  args,
			Privileged: &priv,
			User:       s.req.User,
		},
		OpenStdin:   s.req.AttachStdin,
		OpenStdout:  s.req.AttachStdout,
		OpenStderr:  s.req.AttachStderr,
		CanRemove:   false,
		ContainerID: s.c.rec.ID,
		DetachKeys:  []byte{},
		Pid:         s.pid,
	}, nil
}

// ExecResize resizes an exec's pty.
func (e *Engine) ExecResize(ctx context.Context, id string, height, width uint16) error {
	s, err := e.execByID(id)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return errdefs.ErrConflict.WithMessage(fmt.Sprintf("Exec %s is not running", id))
	}
	return s.proc.Resize(width, height)
}
