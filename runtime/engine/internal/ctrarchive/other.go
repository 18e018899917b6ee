//go:build !linux

package ctrarchive

import (
	"io"

	"github.com/moby/moby/api/types/container"
)

// Root needs Linux.
type Root struct{}

// ExtractOptions are the choices of PUT /containers/{id}/archive.
type ExtractOptions struct {
	NoOverwriteDirNonDir bool
	Owner                *Owner
	ReadOnly             bool
}

// Owner is a numeric user and group.
type Owner struct{ UID, GID int }

// Open needs Linux.
func Open(dir string) (*Root, error) { return nil, ErrNotLinux }

// OpenAt needs Linux.
func OpenAt(dirfd int, name string) (*Root, error) { return nil, ErrNotLinux }

// Close needs Linux.
func (r *Root) Close() error { return nil }

// Stat needs Linux.
func (r *Root) Stat(p string) (container.PathStat, error) { return container.PathStat{}, ErrNotLinux }

// Archive needs Linux.
func (r *Root) Archive(p string, w io.Writer, onStat func(container.PathStat) error) error {
	return ErrNotLinux
}

// Extract needs Linux.
func (r *Root) Extract(p string, rd io.Reader, opts ExtractOptions) error { return ErrNotLinux }

// LookupUser needs Linux.
func (r *Root) LookupUser(spec string) (Owner, error) { return Owner{}, ErrNotLinux }
