package linux

import (
	"errors"
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// WithRootfs mounts the root filesystem of a container that is not running
// at r.Target and calls fn(r.Target) while it is mounted, for docker cp.
// The mount lives in a mount namespace of its own, created by one OS thread
// that runs fn and then dies with it, so nothing ever appears in the host's
// mount table and nothing is left mounted if the engine crashes. fn must do
// all its file system work itself: a goroutine it starts runs on another
// thread, which sees the host's mounts and not the container's.
//
// A panic in fn is raised again in the caller once the rootfs is unmounted.
func WithRootfs(r Rootfs, fn func(root string) error) error {
	var (
		err      error
		panicked bool
		value    any
	)
	onPrivateThread(func() {
		defer func() {
			if v := recover(); v != nil {
				panicked, value = true, v
			}
		}()
		err = withRootfsOnThread(r, fn)
	})
	if panicked {
		panic(value)
	}
	return err
}

// onPrivateThread runs fn on an OS thread of its own that ends with fn and
// is not the process's main thread: Go cannot end the main thread, and its
// namespaces and fs state are what /proc/PID shows of the whole engine.
func onPrivateThread(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Never unlocked once fn ran: the thread's fs state and mount
		// namespace are not the process's any more, so Go must end the
		// thread when this goroutine returns instead of reusing it.
		runtime.LockOSThread()
		if unix.Gettid() == unix.Getpid() {
			// Holding the main thread here makes the nested goroutine
			// run on another one.
			onPrivateThread(fn)
			runtime.UnlockOSThread()
			return
		}
		fn()
	}()
	<-done
}

// withRootfsOnThread runs on the locked thread of WithRootfs.
func withRootfsOnThread(r Rootfs, fn func(root string) error) (err error) {
	// A mount namespace can only be unshared by a thread that does not share
	// its fs state (root, cwd, umask) with the rest of the process; this
	// also keeps the chdir of mountOverlay to this thread.
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return fmt.Errorf("rootfs access: unshare fs state: %w", err)
	}
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("rootfs access: unshare mount namespace: %w", err)
	}
	// Slave, as Docker does: host mounts may still reach this namespace,
	// none made here can reach the host.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_SLAVE, ""); err != nil {
		return fmt.Errorf("rootfs access: make / rslave: %w", err)
	}
	if err := mountOverlay(r); err != nil {
		return err
	}
	defer func() {
		// Unmount before returning rather than leaving it to the
		// namespace's end: the container may be started right after, and
		// overlayfs must not see its upper dir mounted twice.
		uerr := unix.Unmount(r.Target, 0)
		if errors.Is(uerr, unix.EBUSY) {
			uerr = unix.Unmount(r.Target, unix.MNT_DETACH)
		}
		if uerr != nil && err == nil {
			err = fmt.Errorf("rootfs access: unmount %s: %w", r.Target, uerr)
		}
	}()
	return fn(r.Target)
}
