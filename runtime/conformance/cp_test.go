package conformance

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// docker cp, run with the real docker CLI against boxlab and the reference
// engine. Each step gets a fresh host directory per engine (DIR in its
// arguments); the host fixtures are shared (SRC). What the step leaves on
// the host, or prints as a tar stream, is compared between the engines.

type cpStep struct {
	args    string   // split on spaces; DIR and SRC are replaced
	stdin   []byte   // docker cp - ...: a tar stream
	prepare string   // a file created in DIR before the step
	stderr  []string // fragments both engines' errors contain
	tree    bool     // compare the trees left in DIR
	tar     bool     // compare stdout as tar archives
	exact   bool     // compare stdout as is
}

// cpSource writes the host side of the copies into SRC.
func cpSource(t *testing.T) string {
	t.Helper()
	src := t.TempDir()
	files := map[string]string{
		"hello.txt":       "hello from the host\n",
		"tree/x.txt":      "x\n",
		"tree/deep/y.txt": "y\n",
		"tree/run.sh":     "#!/bin/sh\necho run\n",
		"conflict/sub":    "a file where the container has a directory\n",
	}
	for name, data := range files {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(src, "tree/run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("x.txt", filepath.Join(src, "tree/ln")); err != nil {
		t.Fatal(err)
	}
	return src
}

// runCpSteps runs the steps on both engines in lockstep.
func runCpSteps(t *testing.T, src string, steps []cpStep) {
	t.Helper()
	base := t.TempDir()
	for i, s := range steps {
		type result struct {
			stdout, stderr string
			code           int
			dir            string
		}
		var res [2]result
		for j, host := range []string{boxlabHost, refHost} {
			dir := filepath.Join(base, fmt.Sprintf("%d-%d", i, j))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if s.prepare != "" {
				os.WriteFile(filepath.Join(dir, s.prepare), []byte("already here\n"), 0o644)
			}
			args := strings.Fields(strings.NewReplacer("DIR", dir, "SRC", src).Replace(s.args))
			o, e, c := dockerCmdIn(host, s.stdin, args...)
			res[j] = result{o, e, c, dir}
		}
		b, r := res[0], res[1]
		where := fmt.Sprintf("step %d: docker %s", i+1, s.args)
		if b.code != r.code {
			t.Errorf("%s: exit code boxlab %d, docker %d\nboxlab stderr: %q\ndocker stderr: %q", where, b.code, r.code, b.stderr, r.stderr)
			continue
		}
		for _, frag := range s.stderr {
			if !strings.Contains(b.stderr, frag) || !strings.Contains(r.stderr, frag) {
				t.Errorf("%s: stderr should contain %q on both\nboxlab: %q\ndocker: %q", where, frag, b.stderr, r.stderr)
			}
		}
		if s.exact && b.stdout != r.stdout {
			t.Errorf("%s: stdout boxlab %q, docker %q", where, b.stdout, r.stdout)
		}
		if s.tar {
			bl, rl := tarListing(t, b.stdout), tarListing(t, r.stdout)
			if bl != rl {
				t.Errorf("%s: archives differ\nboxlab:\n%s\ndocker:\n%s", where, bl, rl)
			}
			if bl == "" {
				t.Errorf("%s: empty archive", where)
			}
			if testing.Verbose() {
				t.Logf("%s: archive\n%s", where, bl)
			}
		}
		if s.tree {
			bt, rt := hostTree(t, b.dir), hostTree(t, r.dir)
			if bt != rt {
				t.Errorf("%s: host trees differ\nboxlab:\n%s\ndocker:\n%s", where, bt, rt)
			}
			if bt == "" {
				t.Errorf("%s: nothing copied", where)
			}
			if testing.Verbose() {
				t.Logf("%s: tree\n%s", where, bt)
			}
		}
	}
}

// dockerCmdIn is dockerCmd with standard input.
func dockerCmdIn(host string, stdin []byte, args ...string) (stdout, stderr string, code int) {
	args = append([]string(nil), args...)
	for i, a := range args {
		args[i] = unique.Replace(a)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+host)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		code = -1
	}
	return normalizeNames(out.String()), normalizeNames(errb.String()), code
}

// normalizeNames undoes unique in docker's output.
func normalizeNames(s string) string {
	return strings.ReplaceAll(s, fmt.Sprintf("conf%d-", os.Getpid()), "conf-")
}

