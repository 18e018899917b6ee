package ctrarchive

import (
	"errors"
	"fmt"

	"github.com/containerd/errdefs"
)

// Errors with Docker's messages; their errdefs class decides the HTTP
// status. A path that does not exist is reported as an error for which
// os.IsNotExist is true: the engine words it with the container's name.

// ErrNotDirectory is an extraction into a path that is not a directory.
var ErrNotDirectory = errdefs.ErrInvalidArgument.WithMessage("extraction point is not a directory")

// ErrReadOnly is an extraction into a container whose root filesystem is
// read-only (docker run --read-only).
var ErrReadOnly = errdefs.ErrInvalidArgument.WithMessage("container rootfs is marked read-only")

// ErrNotLinux is returned on systems other than Linux.
var ErrNotLinux = errors.New("boxlab needs Linux to copy files from and to containers")

// errSymlink is a symbolic link met while walking a path that must have
// none: the caller resolves it inside the root, or reports a concurrent
// change.
var errSymlink = errors.New("symbolic link in path")

// BreakoutError is an archive entry that would be written outside the
// directory the archive is extracted into (a "../" name, a link leading
// out). Nothing of that entry is written.
type BreakoutError struct{ msg string }

func (e *BreakoutError) Error() string { return e.msg }

func breakout(format string, args ...any) error {
	return &BreakoutError{msg: fmt.Sprintf(format, args...)}
}

// errKernelFS refuses writes into a running container's /proc, /sys and
// other kernel file systems: Docker's copy never sees those (it writes to
// the directories under them in the image), and the engine's host
// privileges must not reach the kernel through them.
func errKernelFS(path, fstype string) error {
	return errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("cannot copy to %s: it is on the container's %s file system", path, fstype))
}

func errNoUser(name string) error {
	return errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("failed to look up user %q in container: no matching entries in passwd file", name))
}

func errNoGroup(name string) error {
	return errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("failed to look up group %q in container: no matching entries in group file", name))
}
