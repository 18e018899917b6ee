//go:build !linux

package linux

// WithRootfs needs Linux.
func WithRootfs(r Rootfs, fn func(root string) error) error { return ErrNotLinux }