// hostTree lists what a copy left under dir: kind, permissions, contents,
// link targets. Owners and times differ between engines by nature.
func hostTree(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		line := fmt.Sprintf("%s %v", rel, fi.Mode())
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			line += " -> " + l
		case fi.Mode().IsRegular():
			b, _ := os.ReadFile(p)
			line += fmt.Sprintf(" %q", b)
		}
		lines = append(lines, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// tarListing lists an archive's entries: name, type, permissions, link,
// contents. Docker 20.10 also writes user names and file type bits in the
// mode, which modern Docker (and boxlab) no longer do.
func tarListing(t *testing.T, archive string) string {
	t.Helper()
	var lines []string
	tr := tar.NewReader(strings.NewReader(archive))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Errorf("bad archive: %v", err)
			break
		}
		body, _ := io.ReadAll(tr)
		lines = append(lines, fmt.Sprintf("%s %c %o %q %q", h.Name, h.Typeflag, h.Mode&0o7777, h.Linkname, body))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func tarOf(t *testing.T, name, body string) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg, ModTime: time.Now()}); err != nil {
		t.Fatal(err)
	}
	io.WriteString(tw, body)
	tw.Close()
	return b.Bytes()
}

// cpContainer starts a container with files under /srv on both engines.
func cpContainer(t *testing.T, name string, extra ...string) {
	t.Helper()
	script := "mkdir -p /srv/sub /srv/empty && echo a > /srv/a.txt && echo b > /srv/sub/b.txt && " +
		"ln -s a.txt /srv/link && ln -s /srv/sub /srv/abs && printf 'echo run\\n' > /srv/exec.sh && " +
		"chmod 755 /srv/exec.sh && touch /srv/ready && sleep 300"
	for _, host := range []string{boxlabHost, refHost} {
		dockerCmd(host, "rm", "-f", name)
		args := append(append([]string{"run", "-d", "--name", name}, extra...), "boxlab/base", "sh", "-c", script)
		if _, e, c := dockerCmd(host, args...); c != 0 {
			t.Fatalf("start %s: %s", name, e)
		}
		t.Cleanup(func() { dockerCmd(host, "rm", "-f", name) })
		deadline := time.Now().Add(15 * time.Second)
		for {
			if _, _, c := dockerCmd(host, "exec", name, "test", "-f", "/srv/ready"); c == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never got ready on %s", name, host)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

func TestCpFromContainer(t *testing.T) {
	needEngines(t)
	cpContainer(t, "conf-cp-from")
	runCpSteps(t, cpSource(t), []cpStep{
		{args: "cp conf-cp-from:/srv/a.txt DIR/a.txt", tree: true},
		{args: "cp conf-cp-from:/srv/a.txt DIR", tree: true},
		{args: "cp conf-cp-from:/srv DIR/srv", tree: true},
		{args: "cp conf-cp-from:/srv/ DIR", tree: true},
		{args: "cp conf-cp-from:/srv/. DIR/dot", tree: true},
		{args: "cp conf-cp-from:/srv/link DIR/link", tree: true},
		{args: "cp -L conf-cp-from:/srv/link DIR/followed", tree: true},
		{args: "cp conf-cp-from:/srv/abs/ DIR/abs", tree: true},
		{args: "cp conf-cp-from:/srv/abs DIR/abs", tree: true},
		{args: "cp conf-cp-from:/srv/sub/../a.txt DIR/up", tree: true},
		{args: "cp conf-cp-from:/srv -", tar: true},
		{args: "cp conf-cp-from:/srv/a.txt -", tar: true},
		{args: "cp conf-cp-from:/srv/. -", tar: true},
		{args: "cp conf-cp-from:/nosuch DIR/x", stderr: []string{"Could not find the file /nosuch in container conf-cp-from"}},
		{args: "cp conf-cp-from:/srv/nosuch/x DIR/x", stderr: []string{"Could not find the file /srv/nosuch/x in container conf-cp-from"}},
		{args: "cp nosuchcontainer:/srv DIR/x", stderr: []string{"No such container: nosuchcontainer"}},
		// The message differs: 20.10 names the path on the host, modern
		// Docker (and boxlab) the path in the container.
		{args: "cp conf-cp-from:/srv/a.txt/ DIR/x"},
		{args: "cp conf-cp-from:/srv DIR/exists", prepare: "exists", stderr: []string{"cannot copy directory"}},
		{args: "cp conf-cp-from:/srv/a.txt DIR/nosuchdir/x"},
	})
}

func TestCpToContainer(t *testing.T) {
	needEngines(t)
	cpContainer(t, "conf-cp-to")
	runCpSteps(t, cpSource(t), []cpStep{
		{args: "cp SRC/hello.txt conf-cp-to:/tmp/hello.txt"},
		{args: "exec conf-cp-to cat /tmp/hello.txt", exact: true},
		{args: "cp SRC/hello.txt conf-cp-to:/srv/sub"},
		{args: "exec conf-cp-to ls /srv/sub", exact: true},
		{args: "cp SRC/tree conf-cp-to:/tmp/tree"},
		{args: "cp conf-cp-to:/tmp/tree DIR/back", tree: true},
		{args: "cp SRC/tree/. conf-cp-to:/srv/empty"},
		{args: "cp conf-cp-to:/srv/empty DIR/back", tree: true},
		{args: "cp SRC/tree conf-cp-to:/srv/abs"},
		{args: "cp conf-cp-to:/srv/sub DIR/back", tree: true},
		{args: "cp - conf-cp-to:/tmp", stdin: tarOf(t, "fromstdin.txt", "through standard input\n")},
		{args: "exec conf-cp-to cat /tmp/fromstdin.txt", exact: true},
		{args: "cp SRC/hello.txt conf-cp-to:/nosuch/file.txt", stderr: []string{"Could not find the file /nosuch in container conf-cp-to"}},
		{args: "cp SRC/hello.txt conf-cp-to:/nosuch/dir/"},
		{args: "cp SRC/tree conf-cp-to:/srv/a.txt", stderr: []string{"cannot copy directory"}},
		{args: "cp SRC/conflict/sub conf-cp-to:/srv/", stderr: []string{`with non-directory "/srv"`}},
		{args: "exec conf-cp-to ls /srv/sub", exact: true},
		{args: "cp SRC/hello.txt nosuchcontainer:/tmp", stderr: []string{"No such container: nosuchcontainer"}},
	})
}

// A file copied into a container that is not running is there when it
// starts; copies from an exited container work too.
func TestCpStoppedContainer(t *testing.T) {
	needEngines(t)
	for _, host := range []string{boxlabHost, refHost} {
		dockerCmd(host, "rm", "-f", "conf-cp-stopped")
		t.Cleanup(func() { dockerCmd(host, "rm", "-f", "conf-cp-stopped") })
	}
	runCpSteps(t, cpSource(t), []cpStep{
		{args: "create --name conf-cp-stopped boxlab/base cat /hello.txt /srv/tree/x.txt"},
		{args: "cp SRC/hello.txt conf-cp-stopped:/hello.txt"},
		{args: "cp SRC/tree conf-cp-stopped:/srv/tree", stderr: []string{"Could not find the file /srv in container conf-cp-stopped"}},
		{args: "cp SRC/tree conf-cp-stopped:/tmp/tree"},
		{args: "cp conf-cp-stopped:/tmp/tree DIR/tree", tree: true},
		{args: "cp conf-cp-stopped:/hello.txt -", tar: true},
		{args: "start -a conf-cp-stopped", exact: true},
		{args: "cp conf-cp-stopped:/hello.txt DIR/after-exit", tree: true},
		{args: "cp - conf-cp-stopped:/", stdin: tarOf(t, "srv/tree/x.txt", "copied after the exit\n")},
		{args: "start -a conf-cp-stopped", exact: true},
		{args: "cp conf-cp-stopped:/nosuch DIR/x", stderr: []string{"Could not find the file /nosuch in container conf-cp-stopped"}},
	})
}

func TestCpReadOnlyRootfs(t *testing.T) {
	needEngines(t)
	for _, host := range []string{boxlabHost, refHost} {
		dockerCmd(host, "rm", "-f", "conf-cp-ro")
		t.Cleanup(func() { dockerCmd(host, "rm", "-f", "conf-cp-ro") })
	}
	runCpSteps(t, cpSource(t), []cpStep{
		{args: "run -d --read-only --name conf-cp-ro boxlab/base sleep 300"},
		{args: "cp SRC/hello.txt conf-cp-ro:/tmp/", stderr: []string{"container rootfs is marked read-only"}},
		{args: "cp conf-cp-ro:/etc/passwd DIR/passwd", tree: true},
		{args: "stop -t 0 conf-cp-ro"},
		{args: "cp SRC/hello.txt conf-cp-ro:/tmp/", stderr: []string{"container rootfs is marked read-only"}},
	})
}
