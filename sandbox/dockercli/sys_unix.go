//go:build unix

package dockercli

import (
	"context"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/moby/moby/client"
	"golang.org/x/sys/unix"
)

// forwardSignals relays every signal the CLI receives to the container,
// as `docker run --sig-proxy` and `docker attach` do, until stop is
// called. SIGCHLD, SIGPIPE, SIGURG (Go's preemption signal) and SIGWINCH
// (handled by the resize monitor) are not forwarded.
func forwardSignals(ctx context.Context, api *client.Client, id string) (stop func()) {
	ch := make(chan os.Signal, 128)
	signal.Notify(ch)
	ctx = context.WithoutCancel(ctx)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-ch:
				sig, ok := s.(unix.Signal)
				if !ok {
					continue
				}
				switch sig {
				case unix.SIGCHLD, unix.SIGPIPE, unix.SIGURG, unix.SIGWINCH:
					continue
				}
				name := strings.TrimPrefix(unix.SignalName(sig), "SIG")
				if name == "" {
					continue
				}
				_, _ = api.ContainerKill(ctx, id, client.ContainerKillOptions{Signal: name})
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

// notifyResize calls fn whenever the terminal is resized.
func notifyResize(fn func()) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, unix.SIGWINCH)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-ch:
				fn()
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

// inodeOf returns a file's inode and link count, to keep hard links as
// links in a tar stream.
func inodeOf(fi os.FileInfo) (ino, links uint64, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return st.Ino, uint64(st.Nlink), true
}
