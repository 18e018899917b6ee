package ctrarchive

import (
	"archive/tar"
	"io"
	"os"
	"path"
	"sort"
	"time"

	"github.com/moby/moby/api/types/container"
	"golang.org/x/sys/unix"
)

// Archive writes to w the tar archive of the container path p that Docker's
// GET /containers/{id}/archive sends: a file, link or device as one entry
// named after p's last element, a directory with everything below it (links
// not followed), its entries under p's last element ("etc/passwd" for
// "/etc", "./passwd" for "/etc/.", "/etc/passwd" for "/").
//
// onStat gets p's stat (as Stat) before anything is written; an error from
// it ends Archive. After that only writing to w fails Archive: a file that
// cannot be read or vanishes is left out (a file that shrinks is padded with
// zeros), as Docker does, so the archive stays well formed. The content of
// kernel file systems (a running container's /proc, /sys) is left out, as
// Docker's view of a container does not have it.
//
// Like modern Docker, entries carry no user or group names and their mode
// no file type bits (Docker 20.10 added both).
func (r *Root) Archive(p string, w io.Writer, onStat func(container.PathStat) error) error {
	abs := absPath(p)
	t, err := r.lookup(abs)
	if err != nil {
		return err
	}
	defer t.close()
	st, err := r.pathStat(abs, t)
	if err != nil {
		return err
	}
	if err := onStat(st); err != nil {
		return err
	}
	a := &archiver{tw: tar.NewWriter(w), links: map[fileID]string{}}
	name := path.Base(abs)
	if name == "/" {
		// The root's entries are "/", "/bin/", ... rather than "//bin/".
		name = ""
	}
	if isDir(&t.st) {
		fd, err := t.open(r, unix.O_RDONLY|unix.O_DIRECTORY)
		if err != nil {
			return &os.PathError{Op: "open", Path: abs, Err: err}
		}
		err = a.dir(fd, name+"/", &t.st)
	} else {
		err = a.entry(t.dir, t.name, name, &t.st)
	}
	if err != nil {
		return err
	}
	return a.tw.Close()
}

type fileID struct{ dev, ino uint64 }

type archiver struct {
	tw    *tar.Writer
	links map[fileID]string // first entry of each multiply linked file
}

func header(name string, st *unix.Stat_t) *tar.Header {
	return &tar.Header{
		Name:    name,
		Mode:    int64(st.Mode & 0o7777),
		Uid:     int(st.Uid),
		Gid:     int(st.Gid),
		ModTime: time.Unix(st.Mtim.Sec, 0),
		Format:  tar.FormatPAX,
	}
}

// dir adds the directory open as fd (which it closes) as name (ending in
// "/") and, in name order, what it holds.
func (a *archiver) dir(fd int, name string, st *unix.Stat_t) error {
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	hdr := header(name, st)
	hdr.Typeflag = tar.TypeDir
	if err := a.tw.WriteHeader(hdr); err != nil {
		return err
	}
	if _, ok := kernelFS(fd); ok {
		return nil
	}
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil
	}
	sort.Strings(names)
	for _, n := range names {
		var cst unix.Stat_t
		if fstatat(fd, n, &cst) != nil {
			continue
		}
		if !isDir(&cst) {
			if err := a.entry(fd, n, name+n, &cst); err != nil {
				return err
			}
			continue
		}
		cfd, err := openat(fd, n, unix.O_RDONLY|unix.O_DIRECTORY)
		if err != nil {
			continue
		}
		if unix.Fstat(cfd, &cst) != nil {
			unix.Close(cfd)
			continue
		}
		if err := a.dir(cfd, name+n+"/", &cst); err != nil {
			return err
		}
	}
	return nil
}

// entry adds the non-directory name in dirfd as tarName.
func (a *archiver) entry(dirfd int, name, tarName string, st *unix.Stat_t) error {
	hdr := header(tarName, st)
	var f *os.File
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		fd, err := openat(dirfd, name, unix.O_RDONLY|unix.O_NONBLOCK)
		if err != nil {
			return nil
		}
		f = os.NewFile(uintptr(fd), tarName)
		defer f.Close()
		// The open file is what gets archived, whatever the listing saw.
		if unix.Fstat(fd, st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
			return nil
		}
		hdr = header(tarName, st)
		hdr.Typeflag = tar.TypeReg
		hdr.Size = st.Size
		if c := fileCapability(fd); c != "" {
			hdr.PAXRecords = map[string]string{"SCHILY.xattr.security.capability": c}
		}
	case unix.S_IFLNK:
		link, err := readlinkat(dirfd, name)
		if err != nil {
			return nil
		}
		hdr.Typeflag = tar.TypeSymlink
		hdr.Linkname = link
	case unix.S_IFCHR, unix.S_IFBLK:
		hdr.Typeflag = tar.TypeChar
		if st.Mode&unix.S_IFMT == unix.S_IFBLK {
			hdr.Typeflag = tar.TypeBlock
		}
		hdr.Devmajor = int64(unix.Major(st.Rdev))
		hdr.Devminor = int64(unix.Minor(st.Rdev))
	case unix.S_IFIFO:
		hdr.Typeflag = tar.TypeFifo
	default:
		return nil // a socket: tar has no entry type for it, Docker leaves it out too
	}
	if st.Nlink > 1 {
		id := fileID{st.Dev, st.Ino}
		if first, ok := a.links[id]; ok {
			hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
			hdr.PAXRecords = nil
			f = nil
		} else {
			a.links[id] = tarName
		}
	}
	if err := a.tw.WriteHeader(hdr); err != nil {
		return err
	}
	if f == nil || hdr.Size == 0 {
		return nil
	}
	return copyPadded(a.tw, f, hdr.Size)
}

// fileCapability is a file's security.capability attribute, as Docker
// archives it: a version 3 one (with a namespace root id) as version 2.
func fileCapability(fd int) string {
	buf := make([]byte, 64)
	n, err := unix.Fgetxattr(fd, "security.capability", buf)
	if err != nil || n < 4 {
		return ""
	}
	c := buf[:n]
	const revision2, revision3, sizeV2 = 2, 3, 20
	if c[3] == revision3 && n >= sizeV2 {
		c[3] = revision2
		c = c[:sizeV2]
	}
	return string(c)
}

// copyPadded copies exactly n bytes of r to w, with zeros for what r does
// not have any more; only w's errors are returned.
func copyPadded(w io.Writer, r io.Reader, n int64) error {
	tw := &trackingWriter{w: w}
	copied, _ := io.CopyN(tw, r, n)
	if tw.err != nil {
		return tw.err
	}
	if copied < n {
		if _, err := io.CopyN(w, zeros{}, n-copied); err != nil {
			return err
		}
	}
	return nil
}

type trackingWriter struct {
	w   io.Writer
	err error
}

func (t *trackingWriter) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	if err != nil {
		t.err = err
	}
	return n, err
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
