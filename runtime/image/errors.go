package image

import (
	"fmt"

	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
)

// errNoSuchImage is Docker's not-found error for a reference: a name is
// shown in its familiar form with the default tag ("No such image: busybox:latest").
func errNoSuchImage(ref reference.Reference) error {
	if named, ok := ref.(reference.Named); ok {
		ref = reference.TagNameOnly(named)
	}
	return errdefs.ErrNotFound.WithMessage("No such image: " + reference.FamiliarString(ref))
}

// errNoSuchImageString is the not-found error for input that is not a reference
// at all but was looked up as an id prefix.
func errNoSuchImageString(s string) error {
	return errdefs.ErrNotFound.WithMessage("No such image: " + s)
}

// errInvalidReference wraps a reference parse error as Docker does (400).
func errInvalidReference(err error) error {
	return errdefs.ErrInvalidArgument.WithMessage(err.Error())
}

// errReferenceNotExist is the reference store's not-found error, which
// `docker save name:tag` shows for a missing tag.
var errReferenceNotExist = errdefs.ErrNotFound.WithMessage("reference does not exist")

// errInvalidArchive builds the errors `docker load` gives for a malformed archive.
func errInvalidArchive(format string, a ...any) error {
	return errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf(format, a...))
}

// ErrPullUnsupported is returned for pulls: boxlab has no registry client yet
// (issue 4 adds go-containerregistry).
var ErrPullUnsupported = errdefs.ErrNotImplemented.WithMessage("pulling images from a registry is not supported by boxlab yet")

// conflictError is Docker's image delete conflict ("conflict: unable to delete
// 1a2b3c4d5e6f (must be forced) - ...").
type conflictError struct {
	hard    bool
	used    bool
	id      string
	message string
}

func (e *conflictError) Error() string {
	force := "must be forced"
	if e.hard {
		force = "cannot be forced"
	}
	return fmt.Sprintf("conflict: unable to delete %s (%s) - %s", shortID(e.id), force, e.message)
}

// Conflict marks the error for errdefs.IsConflict (HTTP 409).
func (e *conflictError) Conflict() {}
