package ctrarchive

import (
	"archive/tar"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
)

// Paths resolve as lstat(2) would inside the container: links on the way
// followed with the root as "/", a final one not (unless the path ends in
// "/" or "/."), names and link targets as the reference engine reports them.
func TestStat(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		path, name string
		mode       fs.FileMode // type bits only
		link       string
		err        string // "notexist", or the error text
	}{
		{path: "/etc", name: "etc", mode: fs.ModeDir},
		{path: "/etc/", name: "etc", mode: fs.ModeDir},
		{path: "/etc/.", name: ".", mode: fs.ModeDir},
		{path: "/etc/passwd", name: "passwd"},
		{path: "etc/passwd", name: "passwd"},
		{path: "/d/abslink", name: "abslink", mode: fs.ModeSymlink, link: "/etc"},
		{path: "/d/abslink/", name: "abslink", mode: fs.ModeDir},
		{path: "/d/abslink/passwd", name: "passwd"},
		{path: "/d/rel", name: "rel", mode: fs.ModeSymlink, link: "/etc/passwd"},
		{path: "/d/broken", name: "broken", mode: fs.ModeSymlink, link: "/nonexist"},
		{path: "/d/broken/", err: "notexist"},
		{path: "/bin/sh", name: "sh", mode: fs.ModeSymlink, link: "/bin/busybox"},
		{path: "/", name: "/", mode: fs.ModeDir},
		{path: "/.", name: ".", mode: fs.ModeDir},
		{path: "/d/..", name: "/", mode: fs.ModeDir},
		{path: "/../../..", name: "/", mode: fs.ModeDir},
		{path: "/nosuch", err: "notexist"},
		{path: "/nosuch/x", err: "notexist"},
		{path: "/etc/passwd/", err: "lstat /etc/passwd/: not a directory"},
		{path: "/etc/passwd/x", err: "lstat /etc/passwd/x: not a directory"},
		// Links that point out of the root land inside it.
		{path: "/escape/etc/passwd", name: "passwd"},
		{path: "/escape", name: "escape", mode: fs.ModeSymlink, link: "/"},
		{path: "/hostabs/inside", name: "inside"},
		{path: "/hostlink/secret", err: "notexist"},
	}
	for _, tt := range tests {
		st, err := f.root.Stat(tt.path)
		switch {
		case tt.err == "notexist":
			if !os.IsNotExist(err) {
				t.Errorf("Stat(%q): got %+v, %v; want a not-exist error", tt.path, st, err)
			}
		case tt.err != "":
			if err == nil || err.Error() != tt.err {
				t.Errorf("Stat(%q): got error %v, want %q", tt.path, err, tt.err)
			}
		case err != nil:
			t.Errorf("Stat(%q): %v", tt.path, err)
		case st.Name != tt.name || st.Mode.Type() != tt.mode || st.LinkTarget != tt.link:
			t.Errorf("Stat(%q) = name %q mode %v link %q; want %q %v %q", tt.path, st.Name, st.Mode, st.LinkTarget, tt.name, tt.mode, tt.link)
		}
	}
	st, err := f.root.Stat("/d/f")
	must(t, err)
	fi, _ := os.Lstat(filepath.Join(f.dir, "d/f"))
	if st.Size != 3 || st.Mode != fi.Mode() || !st.Mtime.Equal(fi.ModTime()) {
		t.Errorf("Stat(/d/f) = %+v, lstat says %v %v", st, fi.Mode(), fi.ModTime())
	}
}

// Entry names follow Docker's rebasing on the last element of the path
// asked for, whatever links led to it.
func TestArchiveNames(t *testing.T) {
	f := newFixture(t)
	etc := []string{"group", "hostname", "passwd"}
	d := []string{"abslink", "broken", "f", "rel", "sub/"}
	under := func(prefix string, names []string) []string {
		out := []string{prefix}
		for _, n := range names {
			out = append(out, prefix+n)
		}
		return out
	}
	tests := []struct {
		path  string
		names []string
	}{
		{"/etc", under("etc/", etc)},
		{"/etc/", under("etc/", etc)},
		{"/etc/.", under("./", etc)},
		{"/etc/passwd", []string{"passwd"}},
		{"/d", under("d/", d)},
		{"/d/abslink", []string{"abslink"}},
		{"/d/abslink/", under("abslink/", etc)},
		{"/d/abslink/.", under("./", etc)},
		{"/d/rel", []string{"rel"}},
		{"/escape/etc", under("etc/", etc)},
		{"/hostabs", []string{"hostabs"}},
		{"/hostabs/", []string{"hostabs/", "hostabs/inside"}},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		var stat container.PathStat
		err := f.root.Archive(tt.path, &b, func(st container.PathStat) error {
			if b.Len() != 0 {
				t.Errorf("%s: onStat called after writing", tt.path)
			}
			stat = st
			return nil
		})
		if err != nil {
			t.Errorf("Archive(%q): %v", tt.path, err)
			continue
		}
		var names []string
		for _, e := range list(t, &b) {
			names = append(names, e.name)
		}
		if !reflect.DeepEqual(names, tt.names) {
			t.Errorf("Archive(%q) entries %q, want %q", tt.path, names, tt.names)
		}
		if want, _ := f.root.Stat(tt.path); stat != want {
			t.Errorf("Archive(%q) stat %+v, Stat says %+v", tt.path, stat, want)
		}
	}
	var b bytes.Buffer
	must(t, f.root.Archive("/", &b, func(container.PathStat) error { return nil }))
	entries := list(t, &b)
	if entries[0].name != "/" || entries[1].name != "/bin/" || entries[2].name != "/bin/busybox" {
		t.Errorf("archive of / starts %q %q %q, want / /bin/ /bin/busybox", entries[0].name, entries[1].name, entries[2].name)
	}
	for _, e := range entries {
		if strings.Contains(e.body, "host data") {
			t.Errorf("archive of / has the host's file as %s", e.name)
		}
	}
}

