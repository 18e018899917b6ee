package linux

import (
	"errors"
	"strings"
)

// ErrNotLinux is returned on systems other than Linux.
var ErrNotLinux = errors.New("boxlab needs Linux to run containers")

// ErrNoFreezer is returned by Pause and Resume when the container has no
// freezer cgroup: the host has none, or the engine is rootless without
// delegated cgroups. The text is runc's, which Docker shows (rootless on
// cgroup v1 too) as "cannot pause container ID: OCI runtime pause failed:
// <text>: unknown".
var ErrNoFreezer = errors.New("cannot toggle freezer: cgroups not configured for container")

// ErrNotInit is returned by Pause and Resume on a process started by Exec:
// freezing is for a whole container, through its init's Process.
var ErrNotInit = errors.New("pause and resume apply to a container's init process")

// StartError is a container (or exec'd) process that could not be started,
// with the text and exit code Docker reports for it.
type StartError struct {
	// Msg is Docker's wording of the cause, without the runtime prefixes:
	// `exec: "nosuch": executable file not found in $PATH`.
	Msg string
	// ExitCode is the container's (or exec's) exit code in Docker:
	// 127 not found, 126 cannot be executed, 128 (run) or 126 (exec) otherwise.
	ExitCode int
	// Daemon is set for errors Docker's daemon reports itself before the
	// OCI runtime runs (an unknown user or group, a working directory that
	// is a file): Msg is shown as is. Otherwise Docker shows runc's error,
	// which the engine wraps: for run "failed to create task for container:
	// failed to create shim task: OCI runtime create failed: runc create
	// failed: unable to start container process: error during container
	// init: <Msg>: unknown", for exec "OCI runtime exec failed: exec failed:
	// unable to start container process: <Msg>: unknown".
	Daemon bool
}

func (e *StartError) Error() string { return e.Msg }

// startExitCode is the exit code Docker gives a container whose start
// failed with msg (moby's translateContainerdStartErr).
func startExitCode(msg string) int {
	switch {
	case strings.Contains(msg, "executable file not found"), strings.Contains(msg, "no such file or directory"):
		return 127
	case strings.Contains(msg, "permission denied"), strings.Contains(msg, "is a directory"):
		return 126
	}
	return 128
}

// execExitCode is the exit code Docker gives an exec that failed with msg.
// Docker 20.10 reports 126 for every failure; modern Docker (v28) reports
// 127 for a command that is not found, which boxlab follows.
func execExitCode(msg string) int {
	if c := startExitCode(msg); c == 127 {
		return 127
	}
	return 126
}

// ErrNotInUserNamespace is returned by EnterUserNamespace in a process that
// UserNamespace.Start did not start.
var ErrNotInUserNamespace = errors.New("not started in a user namespace of its own: this is the internal re-execution of a rootless engine")

// ErrNoUserNamespaces is why UserNamespace.Start fails on a host that does
// not let ordinary users create user namespaces.
var ErrNoUserNamespaces = errors.New("this host does not let ordinary users create user namespaces (see the sysctls user.max_user_namespaces and kernel.unprivileged_userns_clone, and AppArmor's kernel.apparmor_restrict_unprivileged_userns): run the engine as root")
