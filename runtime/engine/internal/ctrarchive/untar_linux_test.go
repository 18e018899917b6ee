package ctrarchive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
)

// Archive entries stay inside the directory they are extracted into: names
// with "..", links (symbolic or hard) leading out, absolute links resolved
// in the container and found to lead out are refused; what stays inside is
// extracted as Docker does. Nothing ever reaches the root outside /dst, nor
// the host.
func TestExtractConfinement(t *testing.T) {
	tests := []struct {
		name    string
		entries []entry
		// breakout: a *BreakoutError; fails: another error; else success.
		breakout, fails bool
		want            map[string]string // dst paths that must then hold this
		gone            []string          // dst paths that must not exist
	}{
		{name: "dot-dot name", entries: []entry{{name: "../escape", body: "x"}}, breakout: true},
		{name: "dot-dot inside a name", entries: []entry{{name: "sub/../../escape", body: "x"}}, breakout: true},
		{name: "absolute name stays inside", entries: []entry{{name: "/abs/file", body: "x"}}, want: map[string]string{"abs": "dir", "abs/file": "x"}},
		{name: "dot-dot that stays inside", entries: []entry{{name: "a/../b", body: "x"}}, want: map[string]string{"b": "x"}, gone: []string{"a"}},
		{name: "through an absolute link out", entries: []entry{
			{name: "lnk", typ: tar.TypeSymlink, link: "/etc"}, {name: "lnk/escape", body: "x"}}, breakout: true,
			want: map[string]string{"lnk": "-> /etc"}},
		{name: "through a relative link out", entries: []entry{
			{name: "rl", typ: tar.TypeSymlink, link: "../../../.."}, {name: "rl/escape", body: "x"}}, breakout: true},
		{name: "through a link to a host path", entries: []entry{
			{name: "hl", typ: tar.TypeSymlink, link: "HOST"}, {name: "hl/escape", body: "x"}}, breakout: true},
		{name: "through a link already there", entries: []entry{{name: "pre/escape", body: "x"}}, breakout: true},
		{name: "through a host link already there", entries: []entry{{name: "hostln/escape", body: "x"}}, breakout: true},
		{name: "a link already there is replaced, not followed", entries: []entry{{name: "pre", body: "x"}}, want: map[string]string{"pre": "x"}},
		{name: "through a relative link inside", entries: []entry{
			{name: "inl", typ: tar.TypeSymlink, link: "sub"}, {name: "sub/", typ: tar.TypeDir}, {name: "inl/ok", body: "x"}},
			want: map[string]string{"sub/ok": "x", "inl": "-> sub"}},
		{name: "through an absolute link inside", entries: []entry{
			{name: "abl", typ: tar.TypeSymlink, link: "/dst/x9"}, {name: "x9/", typ: tar.TypeDir}, {name: "abl/ok", body: "x"}},
			want: map[string]string{"x9/ok": "x"}},
		{name: "through a link to a missing dir inside", entries: []entry{
			{name: "ml", typ: tar.TypeSymlink, link: "/dst/made/here"}, {name: "ml/ok", body: "x"}},
			want: map[string]string{"made/here/ok": "x"}},
		{name: "hard link out", entries: []entry{{name: "h", typ: tar.TypeLink, link: "../outside/secret"}}, breakout: true},
		{name: "absolute hard link is inside", entries: []entry{{name: "h", typ: tar.TypeLink, link: "/etc/passwd"}}, fails: true, gone: []string{"h"}},
		{name: "hard link through a link out", entries: []entry{
			{name: "lnk", typ: tar.TypeSymlink, link: "/"}, {name: "h", typ: tar.TypeLink, link: "lnk/etc/passwd"}}, breakout: true},
		{name: "hard link inside", entries: []entry{{name: "a", body: "same"}, {name: "b", typ: tar.TypeLink, link: "a"}},
			want: map[string]string{"a": "same", "b": "same"}},
		{name: "links are stored as they are", entries: []entry{
			{name: "abs", typ: tar.TypeSymlink, link: "/etc/passwd"}, {name: "up", typ: tar.TypeSymlink, link: "../../.."}},
			want: map[string]string{"abs": "-> /etc/passwd", "up": "-> ../../.."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			must(t, os.WriteFile(filepath.Join(f.dir, "outside/secret"), []byte("s"), 0o644))
			for i := range tt.entries {
				tt.entries[i].link = strings.ReplaceAll(tt.entries[i].link, "HOST", f.host)
			}
			outsideBefore, hostBefore, etcBefore := tree(t, filepath.Join(f.dir, "outside")), tree(t, f.host), tree(t, filepath.Join(f.dir, "etc"))
			err := f.root.Extract("/dst", tarOf(t, tt.entries...), ExtractOptions{NoOverwriteDirNonDir: true})
			var be *BreakoutError
			switch {
			case tt.breakout && !errors.As(err, &be):
				t.Errorf("got %v, want a breakout error", err)
			case tt.fails && (err == nil || errors.As(err, &be)):
				t.Errorf("got %v, want an error", err)
			case !tt.breakout && !tt.fails && err != nil:
				t.Errorf("got %v", err)
			}
			for name, want := range tt.want {
				if got := tree(t, filepath.Join(f.dir, "dst"))[name]; got != want {
					t.Errorf("dst/%s = %q, want %q", name, got, want)
				}
			}
			for _, name := range tt.gone {
				if _, err := os.Lstat(filepath.Join(f.dir, "dst", name)); err == nil {
					t.Errorf("dst/%s exists", name)
				}
			}
			for _, c := range []struct {
				dir    string
				before map[string]string
			}{{filepath.Join(f.dir, "outside"), outsideBefore}, {f.host, hostBefore}, {filepath.Join(f.dir, "etc"), etcBefore}} {
				if after := tree(t, c.dir); fmt.Sprint(after) != fmt.Sprint(c.before) {
					t.Errorf("%s changed: %v -> %v", c.dir, c.before, after)
				}
			}
			if _, err := os.Lstat(filepath.Join(f.dir, "escape")); err != nil {
				t.Errorf("the root's own /escape link is gone: %v", err)
			}
			for _, p := range []string{filepath.Join(filepath.Dir(f.dir), "escape"), "/escape", "/etc/escape"} {
				if _, err := os.Lstat(p); err == nil {
					t.Errorf("%s was written", p)
				}
			}
		})
	}
}

