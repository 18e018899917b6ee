package ctrarchive

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// ExtractOptions are the choices of PUT /containers/{id}/archive.
type ExtractOptions struct {
	// NoOverwriteDirNonDir refuses to replace a directory with something
	// else and the reverse (the docker CLI always asks for it).
	NoOverwriteDirNonDir bool
	// Owner, when set, owns everything extracted instead of the ids in the
	// archive (copyUIDGID with a container user).
	Owner *Owner
	// ReadOnly refuses the extraction once the destination is found to be
	// a directory: the container's root filesystem is read-only.
	ReadOnly bool
}

// Owner is a numeric user and group.
type Owner struct{ UID, GID int }

// Extract unpacks the tar archive in rd (plain, gzip or bzip2) into the
// directory at the container path p, as Docker's PUT
// /containers/{id}/archive does: p is resolved with every link followed,
// existing directories are merged, anything else is replaced, ids, modes,
// times and extended attributes come from the archive.
//
// Entries cannot leave p: a name with "..", a hard link to something
// outside, or a path through a symbolic link that leads outside (resolved
// inside the container, as the container would) is a *BreakoutError and
// ends the extraction; what was extracted before stays, as in Docker.
func (r *Root) Extract(p string, rd io.Reader, opts ExtractOptions) error {
	abs := path.Join("/", p)
	dest, err := r.resolve(abs)
	if err != nil {
		return &os.PathError{Op: "lstat", Path: abs, Err: unwrapPathError(err)}
	}
	fd, err := r.openBeneath(r.fd, strings.TrimPrefix(dest, "/"), unix.O_PATH, false)
	if err != nil {
		return &os.PathError{Op: "lstat", Path: abs, Err: err}
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	if !isDir(&st) {
		return ErrNotDirectory
	}
	if fs, ok := kernelFS(fd); ok {
		return errKernelFS(dest, fs)
	}
	if opts.ReadOnly {
		return ErrReadOnly
	}
	plain, err := decompress(rd)
	if err != nil {
		return err
	}
	defer plain.Close()
	x := &extractor{r: r, dest: dest, destfd: fd, opts: opts, cached: -1}
	defer x.dropCache()
	tr := tar.NewReader(plain)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		if err := x.entry(hdr, tr); err != nil {
			return err
		}
	}
	// Directory times last: extracting into a directory changes its mtime.
	for _, d := range x.dirs {
		if err := x.setTimes(d.name, d.hdr); err != nil {
			return err
		}
	}
	return nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

type extractor struct {
	r      *Root
	dest   string // the destination's container path, links resolved
	destfd int
	opts   ExtractOptions
	// The directory of the last entry: archives list a directory's files
	// together, so most entries need no walk.
	cachedName string
	cached     int
	dirs       []extractedDir
}

type extractedDir struct {
	name string // relative to dest
	hdr  *tar.Header
}

func (x *extractor) dropCache() {
	if x.cached >= 0 {
		unix.Close(x.cached)
	}
	x.cached, x.cachedName = -1, ""
}

// parent returns an O_PATH descriptor (owned by x) of the directory dir
// (clean, relative to dest) that will hold an entry, creating missing
// directories. A symbolic link on the way is followed as in the container,
// and must stay inside dest.
func (x *extractor) parent(dir string) (int, error) {
	if dir == "." {
		return x.destfd, nil
	}
	if x.cached >= 0 && x.cachedName == dir {
		return x.cached, nil
	}
	x.dropCache()
	fd, err := x.r.openBeneath(x.destfd, dir, unix.O_PATH|unix.O_DIRECTORY, true)
	if errors.Is(err, errSymlink) {
		var rel string
		if rel, err = x.inside(dir); err != nil {
			return -1, err
		}
		// Now free of links; one showing up means a concurrent change.
		fd, err = x.r.openBeneath(x.destfd, rel, unix.O_PATH|unix.O_DIRECTORY, true)
	}
	if err != nil {
		return -1, &os.PathError{Op: "mkdir", Path: path.Join(x.dest, dir), Err: err}
	}
	if fs, ok := kernelFS(fd); ok {
		unix.Close(fd)
		return -1, errKernelFS(path.Join(x.dest, dir), fs)
	}
	x.cached, x.cachedName = fd, dir
	return fd, nil
}

// inside resolves name (relative to dest) in the container and returns it
// relative to dest, or a *BreakoutError when it leads outside.
func (x *extractor) inside(name string) (string, error) {
	resolved, err := x.r.resolve(path.Join(x.dest, name))
	if err != nil {
		return "", err
	}
	if resolved == x.dest {
		return ".", nil
	}
	prefix := x.dest + "/"
	if x.dest == "/" {
		prefix = "/"
	}
	if !strings.HasPrefix(resolved, prefix) {
		return "", breakout("resolved parent %q escapes root %q", resolved, x.dest)
	}
	return strings.TrimPrefix(resolved, prefix), nil
}

func (x *extractor) entry(hdr *tar.Header, content io.Reader) error {
	// A leading "/" is ignored and names are cleaned, as in Docker.
	name := path.Clean(strings.TrimLeft(hdr.Name, "/"))
	if name == "." {
		return nil
	}
	if !filepath.IsLocal(name) {
		return breakout("invalid entry name %q", hdr.Name)
	}
	dir, base := path.Split(name)
	dirfd, err := x.parent(path.Clean(dir))
	if err != nil {
		return err
	}
	isDirEntry := hdr.Typeflag == tar.TypeDir
	var st unix.Stat_t
	switch err := fstatat(dirfd, base, &st); {
	case err == nil:
		if x.opts.NoOverwriteDirNonDir && isDir(&st) && !isDirEntry {
			return fmt.Errorf("cannot overwrite directory %q with non-directory %q", name, x.dest)
		}
		if x.opts.NoOverwriteDirNonDir && !isDir(&st) && isDirEntry {
			return fmt.Errorf("cannot overwrite non-directory %q with directory %q", name, x.dest)
		}
		if !isDir(&st) || !isDirEntry {
			if err := removeAllAt(dirfd, base); err != nil {
				return fmt.Errorf("remove %s: %w", path.Join(x.dest, name), err)
			}
			if dirfd != x.cached {
				// The cached directory may have been what was removed
				// (an entry "a" after "a/b/c"); its own child cannot be.
				x.dropCache()
			}
		}
	case err != unix.ENOENT:
		return &os.PathError{Op: "lstat", Path: path.Join(x.dest, name), Err: err}
	}
	return x.create(dirfd, base, name, hdr, content)
}

// create makes the entry base in dirfd and applies the archive's metadata.
func (x *extractor) create(dirfd int, base, name string, hdr *tar.Header, content io.Reader) error {
	mode := uint32(hdr.Mode & 0o7777)
	fail := func(op string, err error) error {
		return &os.PathError{Op: op, Path: path.Join(x.dest, name), Err: err}
	}
	// An open descriptor of a new directory or file, for its metadata.
	var f *os.File
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	var linkIsSymlink bool
	switch hdr.Typeflag {
	case tar.TypeDir:
		var st unix.Stat_t
		if fstatat(dirfd, base, &st) != nil {
			if err := unix.Mkdirat(dirfd, base, mode&0o777); err != nil {
				return fail("mkdir", err)
			}
		}
		fd, err := openat(dirfd, base, unix.O_RDONLY|unix.O_DIRECTORY)
		if err != nil {
			return fail("open", err)
		}
		f = os.NewFile(uintptr(fd), name)
	case tar.TypeReg:
		fd, err := unix.Openat(dirfd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, mode&0o777)
		if err != nil {
			return fail("open", err)
		}
		f = os.NewFile(uintptr(fd), name)
		if _, err := io.Copy(f, content); err != nil {
			return fail("write", err)
		}
	case tar.TypeSymlink:
		// The target is stored as it is: it only means something inside
		// the container, where it is resolved.
		if err := unix.Symlinkat(hdr.Linkname, dirfd, base); err != nil {
			return fail("symlink", err)
		}
	case tar.TypeLink:
		tdir, tbase, err := x.linkTarget(hdr.Linkname)
		if err != nil {
			return err
		}
		if tdir != x.destfd {
			defer unix.Close(tdir)
		}
		if err := unix.Linkat(tdir, tbase, dirfd, base, 0); err != nil {
			return fail("link", err)
		}
		var st unix.Stat_t
		linkIsSymlink = fstatat(dirfd, base, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		if hdr.Devmajor < 0 || hdr.Devmajor > math.MaxUint32 || hdr.Devminor < 0 || hdr.Devminor > math.MaxUint32 {
			return fmt.Errorf("device number %d:%d for %q out of range", hdr.Devmajor, hdr.Devminor, hdr.Name)
		}
		kind := map[byte]uint32{tar.TypeChar: unix.S_IFCHR, tar.TypeBlock: unix.S_IFBLK, tar.TypeFifo: unix.S_IFIFO}[hdr.Typeflag]
		err := unix.Mknodat(dirfd, base, mode|kind, int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))))
		if err == unix.EPERM && hdr.Typeflag != tar.TypeFifo {
			return nil // devices cannot be made in a user namespace; Docker skips them there
		}
		if err != nil {
			return fail("mknod", err)
		}
	default:
		return fmt.Errorf("unhandled tar header type %d", hdr.Typeflag)
	}

	uid, gid := hdr.Uid, hdr.Gid
	if x.opts.Owner != nil {
		uid, gid = x.opts.Owner.UID, x.opts.Owner.GID
	}
	fd := -1
	if f != nil {
		fd = int(f.Fd())
	}
	var err error
	if fd >= 0 {
		err = unix.Fchown(fd, uid, gid)
	} else {
		err = unix.Fchownat(dirfd, base, uid, gid, unix.AT_SYMLINK_NOFOLLOW)
	}
	if err != nil {
		return fmt.Errorf("failed to Lchown %q for UID %d, GID %d: %w", path.Join(x.dest, name), uid, gid, err)
	}
	if err := setXattrs(dirfd, base, fd, hdr); err != nil {
		return fail("lsetxattr", err)
	}
	// No mode for links (there is no lchmod); chown first, as it can clear
	// the set-id bits.
	if hdr.Typeflag != tar.TypeSymlink && !linkIsSymlink {
		if fd >= 0 {
			err = unix.Fchmod(fd, mode)
		} else {
			err = chmodNoFollow(dirfd, base, mode)
		}
		if err != nil {
			return fail("chmod", err)
		}
	}
	if hdr.Typeflag == tar.TypeDir {
		x.dirs = append(x.dirs, extractedDir{name: name, hdr: hdr})
		return nil
	}
	if linkIsSymlink {
		return nil
	}
	return utimes(dirfd, base, hdr)
}

