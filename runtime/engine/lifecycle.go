package engine

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"

	"github.com/boxlab/boxlab/runtime/linux"
)

// defaultStopTimeout is Docker's grace period before SIGKILL.
const defaultStopTimeout = 10

// Stop sends the stop signal, waits up to timeout seconds (nil: the
// container's StopTimeout or 10; negative: forever), then SIGKILL.
func (e *Engine) Stop(ctx context.Context, ref string, timeout *int, signal string) error {
	c, err := e.lookup(ref)
	if err != nil {
		return err
	}
	c.mu.Lock()
	if c.rec.State.Status == StateRestarting {
		if c.restartTimer != nil {
			c.restartTimer.Stop()
			c.restartTimer = nil
		}
		c.rec.ManuallyStopped = true
		c.setState(StateExited)
		c.save()
		c.mu.Unlock()
		return nil
	}
	if !c.running() {
		c.mu.Unlock()
		return errNotModified
	}
	sig := syscall.SIGTERM
	if c.rec.Config.StopSignal != "" {
		if s, err := linux.ParseSignal(c.rec.Config.StopSignal); err == nil {
			sig = s
		}
	}
	if signal != "" {
		s, err := linux.ParseSignal(signal)
		if err != nil {
			c.mu.Unlock()
			return errdefs.ErrInvalidArgument.WithMessage(err.Error())
		}
		sig = s
	}
	secs := defaultStopTimeout
	if c.rec.Config.StopTimeout != nil {
		secs = *c.rec.Config.StopTimeout
	}
	if timeout != nil {
		secs = *timeout
	}
	c.rec.ManuallyStopped = true
	c.stopping = true
	proc, exited := c.proc, c.exited
	paused := c.rec.State.Status == StatePaused
	e.emit(c, events.ActionKill, map[string]string{"signal": fmt.Sprint(int(sig))})
	proc.Signal(sig)
	if paused {
		proc.Resume() // a frozen process cannot act on the signal
	}
	c.save()
	c.mu.Unlock()

	if secs >= 0 {
		t := time.NewTimer(time.Duration(secs) * time.Second)
		defer t.Stop()
		select {
		case <-exited:
		case <-t.C:
			c.mu.Lock()
			e.emit(c, events.ActionKill, map[string]string{"signal": "9"})
			c.mu.Unlock()
			proc.Signal(syscall.SIGKILL)
			<-exited
		case <-ctx.Done():
			return ctx.Err()
		}
	} else {
		select {
		case <-exited:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	c.mu.Lock()
	e.emit(c, events.ActionStop, nil)
	c.mu.Unlock()
	return nil
}

// Kill sends a signal (default SIGKILL) to the container's main process.
func (e *Engine) Kill(ctx context.Context, ref, signal string) error {
	c, err := e.lookup(ref)
	if err != nil {
		return err
	}
	sig := syscall.SIGKILL
	if signal != "" {
		if sig, err = linux.ParseSignal(signal); err != nil {
			return errdefs.ErrInvalidArgument.WithMessage(err.Error())
		}
		if !linux.ValidSignal(sig) {
			return errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("The linux daemon does not support signal %d", int(sig)))
		}
	}
	c.mu.Lock()
	if !c.running() {
		c.mu.Unlock()
		return errdefs.ErrConflict.WithMessage(fmt.Sprintf("Cannot kill container: %s: Container %s is not running", ref, c.rec.ID))
	}
	if sig == syscall.SIGKILL {
		c.stopping = true
	}
	proc, exited := c.proc, c.exited
	e.emit(c, events.ActionKill, map[string]string{"signal": fmt.Sprint(int(sig))})
	err = proc.Signal(sig)
	if c.rec.State.Status == StatePaused && sig == syscall.SIGKILL {
		proc.Resume()
	}
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("kill container %s: %w", ref, err)
	}
	if sig == syscall.SIGKILL {
		// Docker returns once a SIGKILLed container is really gone.
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
		case <-ctx.Done():
		}
	}
	return nil
}

// Restart stops the container if it runs and starts it again.
func (e *Engine) Restart(ctx context.Context, ref string, timeout *int, signal string) error {
	c, err := e.lookup(ref)
	if err != nil {
		return err
	}
	if err := e.Stop(ctx, ref, timeout, signal); err != nil && !errdefs.IsNotModified(err) {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running() {
		return nil
	}
	c.rec.ManuallyStopped = false
	if err := e.startLocked(c); err != nil {
		return err
	}
	e.emit(c, events.ActionRestart, nil)
	return nil
}

// WaitResult is what POST /containers/{id}/wait returns.
type WaitResult struct {
	StatusCode int
	Error      string
}

// WaitFor registers a wait for cond ("not-running", "next-exit",
// "removed") now and returns the function that blocks until it is met, so
// the registration happens before a concurrent start (docker run does
// wait → start).
func (e *Engine) WaitFor(ref string, cond container.WaitCondition) (func(ctx context.Context) (WaitResult, error), error) {
	c, err := e.lookup(ref)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	exited, removed := c.exited, c.removed
	active := c.running() || c.rec.State.Status == StateRestarting
	c.mu.Unlock()
	result := func() WaitResult {
		c.mu.Lock()
		defer c.mu.Unlock()
		// The state's Error (a failed start) is not a wait error: the
		// client already got it from start, and Docker leaves it out.
		return WaitResult{StatusCode: c.rec.State.ExitCode}
	}
	// A nil channel never fires: each condition listens to what ends it.
	var onExit, onRemove <-chan struct{}
	switch cond {
	case "", container.WaitConditionNotRunning:
		if !active {
			return func(context.Context) (WaitResult, error) { return result(), nil }, nil
		}
		onExit, onRemove = exited, removed
	case container.WaitConditionNextExit:
		onExit, onRemove = exited, removed
	case container.WaitConditionRemoved:
		onRemove = removed
	default:
		return nil, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("invalid condition: %q", cond))
	}
	return func(ctx context.Context) (WaitResult, error) {
		select {
		case <-onExit:
		case <-onRemove:
		case <-ctx.Done():
			return WaitResult{}, ctx.Err()
		}
		return result(), nil
	}, nil
}

