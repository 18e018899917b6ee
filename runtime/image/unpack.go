package image

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Whiteout names of the layer tar format: ".wh.<name>" deletes <name> from
// the layers below; ".wh..wh..opq" in a directory hides everything below it.
const (
	whiteoutPrefix = ".wh."
	whiteoutOpaque = ".wh..wh..opq"
)

// cleanName turns a tar entry name into a relative path inside the layer.
// Like Docker's unpacking (which runs chrooted), ".." cannot climb above the
// root: "../etc/x" is "etc/x". "" means the root itself.
func cleanName(name string) string {
	return strings.TrimPrefix(path.Clean("/"+name), "/")
}

// unpackTar extracts a layer tar into dir for use as an overlayfs lower
// layer: whiteouts become overlay whiteouts (0:0 character devices) and
// opaque markers the trusted.overlay.opaque xattr. Every file operation goes
// through an os.Root, so no entry or symlink can write outside dir.
func unpackTar(dir string, r io.Reader) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	privileged := hostRoot()
	type dirTime struct {
		name  string
		mtime time.Time
	}
	var dirTimes []dirTime
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		name := cleanName(hdr.Name)
		parent, base := path.Split(name)
		parent = strings.TrimSuffix(parent, "/")
		if parent == "" {
			parent = "."
		}
		if name != "" && parent != "." {
			if err := root.MkdirAll(parent, 0o755); err != nil {
				return err
			}
		}
		if strings.HasPrefix(base, whiteoutPrefix) {
			if base == whiteoutOpaque {
				err = setOpaque(root, parent)
			} else {
				err = makeWhiteout(root, path.Join(parent, strings.TrimPrefix(base, whiteoutPrefix)))
			}
			if err != nil {
				return fmt.Errorf("whiteout %s: %w", hdr.Name, err)
			}
			continue
		}
		if name == "" {
			name = "."
		}
		if fi, err := root.Lstat(name); err == nil {
			if !(fi.IsDir() && hdr.Typeflag == tar.TypeDir) && name != "." {
				if err := root.RemoveAll(name); err != nil {
					return err
				}
			}
		}
		mode := fs.FileMode(hdr.Mode) & fs.ModePerm
		switch hdr.Typeflag {
		case tar.TypeDir:
			if name != "." {
				if err := root.Mkdir(name, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
					return err
				}
			}
			dirTimes = append(dirTimes, dirTime{name, hdr.ModTime})
		case tar.TypeReg, tar.TypeRegA:
			f, err := root.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if err == nil {
				err = setXattrs(f, hdr.PAXRecords)
			}
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		case tar.TypeSymlink:
			if err := root.Symlink(hdr.Linkname, name); err != nil {
				return err
			}
		case tar.TypeLink:
			if err := root.Link(cleanName(hdr.Linkname), name); err != nil {
				return err
			}
			continue // a hard link shares the target's inode, owner and mode
		case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
			if err := makeDevice(root, name, hdr); err != nil {
				if privileged {
					return err
				}
				continue // an unprivileged user cannot make devices; Docker rootless skips them too
			}
		case tar.TypeXGlobalHeader:
			continue
		default:
			return fmt.Errorf("unhandled tar header type %d for %s", hdr.Typeflag, hdr.Name)
		}
		if err := root.Lchown(name, hdr.Uid, hdr.Gid); err != nil && privileged {
			return err
		}
		if hdr.Typeflag == tar.TypeSymlink {
			continue
		}
		if err := root.Chmod(name, mode|specialBits(hdr.Mode)); err != nil {
			return err
		}
		if hdr.Typeflag != tar.TypeDir {
			if err := root.Chtimes(name, hdr.AccessTime, hdr.ModTime); err != nil {
				return err
			}
		}
	}
	// Directory times last: creating entries inside changed them.
	for i := len(dirTimes) - 1; i >= 0; i-- {
		if err := root.Chtimes(dirTimes[i].name, dirTimes[i].mtime, dirTimes[i].mtime); err != nil {
			return err
		}
	}
	return nil
}

// specialBits converts the tar mode's setuid, setgid and sticky bits.
func specialBits(m int64) fs.FileMode {
	var out fs.FileMode
	if m&0o4000 != 0 {
		out |= fs.ModeSetuid
	}
	if m&0o2000 != 0 {
		out |= fs.ModeSetgid
	}
	if m&0o1000 != 0 {
		out |= fs.ModeSticky
	}
	return out
}

// diskSize counts a layer directory's size the way Docker's overlay2 driver
// does: the apparent size of every non-directory entry, hard links once.
func diskSize(dir string) (int64, error) {
	var size int64
	seen := map[uint64]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if fi.Size() == 0 {
			return nil
		}
		if ino, ok := inodeOf(fi); ok {
			if seen[ino] {
				return nil
			}
			seen[ino] = true
		}
		size += fi.Size()
		return nil
	})
	return size, err
}
