package dockercli

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// This file implements the client side of `docker cp`: which tar entries
// to send or expect, and how their names are rebased so that the copy
// lands where docker cp's documented rules say (into an existing
// directory, onto a new name, "dir/." meaning the directory's content).

var (
	errNotDirectory  = errors.New("not a directory")
	errDirNotExists  = errors.New("no such directory")
	errCannotCopyDir = errors.New("cannot copy directory")
)

// copyInfo describes one end of a copy.
type copyInfo struct {
	Path       string
	Exists     bool
	IsDir      bool
	RebaseName string
}

func hasTrailingSeparator(p string) bool { return len(p) > 0 && p[len(p)-1] == filepath.Separator }

func specifiesCurrentDir(p string) bool { return filepath.Base(p) == "." }

func assertsDirectory(p string) bool { return hasTrailingSeparator(p) || specifiesCurrentDir(p) }

// preserveTrailingDotOrSeparator re-adds the "/." or "/" that cleaning
// removed from original.
func preserveTrailingDotOrSeparator(cleaned, original string) string {
	if !specifiesCurrentDir(cleaned) && specifiesCurrentDir(original) {
		if !hasTrailingSeparator(cleaned) {
			cleaned += string(filepath.Separator)
		}
		cleaned += "."
	}
	if !hasTrailingSeparator(cleaned) && hasTrailingSeparator(original) {
		cleaned += string(filepath.Separator)
	}
	return cleaned
}

// splitPathDirEntry splits a path into parent directory and base, where
// "a/b/." has the base ".".
func splitPathDirEntry(p string) (dir, base string) {
	cleaned := filepath.Clean(filepath.FromSlash(p))
	if specifiesCurrentDir(p) {
		cleaned += string(filepath.Separator) + "."
	}
	return filepath.Dir(cleaned), filepath.Base(cleaned)
}

// getRebaseName keeps the user's name for a followed symlink: copying
// link -> target must produce an entry named like the link.
func getRebaseName(p, resolved string) (string, string) {
	var rebase string
	if specifiesCurrentDir(p) && !specifiesCurrentDir(resolved) {
		resolved += string(filepath.Separator) + "."
	}
	if hasTrailingSeparator(p) && !hasTrailingSeparator(resolved) {
		resolved += string(filepath.Separator)
	}
	if filepath.Base(p) != filepath.Base(resolved) {
		rebase = filepath.Base(p)
	}
	return resolved, rebase
}

// copyInfoSourcePath stats a local copy source, following a final symlink
// only with -L.
func copyInfoSourcePath(p string, followLink bool) (copyInfo, error) {
	var resolved, rebase string
	if followLink {
		r, err := filepath.EvalSymlinks(p)
		if err != nil {
			return copyInfo{}, err
		}
		resolved, rebase = getRebaseName(p, r)
	} else {
		dir, base := filepath.Split(p)
		rdir, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return copyInfo{}, err
		}
		resolved = rdir + string(filepath.Separator) + base
		if hasTrailingSeparator(p) && filepath.Base(p) != filepath.Base(resolved) {
			rebase = filepath.Base(p)
		}
	}
	st, err := os.Lstat(resolved)
	if err != nil {
		return copyInfo{}, err
	}
	return copyInfo{Path: resolved, Exists: true, IsDir: st.IsDir(), RebaseName: rebase}, nil
}

// tarResource streams a tar of the source, its entries named after the
// source's base name (or its rebase name), including the directory
// itself.
func tarResource(src copyInfo) (io.ReadCloser, error) {
	if _, err := os.Lstat(src.Path); err != nil {
		return nil, err
	}
	dir, base := splitPathDirEntry(src.Path)
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(writeTar(pw, dir, base, src.RebaseName))
	}()
	return pr, nil
}

