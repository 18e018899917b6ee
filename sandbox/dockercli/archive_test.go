package dockercli

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// copyLocal runs a source through the same tar/rebase/extract steps as a
// docker cp round trip, with both ends local.
func copyLocal(t *testing.T, src, dst string) error {
	t.Helper()
	src = preserveTrailingDotOrSeparator(filepath.Clean(src), src)
	info, err := copyInfoSourcePath(src, false)
	if err != nil {
		return err
	}
	rc, err := tarResource(info)
	if err != nil {
		return err
	}
	defer rc.Close()
	return copyTo(rc, info, preserveTrailingDotOrSeparator(filepath.Clean(dst), dst))
}

func tree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	_ = filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == root {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if fi.IsDir() {
			rel += "/"
		} else if b, err := os.ReadFile(p); err == nil {
			rel += "=" + string(b)
		}
		out = append(out, rel)
		return nil
	})
	sort.Strings(out)
	return out
}

// TestCopySemantics pins docker cp's documented destination rules.
func TestCopySemantics(t *testing.T) {
	cases := []struct {
		name    string
		src     string
		dst     string
		prepare func(t *testing.T, dst string)
		want    []string
		err     string
	}{
		{name: "file to new name", src: "src/a.txt", dst: "out/new.txt", want: []string{"new.txt=A"}},
		{name: "file to new name with slash needs a directory", src: "src/a.txt", dst: "out/new/", err: "no such directory"},
		{name: "file over an existing file", src: "src/a.txt", dst: "out/old.txt",
			prepare: func(t *testing.T, d string) { write(t, filepath.Join(d, "old.txt"), "OLD") }, want: []string{"old.txt=A"}},
		{name: "file into an existing directory", src: "src/a.txt", dst: "out/dir",
			prepare: func(t *testing.T, d string) { mkdir(t, filepath.Join(d, "dir")) }, want: []string{"dir/", "dir/a.txt=A"}},
		{name: "directory to new name", src: "src", dst: "out/copy", want: []string{"copy/", "copy/a.txt=A", "copy/sub/", "copy/sub/b.txt=B"}},
		{name: "directory over a file", src: "src", dst: "out/f",
			prepare: func(t *testing.T, d string) { write(t, filepath.Join(d, "f"), "F") }, err: "cannot copy directory"},
		{name: "directory into an existing directory", src: "src", dst: "out/dir",
			prepare: func(t *testing.T, d string) { mkdir(t, filepath.Join(d, "dir")) },
			want:    []string{"dir/", "dir/src/", "dir/src/a.txt=A", "dir/src/sub/", "dir/src/sub/b.txt=B"}},
		{name: "directory content into an existing directory", src: "src/.", dst: "out/dir",
			prepare: func(t *testing.T, d string) { mkdir(t, filepath.Join(d, "dir")) },
			want:    []string{"dir/", "dir/a.txt=A", "dir/sub/", "dir/sub/b.txt=B"}},
		{name: "directory content to a new name", src: "src/.", dst: "out/new", want: []string{"new/", "new/a.txt=A", "new/sub/", "new/sub/b.txt=B"}},
		{name: "missing parent", src: "src/a.txt", dst: "out/no/such/file", err: "no such file or directory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			write(t, filepath.Join(root, "src/a.txt"), "A")
			write(t, filepath.Join(root, "src/sub/b.txt"), "B")
			out := filepath.Join(root, "out")
			mkdir(t, out)
			if tc.prepare != nil {
				tc.prepare(t, out)
			}
			src := filepath.Join(root, tc.src)
			if strings.HasSuffix(tc.src, "/.") {
				src += "/."
			}
			dst := filepath.Join(root, tc.dst)
			if strings.HasSuffix(tc.dst, "/") {
				dst += "/"
			}
			err := copyLocal(t, src, dst)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %v, want error containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			eq(t, tree(t, out), tc.want)
		})
	}
}

func TestUntarRefusesEscapes(t *testing.T) {
	for _, hdr := range []*tar.Header{
		{Name: "../evil", Typeflag: tar.TypeReg, Mode: 0o644},
		{Name: "link", Typeflag: tar.TypeSymlink, Linkname: "../../etc/passwd"},
	} {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		tw.Close()
		dst := t.TempDir()
		if err := untar(&b, dst); err == nil {
			t.Errorf("%s: extracted an entry leaving %s", hdr.Name, dst)
		}
	}
}

func TestSplitCpArg(t *testing.T) {
	for arg, want := range map[string][2]string{
		"c1:/tmp/x":      {"c1", "/tmp/x"},
		"/abs/file:name": {"", "/abs/file:name"},
		"./rel:name":     {"", "./rel:name"},
		"plain":          {"", "plain"},
		"c1:":            {"c1", ""},
	} {
		c, p := splitCpArg(arg)
		eq(t, [2]string{c, p}, want)
	}
}

func write(t *testing.T, p, content string) {
	t.Helper()
	mkdir(t, filepath.Dir(p))
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mkdir(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
}