// linkTarget resolves a hard link's target, a path relative to dest (a
// leading "/" is ignored), like the parent of an entry; it must exist.
func (x *extractor) linkTarget(linkname string) (dirfd int, base string, err error) {
	cleaned := path.Clean(strings.TrimLeft(linkname, "/"))
	if cleaned == "." || !filepath.IsLocal(cleaned) {
		return -1, "", breakout("invalid hardlink target %q", linkname)
	}
	dir, base := path.Split(cleaned)
	dir = path.Clean(dir)
	if dir == "." {
		return x.destfd, base, nil
	}
	fd, err := x.r.openBeneath(x.destfd, dir, unix.O_PATH|unix.O_DIRECTORY, false)
	if errors.Is(err, errSymlink) {
		var rel string
		if rel, err = x.inside(dir); err != nil {
			return -1, "", err
		}
		fd, err = x.r.openBeneath(x.destfd, rel, unix.O_PATH|unix.O_DIRECTORY, false)
	}
	if err != nil {
		return -1, "", &os.PathError{Op: "link", Path: path.Join(x.dest, cleaned), Err: err}
	}
	return fd, base, nil
}

// setTimes sets a directory's times once everything is extracted.
func (x *extractor) setTimes(name string, hdr *tar.Header) error {
	dir, base := path.Split(name)
	fd, err := x.r.openBeneath(x.destfd, path.Clean(dir), unix.O_PATH|unix.O_DIRECTORY, false)
	if err != nil {
		return &os.PathError{Op: "chtimes", Path: path.Join(x.dest, name), Err: err}
	}
	defer unix.Close(fd)
	return utimes(fd, base, hdr)
}

