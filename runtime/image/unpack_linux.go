package image

import (
	"archive/tar"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// overlayOpaque is the xattr overlayfs reads to hide lower layers below a
// directory; an unprivileged user (rootless, overlay mounted with
// "userxattr") cannot set trusted.* names and gets the user.* one.
const (
	overlayOpaque     = "trusted.overlay.opaque"
	overlayOpaqueUser = "user.overlay.opaque"
)

// hostRoot reports whether this process is root on the host, not just in
// a user namespace (a rootless engine is uid 0 in its own): only host root
// can make devices, set trusted.* xattrs and give files any owner.
var hostRoot = sync.OnceValue(func() bool {
	if os.Geteuid() != 0 {
		return false
	}
	b, err := os.ReadFile("/proc/self/uid_map")
	return err != nil || strings.Join(strings.Fields(string(b)), " ") == "0 0 4294967295"
})

// makeWhiteout creates the overlayfs whiteout for name: a 0:0 character
// device (which Linux 5.8+ lets unprivileged users make too).
func makeWhiteout(root *os.Root, name string) error {
	dir, base := path.Split(name)
	return mknodIn(root, dir, base, unix.S_IFCHR, 0)
}

// setOpaque marks dir opaque for overlayfs.
func setOpaque(root *os.Root, dir string) error {
	d, err := root.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	err = unix.Fsetxattr(int(d.Fd()), overlayOpaque, []byte("y"), 0)
	if err == unix.EPERM && !hostRoot() {
		err = unix.Fsetxattr(int(d.Fd()), overlayOpaqueUser, []byte("y"), 0)
	}
	if err != nil {
		return &fs.PathError{Op: "setxattr", Path: dir, Err: err}
	}
	return nil
}

// makeDevice creates a device node or fifo from a tar header.
func makeDevice(root *os.Root, name string, hdr *tar.Header) error {
	mode := uint32(hdr.Mode & 0o7777)
	switch hdr.Typeflag {
	case tar.TypeChar:
		mode |= unix.S_IFCHR
	case tar.TypeBlock:
		mode |= unix.S_IFBLK
	case tar.TypeFifo:
		mode |= unix.S_IFIFO
	}
	dir, base := path.Split(name)
	return mknodIn(root, dir, base, mode, int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))))
}

// mknodIn makes a node relative to a directory opened through root, so the
// path cannot leave it.
func mknodIn(root *os.Root, dir, base string, mode uint32, dev int) error {
	if dir = strings.TrimSuffix(dir, "/"); dir == "" {
		dir = "."
	}
	d, err := root.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := unix.Mknodat(int(d.Fd()), base, mode, dev); err != nil {
		return &fs.PathError{Op: "mknod", Path: path.Join(dir, base), Err: err}
	}
	return nil
}

// setXattrs applies the SCHILY.xattr.* records of a tar entry to f.
// Unprivileged users cannot set trusted.* or security.* names; those are
// skipped then, as Docker rootless does.
func setXattrs(f *os.File, pax map[string]string) error {
	for k, v := range pax {
		name, ok := strings.CutPrefix(k, "SCHILY.xattr.")
		if !ok {
			continue
		}
		if err := unix.Fsetxattr(int(f.Fd()), name, []byte(v), 0); err != nil {
			if !hostRoot() && (err == unix.EPERM || err == unix.ENOTSUP) {
				continue
			}
			return &fs.PathError{Op: "setxattr " + name, Path: f.Name(), Err: err}
		}
	}
	return nil
}

func inodeOf(fi fs.FileInfo) (uint64, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return st.Ino, true
}