// Entries carry what Docker puts in them: contents, link targets, modes
// without type bits, hard links as links to the first name.
func TestArchiveEntries(t *testing.T) {
	f := newFixture(t)
	must(t, os.WriteFile(filepath.Join(f.dir, "d/sub/setuid"), []byte("x"), 0o644))
	must(t, os.Chmod(filepath.Join(f.dir, "d/sub/setuid"), 0o755|os.ModeSetuid))
	must(t, os.Link(filepath.Join(f.dir, "d/f"), filepath.Join(f.dir, "d/sub/hard")))
	var b bytes.Buffer
	must(t, f.root.Archive("/d", &b, func(container.PathStat) error { return nil }))
	got := map[string]listed{}
	for _, e := range list(t, &b) {
		got[e.name] = e
	}
	want := map[string]listed{
		"d/":           {typ: tar.TypeDir, mode: 0o755},
		"d/abslink":    {typ: tar.TypeSymlink, link: "/etc", mode: 0o777},
		"d/broken":     {typ: tar.TypeSymlink, link: "/nonexist", mode: 0o777},
		"d/f":          {typ: tar.TypeReg, body: "hi\n", mode: 0o644},
		"d/rel":        {typ: tar.TypeSymlink, link: "../etc/passwd", mode: 0o777},
		"d/sub/":       {typ: tar.TypeDir, mode: 0o755},
		"d/sub/hard":   {typ: tar.TypeLink, link: "d/f", mode: 0o644},
		"d/sub/setuid": {typ: tar.TypeReg, body: "x", mode: 0o4755},
	}
	if len(got) != len(want) {
		t.Errorf("entries %v, want %v", keys(got), keys(want))
	}
	for name, w := range want {
		w.name = name
		if g := got[name]; g != w {
			t.Errorf("%s: got %+v, want %+v", name, g, w)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// A path that does not exist fails before onStat, so the API can still
// answer 404; onStat's error stops the archive before anything is written.
func TestArchiveErrors(t *testing.T) {
	f := newFixture(t)
	called := false
	err := f.root.Archive("/nosuch", &bytes.Buffer{}, func(container.PathStat) error { called = true; return nil })
	if !os.IsNotExist(err) || called {
		t.Errorf("missing path: err %v, onStat called %v", err, called)
	}
	stop := errors.New("stop")
	var b bytes.Buffer
	if err := f.root.Archive("/etc", &b, func(container.PathStat) error { return stop }); err != stop || b.Len() != 0 {
		t.Errorf("onStat error: got %v with %d bytes written", err, b.Len())
	}
}

func TestLookupUser(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		spec     string
		uid, gid int
		err      string
	}{
		{spec: "", uid: 0, gid: 0},
		{spec: "root", uid: 0, gid: 0},
		{spec: "alice", uid: 1000, gid: 1001},
		{spec: "1000", uid: 1000, gid: 1001},
		{spec: "4242", uid: 4242, gid: 0},
		{spec: "alice:staff", uid: 1000, gid: 50},
		{spec: "alice:77", uid: 1000, gid: 77},
		{spec: ":50", uid: 0, gid: 50},
		{spec: "4242:staff", uid: 4242, gid: 50},
		{spec: "bob", err: `failed to look up user "bob" in container: no matching entries in passwd file`},
		{spec: "alice:nogroup", err: `failed to look up group "nogroup" in container: no matching entries in group file`},
	}
	for _, tt := range tests {
		o, err := f.root.LookupUser(tt.spec)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("LookupUser(%q) = %+v, %v; want error %q", tt.spec, o, err, tt.err)
			}
			continue
		}
		if err != nil || o != (Owner{UID: tt.uid, GID: tt.gid}) {
			t.Errorf("LookupUser(%q) = %+v, %v; want %d:%d", tt.spec, o, err, tt.uid, tt.gid)
		}
	}
}
