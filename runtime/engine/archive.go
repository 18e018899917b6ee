package engine

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"golang.org/x/sys/unix"

	"github.com/boxlab/boxlab/runtime/engine/internal/ctrarchive"
	"github.com/boxlab/boxlab/runtime/linux"
)

// ArchiveStat describes a file in a container, as HEAD
// /containers/{id}/archive does (docker cp's first look at a path).
func (e *Engine) ArchiveStat(ctx context.Context, ref, path string) (container.PathStat, error) {
	c, err := e.lookup(ref)
	if err != nil {
		return container.PathStat{}, err
	}
	var st container.PathStat
	err = e.withContainerFS(c, func(r *ctrarchive.Root, _ *containerView) error {
		var err error
		st, err = r.Stat(path)
		return err
	})
	return st, archiveError(err, ref, path)
}

// ArchiveGet writes the tar archive of a path in a container to w, as GET
// /containers/{id}/archive does. onStat gets the path's stat before the
// first byte is written (the API sends it as a header); an error before
// that is the request's error, one after it means a broken stream.
func (e *Engine) ArchiveGet(ctx context.Context, ref, path string, w io.Writer, onStat func(container.PathStat)) error {
	c, err := e.lookup(ref)
	if err != nil {
		return err
	}
	archived := false
	err = e.withContainerFS(c, func(r *ctrarchive.Root, _ *containerView) error {
		return r.Archive(path, w, func(st container.PathStat) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			archived = true
			onStat(st)
			return nil
		})
	})
	if archived {
		// Docker's event says the archive was made, however the stream
		// then went.
		e.emitFor(c, events.ActionArchivePath)
		return err
	}
	return archiveError(err, ref, path)
}

// ArchivePutOptions are PUT /containers/{id}/archive's query parameters.
type ArchivePutOptions struct {
	// NoOverwriteDirNonDir refuses to replace a directory with a file and
	// the reverse (the docker CLI always sets it).
	NoOverwriteDirNonDir bool
	// CopyUIDGID makes the container's user (Config.User) own what is
	// extracted instead of the ids in the archive (docker cp -a).
	CopyUIDGID bool
}

// ArchivePut extracts the tar archive r into the directory path of a
// container, running or not, as PUT /containers/{id}/archive does.
func (e *Engine) ArchivePut(ctx context.Context, ref, path string, r io.Reader, opts ArchivePutOptions) error {
	c, err := e.lookup(ref)
	if err != nil {
		return err
	}
	err = e.withContainerFS(c, func(root *ctrarchive.Root, v *containerView) error {
		xo := ctrarchive.ExtractOptions{NoOverwriteDirNonDir: opts.NoOverwriteDirNonDir, ReadOnly: v.readOnly}
		if opts.CopyUIDGID && v.user != "" {
			owner, err := root.LookupUser(v.user)
			if err != nil {
				return err
			}
			xo.Owner = &owner
		}
		return root.Extract(path, r, xo)
	})
	if err != nil {
		return archiveError(err, ref, path)
	}
	e.emitFor(c, events.ActionExtractToDir)
	return nil
}

// archiveError words a missing path as Docker does, with the path and the
// container as the client named them.
func archiveError(err error, ref, path string) error {
	if err != nil && os.IsNotExist(err) {
		return errdefs.ErrNotFound.WithMessage(fmt.Sprintf("Could not find the file %s in container %s", path, ref))
	}
	return err
}

// emitFor emits a container event, taking c.mu.
func (e *Engine) emitFor(c *Container, action events.Action) {
	c.mu.Lock()
	e.emit(c, action, nil)
	c.mu.Unlock()
}

// containerView is what a copy needs of a container's record.
type containerView struct {
	readOnly bool   // HostConfig.ReadonlyRootfs
	user     string // Config.User
}

// withContainerFS calls fn with the container's root filesystem: a running
// container's through /proc/PID/root (its mounts included, as Docker shows
// volumes), a stopped one's mounted where only fn sees it
// (linux.WithRootfs). No container lock is held while fn runs; a stopped
// container's start waits for fn instead (offline.wait in startLocked),
// so the overlay is never mounted twice.
func (e *Engine) withContainerFS(c *Container, fn func(*ctrarchive.Root, *containerView) error) error {
	c.mu.Lock()
	v := &containerView{readOnly: c.rec.HostConfig != nil && c.rec.HostConfig.ReadonlyRootfs}
	if c.rec.Config != nil {
		v.user = c.rec.Config.User
	}
	if c.running() {
		root, err := openProcessRoot(c.rec.State.Pid, c.rec.State.PidNS)
		c.mu.Unlock()
		if err != nil {
			return err
		}
		defer root.Close()
		return fn(root, v)
	}
	rootfs := linux.Rootfs{Upper: c.upperDir(), Work: c.workDir(), Target: c.mergedDir()}
	var err error
	rootfs.Lower, err = e.images.LeasedLayers(c.rec.ID)
	released := c.released
	if err == nil {
		offline.enter(c)
	}
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("layers of container %s: %w", c.Name(), err)
	}
	defer offline.leave(c)
	offline.acquire(c)
	if released != nil {
		<-released // the last run's mounts are gone
	}
	return linux.WithRootfs(rootfs, func(dir string) error {
		root, err := ctrarchive.Open(dir)
		if err != nil {
			return err
		}
		defer root.Close()
		return fn(root, v)
	})
}

// openProcessRoot opens the root directory of a running container's
// process. The /proc/PID directory is opened first and checked to be the
// container's (its pid namespace): a pid reused after the container died
// cannot lead to another process's files.
func openProcessRoot(pid int, pidNS uint64) (*ctrarchive.Root, error) {
	procDir, err := unix.Open("/proc/"+strconv.Itoa(pid), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open the container's root: %w", err)
	}
	defer unix.Close(procDir)
	if pidNS != 0 {
		var st unix.Stat_t
		if err := unix.Fstatat(procDir, "ns/pid", &st, 0); err != nil || st.Ino != pidNS {
			return nil, errdefs.ErrConflict.WithMessage("the container stopped during the copy: try again")
		}
	}
	return ctrarchive.OpenAt(procDir, "root")
}

// offline counts the copies on each stopped container: one at a time, and
// the container does not start until none is left. Each mounts the
// container's overlay privately, and overlayfs must not have one upper
// directory mounted twice.
var offline = newOfflineCopies()

type offlineCopies struct {
	mu    sync.Mutex
	cond  *sync.Cond
	users map[*Container]int  // copies registered, running or queued
	busy  map[*Container]bool // one of them has the rootfs mounted
}

func newOfflineCopies() *offlineCopies {
	o := &offlineCopies{users: map[*Container]int{}, busy: map[*Container]bool{}}
	o.cond = sync.NewCond(&o.mu)
	return o
}

// enter registers a copy, under c.mu: no start slips in between the
// state check and the registration.
func (o *offlineCopies) enter(c *Container) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.users[c]++
}

// leave ends a copy that entered and acquired.
func (o *offlineCopies) leave(c *Container) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.users[c]--; o.users[c] == 0 {
		delete(o.users, c)
	}
	delete(o.busy, c)
	o.cond.Broadcast()
}

// acquire waits until no other copy of c has the rootfs mounted.
func (o *offlineCopies) acquire(c *Container) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for o.busy[c] {
		o.cond.Wait()
	}
	o.busy[c] = true
}

// wait returns when no copy of c is registered. The caller (a start) holds
// c.mu, so no new one can register; the copies never take c.mu.
func (o *offlineCopies) wait(c *Container) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for o.users[c] > 0 {
		o.cond.Wait()
	}
}
