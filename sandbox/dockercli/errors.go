package dockercli

import (
	"errors"
	"fmt"
)

// statusError ends the CLI with a given exit status. Status, when set, is
// printed to stderr as is; otherwise Cause's text is printed (if any).
// It mirrors the docker CLI's cli.StatusError so exit codes match.
type statusError struct {
	Cause      error
	Status     string
	StatusCode int
}

func (e statusError) Error() string {
	if e.Status != "" {
		return e.Status
	}
	if e.Cause != nil {
		return e.Cause.Error()
	}
	return ""
}

func (e statusError) Unwrap() error { return e.Cause }

// cancelledError marks an operation the user declined (a "no" at a
// confirmation prompt). Like the docker CLI, nothing is printed and the
// exit status is 1.
type cancelledError struct{ error }

// Errors with Docker's exact texts.
var (
	errInputNotTTY        = errors.New("the input device is not a TTY")
	errAttachStopped      = errors.New("You cannot attach to a stopped container, start it first")
	errAttachPaused       = errors.New("You cannot attach to a paused container, unpause it first")
	errAttachRestarting   = errors.New("You cannot attach to a restarting container, wait until it is running")
	errAttachDetach       = errors.New("conflicting options: cannot specify both --attach and --detach")
	errRestartAndRm       = errors.New("conflicting options: cannot specify both --restart and --rm")
	errStartAttachMany    = errors.New("you cannot start and attach multiple containers at once")
	errEmptyContainerName = errors.New("container name cannot be empty")
	errTimeAndTimeout     = errors.New("conflicting options: cannot specify both --timeout and --time")
	errCopyAcross         = errors.New("copying between containers is not supported")
	errCopyNoContainer    = errors.New("must specify at least one container source")
	errExecIDEmpty        = errors.New("exec ID empty")
)

// errDetached is returned by the hijacked streamer when the user typed the
// detach key sequence; the CLI then exits 0 without waiting.
var errDetached = errors.New("read escape sequence")

// errNotSupported reports a Docker feature boxlab's CLI does not implement.
// It says so plainly instead of pretending.
func errNotSupported(what string) error {
	return fmt.Errorf("%s is not supported by boxlab's docker CLI yet", what)
}
