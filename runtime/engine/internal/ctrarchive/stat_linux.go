package ctrarchive

import (
	"errors"
	"os"
	"path"

	"github.com/moby/moby/api/types/container"
	"golang.org/x/sys/unix"
)

// target is what a container path names, found the way lstat(2) would in
// the container: every link on the way followed, a final link not (unless
// the path ends in "/" or "/.").
type target struct {
	dir  int    // O_PATH fd of the directory holding it; -1 for the root itself
	name string // its name in dir
	st   unix.Stat_t
}

func (t *target) close() {
	if t.dir >= 0 {
		unix.Close(t.dir)
	}
}

// open opens the target with flags (O_NOFOLLOW is implied).
func (t *target) open(r *Root, flags int) (int, error) {
	if t.dir < 0 {
		return r.openBeneath(r.fd, "", flags, false)
	}
	return openat(t.dir, t.name, flags)
}

// absPath is the container path Docker makes of a user's path: rooted at
// "/", cleaned, keeping a final "/" or "/." that asserts a directory.
func absPath(p string) string {
	abs := path.Join("/", p)
	if path.Base(p) == "." && path.Base(abs) != "." {
		if abs != "/" {
			abs += "/"
		}
		abs += "."
	}
	if len(p) > 0 && p[len(p)-1] == '/' && abs[len(abs)-1] != '/' {
		abs += "/"
	}
	return abs
}

// assertsDir is true for a path ending in "/" or "/.".
func assertsDir(p string) bool {
	return p[len(p)-1] == '/' || path.Base(p) == "."
}

// lookup finds the target of abs (an absPath). Errors are *os.PathError
// with Docker's wording ("lstat /etc/passwd/: not a directory"); a target
// inside a kernel file system does not exist, as in Docker's view of a
// container.
func (r *Root) lookup(abs string) (*target, error) {
	fail := func(err error) (*target, error) {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &os.PathError{Op: "lstat", Path: abs, Err: err}
	}
	dir, name := path.Dir(abs), path.Base(abs)
	if assertsDir(abs) {
		full, err := r.resolve(abs)
		if err != nil {
			return fail(err)
		}
		dir, name = path.Dir(full), path.Base(full)
	} else if abs != "/" {
		var err error
		if dir, err = r.resolve(dir); err != nil {
			return fail(err)
		}
	}
	t := &target{dir: -1}
	if name == "/" {
		if err := unix.Fstat(r.fd, &t.st); err != nil {
			return fail(err)
		}
		return t, nil
	}
	fd, err := r.openDir(dir)
	if err != nil {
		return fail(err)
	}
	t.dir, t.name = fd, name
	if _, ok := kernelFS(fd); ok {
		t.close()
		return fail(unix.ENOENT)
	}
	if err := fstatat(fd, name, &t.st); err != nil {
		t.close()
		return fail(err)
	}
	if assertsDir(abs) && !isDir(&t.st) {
		t.close()
		return fail(unix.ENOTDIR)
	}
	return t, nil
}

// Stat describes the file at the container path p as Docker's HEAD
// /containers/{id}/archive does: a final symbolic link is not followed, and
// LinkTarget is where it leads, all links followed inside the container.
func (r *Root) Stat(p string) (container.PathStat, error) {
	abs := absPath(p)
	t, err := r.lookup(abs)
	if err != nil {
		return container.PathStat{}, err
	}
	defer t.close()
	return r.pathStat(abs, t)
}

func (r *Root) pathStat(abs string, t *target) (container.PathStat, error) {
	st := container.PathStat{
		Name:  path.Base(abs),
		Size:  t.st.Size,
		Mode:  fileMode(t.st.Mode),
		Mtime: mtime(&t.st),
	}
	if t.st.Mode&unix.S_IFMT == unix.S_IFLNK {
		link, err := r.resolve(abs)
		if err != nil {
			return container.PathStat{}, &os.PathError{Op: "lstat", Path: abs, Err: err}
		}
		st.LinkTarget = link
	}
	return st, nil
}