// The destination itself resolves inside the container: through links, and
// never to the host.
func TestExtractDestination(t *testing.T) {
	tests := []struct {
		dest    string
		landsIn string // root-relative dir that gets the file; "" for an error
		check   func(error) bool
	}{
		{dest: "/dst", landsIn: "dst"},
		{dest: "dst/", landsIn: "dst"},
		{dest: "/dlink", landsIn: "dst"},
		{dest: "/escape/dst", landsIn: "dst"},
		{dest: "/d/abslink", landsIn: "etc"},
		{dest: "/hostabs", landsIn: "tmp"},
		{dest: "/", landsIn: "."},
		{dest: "/hostlink", check: os.IsNotExist},
		{dest: "/nosuch", check: os.IsNotExist},
		{dest: "/d/broken", check: os.IsNotExist},
		{dest: "/d/f", check: func(err error) bool { return err == ErrNotDirectory && errdefs.IsInvalidArgument(err) }},
		{dest: "/d/rel", check: func(err error) bool { return err == ErrNotDirectory }},
		{dest: "/d/f/x", check: func(err error) bool { return errors.Is(err, syscall.ENOTDIR) }},
	}
	for _, tt := range tests {
		f := newFixture(t)
		hostBefore := tree(t, f.host)
		err := f.root.Extract(tt.dest, tarOf(t, entry{name: "new", body: "x"}), ExtractOptions{})
		if tt.landsIn == "" {
			if !tt.check(err) {
				t.Errorf("Extract(%q): unexpected error %v", tt.dest, err)
			}
		} else if err != nil {
			t.Errorf("Extract(%q): %v", tt.dest, err)
		} else if b, err := os.ReadFile(filepath.Join(f.dir, tt.landsIn, "new")); err != nil || string(b) != "x" {
			t.Errorf("Extract(%q): %s/new = %q, %v", tt.dest, tt.landsIn, b, err)
		}
		if fmt.Sprint(tree(t, f.host)) != fmt.Sprint(hostBefore) {
			t.Errorf("Extract(%q) changed the host", tt.dest)
		}
	}
	f := newFixture(t)
	if err := f.root.Extract("/dst", tarOf(t, entry{name: "new", body: "x"}), ExtractOptions{ReadOnly: true}); err != ErrReadOnly {
		t.Errorf("read-only: got %v", err)
	}
	if err := f.root.Extract("/nosuch", tarOf(t), ExtractOptions{ReadOnly: true}); !os.IsNotExist(err) {
		t.Errorf("read-only, missing destination: got %v, want not-exist first (Docker's order)", err)
	}
}