func writeTar(w io.Writer, dir, base, rebase string) error {
	tw := tar.NewWriter(w)
	seenInodes := map[uint64]string{}
	root := filepath.Join(dir, base)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if base == "." && rel != "." {
			rel = "." + string(filepath.Separator) + rel
		}
		if rebase != "" {
			replacement := rebase
			if rebase == string(filepath.Separator) {
				replacement = ""
			}
			rel = strings.Replace(rel, base, replacement, 1)
		}
		return addTarEntry(tw, p, rel, seenInodes)
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

func addTarEntry(tw *tar.Writer, path, name string, seen map[uint64]string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	var link string
	if fi.Mode()&os.ModeSymlink != 0 {
		if link, err = os.Readlink(path); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return err
	}
	hdr.Uname, hdr.Gname = "", ""
	hdr.Format = tar.FormatPAX
	hdr.ModTime = hdr.ModTime.Truncate(time.Second)
	hdr.AccessTime, hdr.ChangeTime = time.Time{}, time.Time{}
	name = filepath.ToSlash(name)
	if fi.IsDir() && !strings.HasSuffix(name, "/") {
		name += "/"
	}
	hdr.Name = name
	if ino, links, ok := inodeOf(fi); ok && !fi.IsDir() && links > 1 {
		if old, ok := seen[ino]; ok {
			hdr.Typeflag = tar.TypeLink
			hdr.Linkname = old
			hdr.Size = 0
		} else {
			seen[ino] = name
		}
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if hdr.Typeflag != tar.TypeReg || hdr.Size == 0 {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(tw, f)
	return err
}

// prepareArchiveCopy decides where the archive is extracted and renames
// its top entry when the destination names the copy: into an existing
// directory unchanged; onto a new or existing file name, or a new
// directory name, renamed.
func prepareArchiveCopy(src io.Reader, srcInfo, dstInfo copyInfo) (string, io.ReadCloser, error) {
	dstDir, dstBase := splitPathDirEntry(dstInfo.Path)
	_, srcBase := splitPathDirEntry(srcInfo.Path)
	if srcInfo.RebaseName != "" {
		srcBase = srcInfo.RebaseName
	}
	switch {
	case dstInfo.Exists && dstInfo.IsDir:
		return dstInfo.Path, io.NopCloser(src), nil
	case dstInfo.Exists && srcInfo.IsDir:
		return "", nil, errCannotCopyDir
	case dstInfo.Exists, srcInfo.IsDir:
		return dstDir, rebaseArchiveEntries(src, srcBase, dstBase), nil
	case assertsDirectory(dstInfo.Path):
		return "", nil, errDirNotExists
	default:
		return dstDir, rebaseArchiveEntries(src, srcBase, dstBase), nil
	}
}

// rebaseArchiveEntries renames the leading oldBase of every entry to
// newBase.
func rebaseArchiveEntries(src io.Reader, oldBase, newBase string) io.ReadCloser {
	if oldBase == string(filepath.Separator) {
		oldBase = ""
	}
	pr, pw := io.Pipe()
	go func() {
		tr := tar.NewReader(src)
		tw := tar.NewWriter(pw)
		for {
			hdr, err := tr.Next()
			if errors.Is(err, io.EOF) {
				pw.CloseWithError(tw.Close())
				return
			}
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			hdr.Format = tar.FormatPAX
			hdr.Name = strings.Replace(hdr.Name, oldBase, newBase, 1)
			if hdr.Typeflag == tar.TypeLink {
				hdr.Linkname = strings.Replace(hdr.Linkname, oldBase, newBase, 1)
			}
			if err := tw.WriteHeader(hdr); err != nil {
				pw.CloseWithError(err)
				return
			}
			if _, err := io.Copy(tw, tr); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
	}()
	return pr
}

// copyInfoDestinationPath stats a local destination, following symlinks
// (at most 10); a missing destination is fine when its parent directory
// exists.
func copyInfoDestinationPath(p string) (copyInfo, error) {
	orig := p
	st, err := os.Lstat(p)
	if err == nil && st.Mode()&os.ModeSymlink == 0 {
		return copyInfo{Path: p, Exists: true, IsDir: st.IsDir()}, nil
	}
	for n := 0; err == nil && st.Mode()&os.ModeSymlink != 0; n++ {
		if n > 10 {
			return copyInfo{}, errors.New("too many symlinks in " + orig)
		}
		target, rerr := os.Readlink(p)
		if rerr != nil {
			return copyInfo{}, rerr
		}
		if !filepath.IsAbs(target) {
			parent, _ := splitPathDirEntry(p)
			target = filepath.Join(parent, target)
		}
		p = target
		st, err = os.Lstat(p)
	}
	if err != nil {
		if !os.IsNotExist(err) {
			return copyInfo{}, err
		}
		parent, _ := splitPathDirEntry(p)
		pst, err := os.Stat(parent)
		if err != nil {
			return copyInfo{}, err
		}
		if !pst.IsDir() {
			return copyInfo{}, errNotDirectory
		}
		return copyInfo{Path: p}, nil
	}
	return copyInfo{Path: p, Exists: true, IsDir: st.IsDir()}, nil
}

// copyTo extracts a container archive to a local destination.
func copyTo(content io.Reader, srcInfo copyInfo, dst string) error {
	dstInfo, err := copyInfoDestinationPath(dst)
	if err != nil {
		return err
	}
	dstDir, archive, err := prepareArchiveCopy(content, srcInfo, dstInfo)
	if err != nil {
		return err
	}
	defer archive.Close()
	return untar(archive, dstDir)
}

// untar extracts into dest without changing ownership and without
// replacing a directory by a file or a file by a directory; entries that
// would land outside dest are refused.
func untar(r io.Reader, dest string) error {
	tr := tar.NewReader(r)
	var dirs []*tar.Header
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(filepath.FromSlash(hdr.Name))
		if name == "." || name == string(filepath.Separator) {
			continue
		}
		path := filepath.Join(dest, name)
		rel, err := filepath.Rel(dest, path)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return fmt.Errorf("%q is outside of %q", hdr.Name, dest)
		}
		if parent := filepath.Dir(path); parent != dest {
			if _, err := os.Lstat(parent); os.IsNotExist(err) {
				if err := os.MkdirAll(parent, 0o755); err != nil {
					return err
				}
			}
		}
		if fi, err := os.Lstat(path); err == nil {
			switch {
			case fi.IsDir() && hdr.Typeflag != tar.TypeDir:
				return fmt.Errorf("cannot overwrite directory %q with non-directory %q", path, hdr.Name)
			case !fi.IsDir() && hdr.Typeflag == tar.TypeDir:
				return fmt.Errorf("cannot overwrite non-directory %q with directory %q", path, hdr.Name)
			case !fi.IsDir():
				if err := os.Remove(path); err != nil {
					return err
				}
			}
		}
		if err := createFromTar(path, dest, hdr, tr); err != nil {
			return err
		}
		if hdr.Typeflag == tar.TypeDir {
			dirs = append(dirs, hdr)
		}
	}
	// Directory times last: extracting their content changed them.
	for _, hdr := range dirs {
		p := filepath.Join(dest, filepath.Clean(filepath.FromSlash(hdr.Name)))
		_ = os.Chtimes(p, hdr.ModTime, hdr.ModTime)
	}
	return nil
}

func createFromTar(path, dest string, hdr *tar.Header, r io.Reader) error {
	mode := hdr.FileInfo().Mode()
	switch hdr.Typeflag {
	case tar.TypeDir:
		if fi, err := os.Lstat(path); err != nil || !fi.IsDir() {
			if err := os.Mkdir(path, mode.Perm()); err != nil {
				return err
			}
		}
	case tar.TypeReg:
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode.Perm())
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, r); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	case tar.TypeLink:
		target := filepath.Join(dest, filepath.Clean(filepath.FromSlash(hdr.Linkname)))
		if rel, err := filepath.Rel(dest, target); err != nil || strings.HasPrefix(rel, "..") {
			return fmt.Errorf("invalid hardlink %q -> %q", target, hdr.Linkname)
		}
		return os.Link(target, path)
	case tar.TypeSymlink:
		target := filepath.Join(filepath.Dir(path), hdr.Linkname)
		if rel, err := filepath.Rel(dest, target); err != nil || strings.HasPrefix(rel, "..") {
			return fmt.Errorf("invalid symlink %q -> %q", path, hdr.Linkname)
		}
		return os.Symlink(hdr.Linkname, path)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		// Device nodes need privileges the learner's CLI should not use;
		// Docker skips them too when it cannot create them.
		return nil
	case tar.TypeXGlobalHeader:
		return nil
	default:
		return fmt.Errorf("unhandled tar header type %d", hdr.Typeflag)
	}
	if err := os.Chmod(path, mode.Perm()|(mode&(os.ModeSetuid|os.ModeSetgid|os.ModeSticky))); err != nil {
		return err
	}
	return os.Chtimes(path, hdr.ModTime, hdr.ModTime)
}