// Pause freezes every process of the container.
func (e *Engine) Pause(ctx context.Context, ref string) error {
	c, err := e.lookup(ref)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch c.rec.State.Status {
	case StatePaused:
		return errdefs.ErrConflict.WithMessage(fmt.Sprintf("Container %s is already paused", c.rec.ID))
	case StateRunning:
	default:
		return errNotRunning(c.rec.ID)
	}
	if err := c.proc.Pause(); err != nil {
		return fmt.Errorf("pause container %s: %w", ref, err)
	}
	c.setState(StatePaused)
	c.save()
	e.emit(c, events.ActionPause, nil)
	return nil
}

// Unpause thaws a paused container.
func (e *Engine) Unpause(ctx context.Context, ref string) error {
	c, err := e.lookup(ref)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rec.State.Status != StatePaused {
		return errdefs.ErrConflict.WithMessage(fmt.Sprintf("Container %s is not paused", c.rec.ID))
	}
	if err := c.proc.Resume(); err != nil {
		return fmt.Errorf("unpause container %s: %w", ref, err)
	}
	c.setState(StateRunning)
	c.save()
	e.emit(c, events.ActionUnPause, nil)
	return nil
}

// RemoveOptions are DELETE /containers/{id}'s query parameters.
type RemoveOptions struct {
	Force   bool
	Volumes bool
}

// Remove deletes a container, killing it first when forced.
func (e *Engine) Remove(ctx context.Context, ref string, opts RemoveOptions) error {
	c, err := e.lookup(ref)
	if err != nil {
		return err
	}
	c.mu.Lock()
	if c.rec.State.Status == StateRemoving {
		c.mu.Unlock()
		return errdefs.ErrConflict.WithMessage(fmt.Sprintf("removal of container %s is already in progress", ref))
	}
	if c.running() || c.rec.State.Status == StateRestarting {
		if !opts.Force {
			c.mu.Unlock()
			return errdefs.ErrConflict.WithMessage(fmt.Sprintf("cannot remove container %q: container is running: stop the container before removing or force remove", c.rec.Name))
		}
		if c.restartTimer != nil {
			c.restartTimer.Stop()
			c.restartTimer = nil
		}
		c.stopping = true
		if c.proc != nil {
			exited := c.exited
			e.emit(c, events.ActionKill, map[string]string{"signal": "9"})
			c.proc.Signal(syscall.SIGKILL)
			if c.rec.State.Status == StatePaused {
				c.proc.Resume()
			}
			c.mu.Unlock()
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				return fmt.Errorf("remove container %s: it did not die after SIGKILL", ref)
			}
			c.mu.Lock()
		} else {
			c.setState(StateExited)
		}
	}
	if err := c.setState(StateRemoving); err != nil {
		c.mu.Unlock()
		return err
	}
	execs := c.execIDs
	c.mu.Unlock()

	if err := os.RemoveAll(c.dir); err != nil {
		c.mu.Lock()
		c.setState(StateDead)
		c.mu.Unlock()
		return fmt.Errorf("remove container %s: %w", ref, err)
	}
	if err := e.images.Release(c.rec.ID); err != nil {
		e.log.Warn("release image lease", "id", c.rec.ID, "err", err)
	}
	e.mu.Lock()
	delete(e.containers, c.rec.ID)
	if e.names[c.Name()] == c {
		delete(e.names, c.Name())
	}
	for _, id := range execs {
		delete(e.execs, id)
	}
	e.mu.Unlock()
	c.mu.Lock()
	e.emit(c, events.ActionDestroy, nil)
	close(c.removed)
	c.mu.Unlock()
	return nil
}

// Rename gives a container a new name.
func (e *Engine) Rename(ctx context.Context, ref, newName string) error {
	c, err := e.lookup(ref)
	if err != nil {
		return err
	}
	if newName == "" || !validName.MatchString(newName) {
		return errdefs.ErrInvalidArgument.WithMessage("Error when allocating new name: " + errInvalidName("/"+trimSlash(newName)).Error())
	}
	newName = trimSlash(newName)
	e.mu.Lock()
	defer e.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.Name()
	if old == newName {
		return errdefs.ErrInvalidArgument.WithMessage("Renaming a container with the same name as its current name")
	}
	if other, taken := e.names[newName]; taken {
		return errNameInUse("/"+newName, other.rec.ID)
	}
	c.rec.Name = "/" + newName
	if err := c.save(); err != nil {
		c.rec.Name = "/" + old
		return err
	}
	delete(e.names, old)
	e.names[newName] = c
	e.emit(c, events.ActionRename, map[string]string{"oldName": "/" + old})
	return nil
}

// Resize changes the pty size of a container started with a tty.
func (e *Engine) Resize(ctx context.Context, ref string, height, width uint16) error {
	c, err := e.lookup(ref)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running() {
		return errNotRunning(c.rec.ID)
	}
	if !c.rec.Config.Tty {
		return nil
	}
	return c.proc.Resize(width, height)
}

func trimSlash(s string) string {
	if len(s) > 0 && s[0] == '/' {
		return s[1:]
	}
	return s
}
