package toolbox

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// The integration tests build the real lean binary, cmd/boxlab-toolbox,
// the way images carry it: one static file plus a link per applet.

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(filepath.Dir(binDir))
	}
	os.Exit(code)
}

// toolboxBin builds the toolbox once and returns the directory holding
// boxlab-toolbox and its applet links.
func toolboxBin(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			buildErr = fmt.Errorf("no go toolchain: %w", err)
			return
		}
		root, err := os.MkdirTemp("", "toolbox-it-")
		if err != nil {
			buildErr = err
			return
		}
		binDir = filepath.Join(root, "bin")
		cmd := exec.Command(goTool, "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(binDir, Binary), "github.com/boxlab/boxlab/cmd/boxlab-toolbox")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		for _, name := range Names() {
			if err := os.Symlink(Binary, filepath.Join(binDir, name)); err != nil {
				buildErr = err
				return
			}
		}
	})
	if errors.Is(buildErr, exec.ErrNotFound) {
		t.Skip(buildErr)
	}
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binDir
}

// TestShellScripts runs testdata/script/*.txtar with only the toolbox on
// PATH, like inside a built-in image.
func TestShellScripts(t *testing.T) {
	bin := toolboxBin(t)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", bin)
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("TZ", "UTC")
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "root" {
				return os.Geteuid() == 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

// exec must replace the shell, keeping its pid: a Docker entrypoint's
// `exec "$@"` makes the command PID 1.
func TestExecKeepsPid(t *testing.T) {
	bin := toolboxBin(t)
	dir := t.TempDir()
	entrypoint := filepath.Join(dir, "entrypoint.sh")
	writeFiles(t, dir, map[string]string{"entrypoint.sh": "#!" + filepath.Join(bin, "sh") + "\nset -e\necho \"entrypoint $$\"\nexec \"$@\"\necho not reached\n"})
	must(t, os.Chmod(entrypoint, 0o755))
	for _, argv := range [][]string{
		{filepath.Join(bin, "sh"), "-c", `echo "shell $$"; exec sh -c 'echo "child $$"'`},
		{entrypoint, "sh", "-c", `echo "child $$"`},
		{filepath.Join(bin, "sh"), "-c", `f() { exec sh -c 'echo "child $$"'; }; echo "shell $$"; f`},
	} {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = []string{"PATH=" + bin}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", argv, err, out)
		}
		lines := strings.Fields(string(out))
		if len(lines) != 4 || lines[1] != lines[3] || lines[1] != strconv.Itoa(cmd.Process.Pid) {
			t.Errorf("%q (pid %d): exec did not keep the pid:\n%s", argv, cmd.Process.Pid, out)
		}
	}
}

// exec in a subshell or a pipeline must not replace the whole shell.
func TestExecInSubshellKeepsShell(t *testing.T) {
	bin := toolboxBin(t)
	cmd := exec.Command(filepath.Join(bin, "sh"), "-c", `(exec echo sub); echo x | exec cat; v=$(exec echo subst); echo "$v"; echo end`)
	cmd.Env = []string{"PATH=" + bin}
	out, err := cmd.CombinedOutput()
	if err != nil || string(out) != "sub\nx\nsubst\nend\n" {
		t.Errorf("%v: %q", err, out)
	}
}

// childPid finds the process unshare --fork started: PID 1 of the new
// namespace.
func childPid(t *testing.T, parent int) int {
	t.Helper()
	for i := 0; i < 100; i++ {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", parent, parent))
		if f := strings.Fields(string(b)); len(f) > 0 {
			pid, _ := strconv.Atoi(f[0])
			return pid
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("unshare started no child")
	return 0
}

// As a PID namespace's init the toolbox ignores the signals it has no use
// for, as the kernel does for a C init: Go's runtime would exit instead.
func TestPID1IgnoresTerminatingSignals(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for unshare --pid")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("needs unshare(1)")
	}
	bin := toolboxBin(t)
	script := `echo "pid $$"; read line; echo alive`
	run := func(asInit bool) (string, error) {
		var cmd *exec.Cmd
		if asInit {
			cmd = exec.Command(unshare, "--pid", "--fork", "--kill-child", filepath.Join(bin, "sh"), "-c", script)
		} else {
			cmd = exec.Command(filepath.Join(bin, "sh"), "-c", script)
		}
		cmd.Env = []string{"PATH=" + bin}
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(stdout)
		first, _ := r.ReadString('\n')
		target := cmd.Process.Pid
		if asInit {
			target = childPid(t, cmd.Process.Pid)
		}
		sigs := []syscall.Signal{syscall.SIGTERM}
		if asInit {
			sigs = append(sigs, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGPIPE, syscall.SIGALRM)
		}
		for _, sig := range sigs {
			syscall.Kill(target, sig)
		}
		time.Sleep(200 * time.Millisecond)
		stdin.Write([]byte("go on\n"))
		rest, _ := r.ReadString('\n')
		return first + rest, cmd.Wait()
	}
	out, err := run(true)
	if err != nil || out != "pid 1\nalive\n" {
		t.Errorf("as PID 1: %v %q, want it to ignore the signals", err, out)
	}
	// The same shell outside a PID namespace dies of SIGTERM: the test
	// above shows the PID 1 rule, not a shell that ignores everything.
	out, err = run(false)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM || strings.Contains(out, "alive") {
		t.Errorf("as an ordinary process: %v %q, want death by SIGTERM", err, out)
	}
}

// A program the shell starts as PID 1 inherits no ignored signals, so a
// signal kills it as usual when it is not PID 1 itself.
func TestPID1ChildrenGetDefaultSignals(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for unshare --pid")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("needs unshare(1)")
	}
	bin := toolboxBin(t)
	cmd := exec.Command(unshare, "--pid", "--fork", "--kill-child", "--mount-proc", filepath.Join(bin, "sh"), "-c",
		`sleep 5 & pid=$!; grep ^SigIgn /proc/$pid/status; kill $pid; wait $pid; echo "status $?"`)
	cmd.Env = []string{"PATH=" + bin}
	out, err := cmd.CombinedOutput()
	want := "SigIgn:\t0000000000000000\nTerminated\nstatus 143\n"
	if err != nil || string(out) != want {
		t.Errorf("%v: %q, want %q", err, out, want)
	}
}

func TestNamesAreSortedAndComplete(t *testing.T) {
	names := Names()
	for i := 1; i < len(names); i++ {
		if names[i-1] >= names[i] {
			t.Fatalf("names not sorted: %q before %q", names[i-1], names[i])
		}
	}
	// What the brief promises images contain; network tools come later.
	for _, want := range strings.Fields(`sh ash ls cat echo printf env sleep ps id whoami hostname mkdir rm rmdir cp mv
		touch ln chmod chown grep wc head tail sed tr cut sort uniq tee test [ pwd uname date kill seq basename
		dirname realpath readlink stat du df find xargs which yes true false expr base64 md5sum sha256sum mount
		free uptime clear more less`) {
		if _, ok := Lookup(want); !ok {
			t.Errorf("applet %s missing", want)
		}
	}
	if _, ok := Lookup("bash"); ok {
		t.Error("bash must not be provided: images say what they have")
	}
}

// As PID 1 the shell reaps the orphans it adopts, as ash does; they would
// otherwise stay zombies.
func TestPID1ReapsOrphans(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for unshare --pid")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("needs unshare(1)")
	}
	bin := toolboxBin(t)
	cmd := exec.Command(unshare, "--pid", "--fork", "--kill-child", "--mount-proc", filepath.Join(bin, "sh"), "-c",
		`for i in 1 2 3; do sh -c "sleep 0.1 &"; done; sleep 0.6; ps -o stat,args | grep -c "^Z"`)
	cmd.Env = []string{"PATH=" + bin}
	out, _ := cmd.CombinedOutput()
	if string(out) != "0\n" {
		t.Errorf("zombies left: %q", out)
	}
}

// BenchmarkPlainGo is the baseline for BenchmarkTrue: the start of a Go
// program that does nothing, built the same way.
func BenchmarkPlainGo(b *testing.B) {
	path := filepath.Join(b.TempDir(), "plaingo")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", path, "./testdata/plaingo")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Skipf("go build: %v\n%s", err, out)
	}
	for b.Loop() {
		if err := exec.Command(path).Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrue measures a toolbox start: exec of the built binary as true.
func BenchmarkTrue(b *testing.B) {
	bin := toolboxBin(b)
	path := filepath.Join(bin, "true")
	for b.Loop() {
		if err := exec.Command(path).Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkShell measures sh -c with one builtin and one child process.
func BenchmarkShell(b *testing.B) {
	bin := toolboxBin(b)
	path := filepath.Join(bin, "sh")
	for b.Loop() {
		cmd := exec.Command(path, "-c", "echo x >/dev/null; true")
		cmd.Env = []string{"PATH=" + bin}
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
	}
}