// noOverwriteDirNonDir refuses type changes with Docker's messages; without
// it, the archive wins. Directories merge either way.
func TestExtractOverwrite(t *testing.T) {
	tests := []struct {
		entry   entry
		noOver  bool
		err     string
		after   string // what dst/<name> then is
		name    string
		keepsIn string // a file of the old directory that must survive
	}{
		{entry: entry{name: "f", body: "file"}, noOver: true, name: "f", err: `cannot overwrite directory "f" with non-directory "/dst"`, after: "dir"},
		{entry: entry{name: "g/", typ: tar.TypeDir}, noOver: true, name: "g", err: `cannot overwrite non-directory "g" with directory "/dst"`, after: "a file\n"},
		{entry: entry{name: "f", body: "file"}, name: "f", after: "file"},
		{entry: entry{name: "g/", typ: tar.TypeDir}, name: "g", after: "dir"},
		{entry: entry{name: "g", body: "new"}, noOver: true, name: "g", after: "new"},
		{entry: entry{name: "f/", typ: tar.TypeDir}, noOver: true, name: "f", after: "dir", keepsIn: "f/kept"},
	}
	for _, tt := range tests {
		f := newFixture(t)
		must(t, os.WriteFile(filepath.Join(f.dir, "dst/f/kept"), []byte("k"), 0o644))
		err := f.root.Extract("/dst", tarOf(t, tt.entry), ExtractOptions{NoOverwriteDirNonDir: tt.noOver})
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%+v: got %v, want %q", tt.entry, err, tt.err)
			}
		} else if err != nil {
			t.Errorf("%+v: %v", tt.entry, err)
		}
		if got := tree(t, filepath.Join(f.dir, "dst"))[tt.name]; got != tt.after {
			t.Errorf("%+v: dst/%s = %q, want %q", tt.entry, tt.name, got, tt.after)
		}
		if tt.keepsIn != "" {
			if _, err := os.Stat(filepath.Join(f.dir, "dst", tt.keepsIn)); err != nil {
				t.Errorf("%+v: merge lost %s", tt.entry, tt.keepsIn)
			}
		}
	}
}

// Modes (set-id bits too), ids, times and implied directories come out as
// Docker makes them; a later entry replacing a directory is not written
// into the removed one.
func TestExtractMetadata(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("setting file owners needs root")
	}
	f := newFixture(t)
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, h := range []*tar.Header{
		{Name: "dir/", Typeflag: tar.TypeDir, Mode: 0o700, Uid: 7, Gid: 8, ModTime: old},
		{Name: "dir/suid", Typeflag: tar.TypeReg, Mode: 0o4711, Uid: 9, Gid: 10, ModTime: old, Size: 1},
		{Name: "dir/ln", Typeflag: tar.TypeSymlink, Linkname: "suid", Uid: 11, Gid: 12, ModTime: old},
		{Name: "dir/fifo", Typeflag: tar.TypeFifo, Mode: 0o600, ModTime: old},
		{Name: "implied/deep/file", Typeflag: tar.TypeReg, Mode: 0o640, Size: 1, ModTime: old,
			PAXRecords: map[string]string{"SCHILY.xattr.user.note": "hello"}},
	} {
		must(t, tw.WriteHeader(h))
		if h.Size == 1 {
			tw.Write([]byte("x"))
		}
	}
	must(t, tw.Close())
	must(t, f.root.Extract("/dst", &b, ExtractOptions{}))
	check := func(name string, mode os.FileMode, uid, gid int, mtime time.Time) {
		t.Helper()
		fi, err := os.Lstat(filepath.Join(f.dir, "dst", name))
		if err != nil {
			t.Error(err)
			return
		}
		st := fi.Sys().(*syscall.Stat_t)
		if fi.Mode() != mode || int(st.Uid) != uid || int(st.Gid) != gid || (!mtime.IsZero() && !fi.ModTime().Equal(mtime)) {
			t.Errorf("%s: %v %d:%d %v, want %v %d:%d %v", name, fi.Mode(), st.Uid, st.Gid, fi.ModTime(), mode, uid, gid, mtime)
		}
	}
	check("dir", os.ModeDir|0o700, 7, 8, old)
	check("dir/suid", os.ModeSetuid|0o711, 9, 10, old)
	check("dir/ln", os.ModeSymlink|0o777, 11, 12, old)
	check("dir/fifo", os.ModeNamedPipe|0o600, 0, 0, old)
	check("implied", os.ModeDir|0o755, 0, 0, time.Time{})
	check("implied/deep", os.ModeDir|0o755, 0, 0, time.Time{})
	check("implied/deep/file", 0o640, 0, 0, old)
	buf := make([]byte, 16)
	if n, err := syscall.Getxattr(filepath.Join(f.dir, "dst/implied/deep/file"), "user.note", buf); err != nil || string(buf[:n]) != "hello" {
		t.Errorf("xattr user.note = %q, %v", buf[:n], err)
	}

	// swap/a/c needs swap/a to be a directory again: it is a file now, and
	// nothing is written into the directory it replaced.
	err := f.root.Extract("/dst", tarOf(t, entry{name: "swap/a/b", body: "x"}, entry{name: "swap/a", body: "x"}, entry{name: "swap/a/c", body: "x"}), ExtractOptions{})
	if !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("entry under a replaced directory: got %v, want not a directory", err)
	}
	if got := tree(t, filepath.Join(f.dir, "dst/swap")); fmt.Sprint(got) != fmt.Sprint(map[string]string{".": "dir", "a": "x"}) {
		t.Errorf("swap = %v", got)
	}

	// copyUIDGID: the container user owns everything.
	must(t, f.root.Extract("/dst", tarOf(t, entry{name: "owned/f", body: "x"}), ExtractOptions{Owner: &Owner{UID: 1000, GID: 1001}}))
	check("owned/f", 0o644, 1000, 1001, time.Time{})
}

