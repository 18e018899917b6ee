package engine

import (
	"fmt"

	"github.com/containerd/errdefs"
)

// Errors carry Docker's exact messages; their errdefs class decides the HTTP
// status in runtime/api.

func errNoSuchContainer(ref string) error {
	return errdefs.ErrNotFound.WithMessage("No such container: " + ref)
}

func errNoSuchExec(id string) error {
	return errdefs.ErrNotFound.WithMessage("No such exec instance: " + id)
}

func errNameInUse(name, id string) error {
	return errdefs.ErrConflict.WithMessage(fmt.Sprintf("Conflict. The container name %q is already in use by container %q. You have to remove (or rename) that container to be able to reuse that name.", name, id))
}

func errInvalidName(name string) error {
	return errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name))
}

func errAmbiguous(ref string) error {
	return errdefs.ErrInvalidArgument.WithMessage("multiple IDs found with provided prefix: " + ref)
}

func errNotRunning(id string) error {
	return errdefs.ErrConflict.WithMessage(fmt.Sprintf("Container %s is not running", id))
}

func errPaused(id string) error {
	return errdefs.ErrConflict.WithMessage(fmt.Sprintf("Container %s is paused, unpause the container before stopping or killing", id))
}

// errNotModified tells the API to answer 304, as Docker does for starting a
// running container or stopping a stopped one.
var errNotModified = errdefs.ErrNotModified.WithMessage("Container already in the requested state")