// utimes applies the archive's times to base in dirfd, never following a
// link: Docker's bounds (nothing before 1970), and an access time no older
// than the modification time.
func utimes(dirfd int, base string, hdr *tar.Header) error {
	bound := func(t time.Time) time.Time {
		if t.Before(time.Unix(0, 0)) {
			return time.Unix(0, 0)
		}
		return t
	}
	mtime := bound(hdr.ModTime)
	atime := bound(hdr.AccessTime)
	if atime.Before(mtime) {
		atime = mtime
	}
	ts := []unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	if err := unix.UtimesNanoAt(dirfd, base, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "chtimes", Path: base, Err: err}
	}
	return nil
}

// setXattrs applies the archive's extended attributes (PAX
// SCHILY.xattr.*); the file system may refuse some (EPERM), as Docker
// tolerates.
func setXattrs(dirfd int, base string, fd int, hdr *tar.Header) error {
	for key, value := range hdr.PAXRecords {
		attr, ok := strings.CutPrefix(key, "SCHILY.xattr.")
		if !ok {
			continue
		}
		var err error
		if fd >= 0 {
			err = unix.Fsetxattr(fd, attr, []byte(value), 0)
		} else {
			// The directory is pinned by its descriptor; the last
			// component is not followed.
			err = unix.Lsetxattr("/proc/self/fd/"+strconv.Itoa(dirfd)+"/"+base, attr, []byte(value), 0)
		}
		if err != nil && err != unix.EPERM {
			return err
		}
	}
	return nil
}

// chmodNoFollow changes the mode of a non-directory, non-regular entry
// without following a link that might have been swapped in.
func chmodNoFollow(dirfd int, name string, mode uint32) error {
	err := unix.Fchmodat(dirfd, name, mode, unix.AT_SYMLINK_NOFOLLOW)
	if err != unix.EOPNOTSUPP {
		return err
	}
	// A kernel before fchmodat2 (6.6): through an O_PATH descriptor.
	fd, err := unix.Openat(dirfd, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return nil
	}
	return unix.Chmod("/proc/self/fd/"+strconv.Itoa(fd), mode)
}

// removeAllAt removes name in dirfd and, for a directory, all it holds,
// never following a link.
func removeAllAt(dirfd int, name string) error {
	err := unix.Unlinkat(dirfd, name, 0)
	if err == nil || err == unix.ENOENT {
		return nil
	}
	if err != unix.EISDIR && err != unix.EPERM {
		return err
	}
	fd, err := openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), name)
	names, err := f.Readdirnames(-1)
	if err == nil {
		for _, n := range names {
			if err = removeAllAt(fd, n); err != nil {
				break
			}
		}
	}
	f.Close()
	if err != nil {
		return err
	}
	return unix.Unlinkat(dirfd, name, unix.AT_REMOVEDIR)
}
