package ctrarchive

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fixture is a container root like the reference engine's test container
// (busybox with a few links under /d), plus the host directory host, which
// no operation may touch.
type fixture struct {
	dir  string // the root's host path
	host string // a host directory outside the root
	root *Root
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{dir: filepath.Join(t.TempDir(), "root"), host: filepath.Join(t.TempDir(), "host")}
	for _, d := range []string{"etc", "bin", "d/sub", "tmp", "dst/f", "outside"} {
		must(t, os.MkdirAll(filepath.Join(f.dir, d), 0o755))
	}
	must(t, os.MkdirAll(f.host, 0o755))
	files := map[string]string{
		"etc/passwd":   "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1001:Alice:/home/alice:/bin/sh\n",
		"etc/group":    "root:x:0:\nstaff:x:50:\nalice:x:1001:\n",
		"etc/hostname": "box\n",
		"bin/busybox":  "#!busybox\n",
		"d/f":          "hi\n",
		"tmp/inside":   "the container's /tmp\n",
		"dst/g":        "a file\n",
		"host/secret":  "host data\n",
	}
	for name, data := range files {
		p := filepath.Join(f.dir, name)
		if name == "host/secret" {
			p = filepath.Join(f.host, "secret")
		}
		must(t, os.WriteFile(p, []byte(data), 0o644))
	}
	links := map[string]string{
		"bin/sh":     "busybox",
		"d/abslink":  "/etc",
		"d/rel":      "../etc/passwd",
		"d/broken":   "/nonexist",
		"escape":     "../../../../../../..",
		"hostabs":    "/tmp",
		"hostlink":   f.host,
		"dlink":      "/dst",
		"dst/pre":    "/outside",
		"dst/hostln": f.host,
	}
	for name, target := range links {
		must(t, os.Symlink(target, filepath.Join(f.dir, name)))
	}
	r, err := Open(f.dir)
	must(t, err)
	t.Cleanup(func() { r.Close() })
	f.root = r
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// entry is one archive entry to build.
type entry struct {
	name  string
	typ   byte // tar.TypeReg when 0
	body  string
	link  string
	mode  int64
	mtime time.Time
}

func tarOf(t *testing.T, entries ...entry) *bytes.Buffer {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Linkname: e.link, Mode: e.mode, ModTime: e.mtime,
			Uid: os.Getuid(), Gid: os.Getgid()}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Mode == 0 {
			h.Mode = 0o644
			if h.Typeflag == tar.TypeDir {
				h.Mode = 0o755
			}
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		must(t, tw.WriteHeader(h))
		if h.Size > 0 {
			_, err := io.WriteString(tw, e.body)
			must(t, err)
		}
	}
	must(t, tw.Close())
	return &b
}

// listing is what a tar archive holds: name, type, link, body.
type listed struct {
	name, link, body string
	typ              byte
	mode             int64
}

func list(t *testing.T, r io.Reader) []listed {
	t.Helper()
	var out []listed
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		must(t, err)
		body, err := io.ReadAll(tr)
		must(t, err)
		out = append(out, listed{name: h.Name, link: h.Linkname, body: string(body), typ: h.Typeflag, mode: h.Mode})
	}
}

// tree is every path under dir with its kind and content or link target.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			out[rel] = "-> " + l
		case fi.IsDir():
			out[rel] = "dir"
		default:
			b, _ := os.ReadFile(p)
			out[rel] = string(b)
		}
		return nil
	})
	must(t, err)
	return out
}