// Compressed archives are accepted as Docker accepts them.
func TestExtractCompressed(t *testing.T) {
	f := newFixture(t)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	io.Copy(zw, tarOf(t, entry{name: "zipped", body: "z"}))
	zw.Close()
	must(t, f.root.Extract("/dst", &gz, ExtractOptions{}))
	if b, _ := os.ReadFile(filepath.Join(f.dir, "dst/zipped")); string(b) != "z" {
		t.Errorf("gzip archive: dst/zipped = %q", b)
	}
	xz := bytes.NewReader([]byte{0xfd, '7', 'z', 'X', 'Z', 0, 0, 0})
	if err := f.root.Extract("/dst", xz, ExtractOptions{}); !errdefs.IsNotImplemented(err) {
		t.Errorf("xz archive: got %v, want a not-implemented error", err)
	}
	if err := f.root.Extract("/dst", strings.NewReader(""), ExtractOptions{}); err != nil {
		t.Errorf("empty body: %v", err)
	}
	if err := f.root.Extract("/dst", strings.NewReader("not a tar archive, not at all, but long enough to be read as a header block"), ExtractOptions{}); err == nil {
		t.Error("garbage body extracted")
	}
}

// What Archive writes, Extract restores.
func TestArchiveExtractRoundTrip(t *testing.T) {
	f := newFixture(t)
	var b bytes.Buffer
	must(t, f.root.Archive("/d", &b, func(container.PathStat) error { return nil }))
	must(t, f.root.Extract("/tmp", &b, ExtractOptions{}))
	want, got := tree(t, filepath.Join(f.dir, "d")), tree(t, filepath.Join(f.dir, "tmp/d"))
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("round trip: %v, want %v", got, want)
	}
}

// A container that swaps a directory for a link while a copy runs makes
// the copy fail, never write through the link.
func TestExtractRaceWithLinkSwap(t *testing.T) {
	f := newFixture(t)
	sub := filepath.Join(f.dir, "dst/sub")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			tmp := sub + ".tmp"
			if i%2 == 0 {
				os.Mkdir(tmp, 0o755)
			} else {
				target := "/outside"
				if i%4 == 1 {
					target = f.host
				}
				os.Symlink(target, tmp)
			}
			os.RemoveAll(sub)
			os.Rename(tmp, sub)
		}
	}()
	var entries []entry
	for i := range 300 {
		entries = append(entries, entry{name: fmt.Sprintf("sub/d%d/f%d", i%7, i), body: "x"})
	}
	for range 20 {
		f.root.Extract("/dst", tarOf(t, entries...), ExtractOptions{})
	}
	close(stop)
	wg.Wait()
	if got := tree(t, filepath.Join(f.dir, "outside")); len(got) != 1 {
		t.Errorf("/outside got files: %v", got)
	}
	if got := tree(t, f.host); len(got) != 2 {
		t.Errorf("the host directory got files: %v", got)
	}
}
