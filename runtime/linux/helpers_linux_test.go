package linux

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boxlab/boxlab/runtime/lean"
	"golang.org/x/sys/unix"
)

// The container tests run real containers: they need root and the Go
// toolchain (to build the probe, a static stand-in for the toolbox that
// carries this package's current Init and reports from inside).
var fixture struct {
	skip  string
	probe string // host path of the probe binary (Spec.Toolbox)
	lower string // the image: probe, its applet links, /etc files
	lean  string // a second layer with the embedded lean toolbox, if any
}

var probeApplets = []string{
	"true", "false", "exit", "echo", "sleep", "cat", "stdin", "status", "pid", "pwd",
	"hostname", "env", "umask", "tty", "winch", "write", "ls", "stat", "trapterm",
	"nohandler", "orphan", "spawn", "ps", "mknod", "alloc",
}

func TestMain(m *testing.M) {
	if os.Getenv(testEngineEnv) != "" {
		runTestEngine()
		return
	}
	rootlessMain()
	dir, err := os.MkdirTemp("", "boxlab-linux-test-")
	if err != nil {
		panic(err)
	}
	fixture.skip = setupFixture(dir)
	code := m.Run()
	os.RemoveAll(dir)
	if parity.rootfs != "" {
		os.RemoveAll(parity.rootfs)
	}
	// The per-hierarchy boxlab parents outlive containers by design; leave
	// none behind once nobody (another test process, an engine) uses them.
	if _, hs, err := hostHierarchies(); err == nil {
		for _, h := range hs {
			unix.Rmdir(filepath.Join(h.mount, h.own, cgroupParent))
		}
	}
	os.Exit(code)
}

func setupFixture(dir string) string {
	if os.Geteuid() != 0 {
		return "needs root to create namespaces, mounts and cgroups"
	}
	fixture.probe = filepath.Join(dir, "probe")
	if keep := os.Getenv("BOXLAB_TEST_PROBE"); keep != "" {
		fixture.probe = keep // kept after the run, for profiling
	}
	if built := os.Getenv(probeEnv); built != "" {
		fixture.probe = built
	} else {
		if _, err := exec.LookPath("go"); err != nil {
			return "needs the go command to build the test probe"
		}
		cmd := exec.Command("go", "build", "-o", fixture.probe, "./internal/probe")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Sprintf("cannot build the probe: %v\n%s", err, out)
		}
	}
	fixture.lower = filepath.Join(dir, "lower")
	files := map[string]string{
		"etc/passwd":  "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
		"etc/group":   "root:x:0:\nstaff:x:50:alice\nalice:x:1000:\nnogroup:x:65534:\n",
		"bin/garbage": "this is not a program\n",
	}
	for name, content := range files {
		p := filepath.Join(fixture.lower, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err.Error()
		}
	}
	os.Chmod(filepath.Join(fixture.lower, "bin/garbage"), 0o755)
	b, err := os.ReadFile(fixture.probe)
	if err != nil {
		return err.Error()
	}
	if err := os.WriteFile(filepath.Join(fixture.lower, "bin/probe"), b, 0o755); err != nil {
		return err.Error()
	}
	for _, a := range probeApplets {
		os.Symlink("probe", filepath.Join(fixture.lower, "bin", a))
	}
	if tb, err := lean.Toolbox(); err == nil {
		fixture.lean = filepath.Join(dir, "lean")
		os.MkdirAll(filepath.Join(fixture.lean, "usr/bin"), 0o755)
		os.WriteFile(filepath.Join(fixture.lean, "usr/bin/boxlab-toolbox"), tb, 0o755)
		os.Symlink("boxlab-toolbox", filepath.Join(fixture.lean, "usr/bin/echo"))
	}
	return ""
}

func needRoot(tb testing.TB) {
	tb.Helper()
	if fixture.skip != "" {
		tb.Skip(fixture.skip)
	}
}

func randomID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// newSpec is a container of the test image running args.
func newSpec(tb testing.TB, args ...string) *Spec {
	tb.Helper()
	needRoot(tb)
	dir := tb.TempDir()
	for _, d := range []string{"upper", "work", "merged"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	lower := []string{fixture.lower}
	if fixture.lean != "" {
		lower = []string{fixture.lean, fixture.lower}
	}
	return &Spec{
		ID:       randomID(),
		Toolbox:  fixture.probe,
		Rootfs:   Rootfs{Lower: lower, Upper: filepath.Join(dir, "upper"), Work: filepath.Join(dir, "work"), Target: filepath.Join(dir, "merged")},
		Args:     args,
		Env:      []string{"PATH=/bin:/usr/bin"},
		Hostname: "testhost",
	}
}

// result is how a container run ended.
type result struct {
	stdout, stderr string
	status         ExitStatus
}

// collect reads a started process's output to the end, waits and releases.
func collect(tb testing.TB, p *Process) result {
	tb.Helper()
	var out, errb bytes.Buffer
	var wg sync.WaitGroup
	for _, c := range []struct {
		r io.Reader
		w *bytes.Buffer
	}{{p.Stdout, &out}, {p.Stderr, &errb}, {p.Console, &out}} {
		if c.r == nil || c.r == (*os.File)(nil) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			io.Copy(c.w, c.r)
		}()
	}
	st := p.Wait()
	wg.Wait()
	if err := p.Release(); err != nil {
		tb.Errorf("release: %v", err)
	}
	return result{stdout: out.String(), stderr: errb.String(), status: st}
}

// runSpec starts spec and collects its result.
func runSpec(tb testing.TB, spec *Spec) (result, error) {
	tb.Helper()
	p, err := Start(spec, nil)
	if err != nil {
		skipUnmapped(tb, err)
		return result{}, err
	}
	return collect(tb, p), nil
}

// mustRun runs spec and fails the test unless it started.
func mustRun(tb testing.TB, spec *Spec) result {
	tb.Helper()
	r, err := runSpec(tb, spec)
	if err != nil {
		tb.Fatalf("start %v: %v", spec.Args, err)
	}
	return r
}

// lineReader reads a process's stdout line by line, for interactive tests.
type lineReader struct {
	lines chan string
}

func readLines(r io.Reader) *lineReader {
	l := &lineReader{lines: make(chan string, 100)}
	go func() {
		defer close(l.lines)
		var buf []byte
		b := make([]byte, 4096)
		for {
			n, err := r.Read(b)
			buf = append(buf, b[:n]...)
			for {
				i := bytes.IndexByte(buf, '\n')
				if i < 0 {
					break
				}
				l.lines <- strings.TrimRight(string(buf[:i]), "\r")
				buf = buf[i+1:]
			}
			if err != nil {
				if len(buf) > 0 {
					l.lines <- string(buf)
				}
				return
			}
		}
	}()
	return l
}

func (l *lineReader) next(tb testing.TB) string {
	tb.Helper()
	select {
	case s, ok := <-l.lines:
		if !ok {
			tb.Fatal("output ended")
		}
		return s
	case <-time.After(10 * time.Second):
		tb.Fatal("timed out waiting for output")
	}
	return ""
}
