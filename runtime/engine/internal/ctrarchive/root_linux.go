package ctrarchive

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"
	"golang.org/x/sys/unix"
)

// Root is a container's root directory. Its methods are not safe for
// concurrent use, and must run on the goroutine that sees the root's mounts
// (linux.WithRootfs).
type Root struct {
	fd int // O_PATH directory
}

// Open opens the directory at dir (a host path) as a container's root.
func Open(dir string) (*Root, error) {
	return OpenAt(unix.AT_FDCWD, dir)
}

// OpenAt opens name relative to the directory dirfd as a container's root,
// following symbolic links: for "root" in a /proc/PID directory, the
// root of that process.
func OpenAt(dirfd int, name string) (*Root, error) {
	fd, err := unix.Openat(dirfd, name, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	return &Root{fd: fd}, nil
}

// Close releases the root.
func (r *Root) Close() error {
	if r.fd < 0 {
		return nil
	}
	err := unix.Close(r.fd)
	r.fd = -1
	return err
}

// resolve follows every symbolic link in the container path p as the
// container would, with the root as "/"; missing components are kept as
// they are. The result is clean and absolute.
func (r *Root) resolve(p string) (string, error) {
	return securejoin.SecureJoinVFS("/", p, rootVFS{r})
}

// rootVFS lets securejoin read links relative to the root's descriptor.
type rootVFS struct{ r *Root }

func (v rootVFS) Lstat(name string) (os.FileInfo, error) {
	name = path.Clean("/" + name)
	st, err := v.r.lstat(name)
	if err != nil {
		return nil, err
	}
	return &fileInfo{name: path.Base(name), st: st}, nil
}

func (v rootVFS) Readlink(name string) (string, error) {
	name = path.Clean("/" + name)
	dir, base := path.Split(name)
	fd, err := v.r.openDir(dir)
	if err != nil {
		return "", err
	}
	defer unix.Close(fd)
	return readlinkat(fd, base)
}

// lstat stats the clean container path p without following a final
// symbolic link (nor any on the way: those are an error).
func (r *Root) lstat(p string) (unix.Stat_t, error) {
	var st unix.Stat_t
	if p == "/" {
		return st, unix.Fstat(r.fd, &st)
	}
	dir, base := path.Split(p)
	fd, err := r.openDir(dir)
	if err != nil {
		return st, err
	}
	defer unix.Close(fd)
	return st, fstatat(fd, base, &st)
}

// openDir opens the directory at the clean container path p as O_PATH.
func (r *Root) openDir(p string) (int, error) {
	return r.openBeneath(r.fd, strings.TrimPrefix(path.Clean("/"+p), "/"), unix.O_PATH|unix.O_DIRECTORY, false)
}

// openBeneath opens rel (clean, relative; "" is dirfd itself) below dirfd
// with flags for its last component, walking one component at a time
// without following symbolic links, so it never leaves dirfd's tree. With
// mkdir, missing directories on the way (and rel itself, if flags ask for a
// directory) are created with mode 0755, as Docker creates the parents an
// archive implies.
func (r *Root) openBeneath(dirfd int, rel string, flags int, mkdir bool) (int, error) {
	cur, err := unix.FcntlInt(uintptr(dirfd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	if rel == "" || rel == "." {
		if flags&unix.O_PATH != 0 {
			return cur, nil
		}
		defer unix.Close(cur)
		return openat(cur, ".", flags)
	}
	parts := strings.Split(rel, "/")
	for i, part := range parts {
		last := i == len(parts)-1
		fl := unix.O_PATH | unix.O_DIRECTORY
		if last {
			fl = flags
		}
		next, err := openat(cur, part, fl)
		if errors.Is(err, unix.ENOENT) && mkdir && (!last || flags&unix.O_DIRECTORY != 0) {
			if err = mkdirImplied(cur, part); err == nil {
				next, err = openat(cur, part, fl)
			}
		}
		unix.Close(cur)
		if err != nil {
			return -1, err
		}
		cur = next
	}
	return cur, nil
}

// openat opens name in dirfd without following a symbolic link there; a
// link where a directory is wanted is errSymlink.
func openat(dirfd int, name string, flags int) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, name, flags|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err == unix.EINTR {
			continue
		}
		if err == unix.ENOTDIR || err == unix.ELOOP {
			var st unix.Stat_t
			if fstatat(dirfd, name, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
				return -1, errSymlink
			}
		}
		return fd, err
	}
}

// mkdirImplied creates a directory an archive entry implies, with Docker's
// mode for those whatever the umask.
func mkdirImplied(dirfd int, name string) error {
	if err := unix.Mkdirat(dirfd, name, 0o755); err != nil && err != unix.EEXIST {
		return err
	}
	fd, err := openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.Fchmod(fd, 0o755)
}

func fstatat(dirfd int, name string, st *unix.Stat_t) error {
	for {
		err := unix.Fstatat(dirfd, name, st, unix.AT_SYMLINK_NOFOLLOW)
		if err != unix.EINTR {
			return err
		}
	}
}

func readlinkat(dirfd int, name string) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(dirfd, name, buf)
		if err != nil {
			return "", err
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}

// kernelFS names the kernel file system (proc, sysfs, ...) that fd is on;
// ok is false for ordinary file systems. Only a running container's root
// has them: Docker's view of a container never shows what is in them.
func kernelFS(fd int) (name string, ok bool) {
	var s unix.Statfs_t
	if unix.Fstatfs(fd, &s) != nil {
		return "", false
	}
	name, ok = kernelFSTypes[int64(s.Type)]
	return name, ok
}

// Magic numbers x/sys/unix does not name (linux/magic.h).
const (
	mqueueMagic   = 0x19800202
	configfsMagic = 0x62656570
	fusectlMagic  = 0x65735543
)

var kernelFSTypes = map[int64]string{
	unix.PROC_SUPER_MAGIC:    "proc",
	unix.SYSFS_MAGIC:         "sysfs",
	unix.CGROUP_SUPER_MAGIC:  "cgroup",
	unix.CGROUP2_SUPER_MAGIC: "cgroup2",
	unix.DEVPTS_SUPER_MAGIC:  "devpts",
	mqueueMagic:              "mqueue",
	unix.SECURITYFS_MAGIC:    "securityfs",
	unix.DEBUGFS_MAGIC:       "debugfs",
	unix.TRACEFS_MAGIC:       "tracefs",
	unix.BPF_FS_MAGIC:        "bpf",
	unix.PSTOREFS_MAGIC:      "pstore",
	unix.EFIVARFS_MAGIC:      "efivarfs",
	configfsMagic:            "configfs",
	fusectlMagic:             "fusectl",
	unix.SELINUX_MAGIC:       "selinuxfs",
	unix.BINFMTFS_MAGIC:      "binfmt_misc",
	unix.NSFS_MAGIC:          "nsfs",
}

// fileMode is the os.FileMode of a stat_t mode, as os.Lstat makes it.
func fileMode(mode uint32) fs.FileMode {
	m := fs.FileMode(mode & 0o777)
	switch mode & unix.S_IFMT {
	case unix.S_IFBLK:
		m |= fs.ModeDevice
	case unix.S_IFCHR:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFDIR:
		m |= fs.ModeDir
	case unix.S_IFIFO:
		m |= fs.ModeNamedPipe
	case unix.S_IFLNK:
		m |= fs.ModeSymlink
	case unix.S_IFSOCK:
		m |= fs.ModeSocket
	}
	if mode&unix.S_ISGID != 0 {
		m |= fs.ModeSetgid
	}
	if mode&unix.S_ISUID != 0 {
		m |= fs.ModeSetuid
	}
	if mode&unix.S_ISVTX != 0 {
		m |= fs.ModeSticky
	}
	return m
}

func mtime(st *unix.Stat_t) time.Time { return time.Unix(st.Mtim.Sec, st.Mtim.Nsec) }

func isDir(st *unix.Stat_t) bool { return st.Mode&unix.S_IFMT == unix.S_IFDIR }

// fileInfo is an os.FileInfo of a stat_t.
type fileInfo struct {
	name string
	st   unix.Stat_t
}

func (fi *fileInfo) Name() string       { return fi.name }
func (fi *fileInfo) Size() int64        { return fi.st.Size }
func (fi *fileInfo) Mode() fs.FileMode  { return fileMode(fi.st.Mode) }
func (fi *fileInfo) ModTime() time.Time { return mtime(&fi.st) }
func (fi *fileInfo) IsDir() bool        { return isDir(&fi.st) }
func (fi *fileInfo) Sys() any           { return &fi.st }
