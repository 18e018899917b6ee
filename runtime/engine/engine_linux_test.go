package engine_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"

	"github.com/boxlab/boxlab/runtime/daemon"
	"github.com/boxlab/boxlab/runtime/engine"
)

func needRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("real containers need root")
	}
}

func newEngine(t testing.TB, root string) *engine.Engine {
	t.Helper()
	e, err := engine.New(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// run creates and starts a container and returns its id.
func run(t testing.TB, e *engine.Engine, hc *container.HostConfig, cmd ...string) string {
	t.Helper()
	ctx := context.Background()
	resp, err := e.Create(ctx, engine.CreateRequest{Config: &container.Config{Image: "boxlab/base", Cmd: cmd}, HostConfig: hc})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(ctx, resp.ID); err != nil {
		t.Fatal(err)
	}
	return resp.ID
}

func waitExit(t testing.TB, e *engine.Engine, id string) int {
	t.Helper()
	wait, err := e.WaitFor(id, container.WaitConditionNotRunning)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode
}

func logs(t testing.TB, e *engine.Engine, id string) string {
	t.Helper()
	var b bytes.Buffer
	err := e.Logs(context.Background(), id, engine.LogsOptions{Stdout: true, Stderr: true}, func(_ string, p []byte) error {
		b.Write(p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestRunWaitLogs(t *testing.T) {
	needRoot(t)
	e := newEngine(t, t.TempDir())
	id := run(t, e, nil, "sh", "-c", "echo out; echo err >&2; exit 7")
	if code := waitExit(t, e, id); code != 7 {
		t.Errorf("exit code %d, want 7", code)
	}
	if got := logs(t, e, id); got != "out\nerr\n" && got != "err\nout\n" {
		t.Errorf("logs %q", got)
	}
	info, err := e.Inspect(context.Background(), id, false)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Status != container.StateExited || info.State.ExitCode != 7 || info.State.Pid != 0 {
		t.Errorf("state %+v", info.State)
	}
}

// Logs survive an engine restart; so do names and states.
func TestStateSurvivesEngineRestart(t *testing.T) {
	needRoot(t)
	root := t.TempDir()
	e, err := engine.New(root)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := e.Create(context.Background(), engine.CreateRequest{Name: "keeper", Config: &container.Config{Image: "boxlab/base", Cmd: []string{"echo", "persisted"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background(), "keeper"); err != nil {
		t.Fatal(err)
	}
	waitExit(t, e, resp.ID)
	e.Close()

	e2 := newEngine(t, root)
	info, err := e2.Inspect(context.Background(), "keeper", false)
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != resp.ID || info.State.Status != container.StateExited {
		t.Errorf("after restart: id %s state %s", info.ID, info.State.Status)
	}
	if got := logs(t, e2, "keeper"); got != "persisted\n" {
		t.Errorf("logs after restart %q", got)
	}
}

// An engine killed with SIGKILL takes its containers with it; the next
// engine shows them as exited (255), like Docker without live-restore.
func TestCrashRecovery(t *testing.T) {
	needRoot(t)
	if os.Getenv("BOXLAB_TEST_ENGINE_ROOT") != "" {
		t.Skip("helper mode")
	}
	dir := t.TempDir()
	root, sock := filepath.Join(dir, "root"), filepath.Join(dir, "engine.sock")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperEngine$")
	cmd.Env = append(os.Environ(), "BOXLAB_TEST_ENGINE_ROOT="+root, "BOXLAB_TEST_ENGINE_SOCKET="+sock)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("helper engine did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	docker := func(args ...string) string {
		c := exec.Command("docker", args...)
		c.Env = append(os.Environ(), "DOCKER_HOST=unix://"+sock)
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("docker %v: %v: %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("needs the docker CLI")
	}
	id := docker("run", "-d", "--name", "victim", "boxlab/base", "sleep", "1000")
	pid := docker("inspect", "--format", "{{.State.Pid}}", "victim")
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	// The container's process dies with the engine (parent-death signal).
	for i := 0; ; i++ {
		if _, err := os.Stat("/proc/" + pid); os.IsNotExist(err) {
			break
		}
		if i > 200 {
			t.Fatalf("container process %s outlived the engine", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
	e := newEngine(t, root)
	info, err := e.Inspect(context.Background(), "victim", false)
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != id || info.State.Status != container.StateExited || info.State.ExitCode != 255 {
		t.Errorf("recovered state %s/%d, want exited/255", info.State.Status, info.State.ExitCode)
	}
	// It can run again.
	if err := e.Start(context.Background(), "victim"); err != nil {
		t.Fatal(err)
	}
	if err := e.Kill(context.Background(), "victim", ""); err != nil {
		t.Fatal(err)
	}
}

// TestHelperEngine is the engine process TestCrashRecovery kills.
func TestHelperEngine(t *testing.T) {
	root := os.Getenv("BOXLAB_TEST_ENGINE_ROOT")
	if root == "" {
		t.Skip("only runs as TestCrashRecovery's helper process")
	}
	d, err := daemon.Start(daemon.Options{Root: root, Socket: os.Getenv("BOXLAB_TEST_ENGINE_SOCKET")})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	select {} // until killed
}

func TestRestartPolicyOnFailure(t *testing.T) {
	needRoot(t)
	e := newEngine(t, t.TempDir())
	id := run(t, e, &container.HostConfig{RestartPolicy: container.RestartPolicy{Name: "on-failure", MaximumRetryCount: 2}}, "sh", "-c", "echo run; exit 1")
	deadline := time.Now().Add(15 * time.Second)
	for {
		info, err := e.Inspect(context.Background(), id, false)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Status == container.StateExited && info.RestartCount == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("state %s, restarts %d; want exited after 2 restarts", info.State.Status, info.RestartCount)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := logs(t, e, id); got != "run\nrun\nrun\n" {
		t.Errorf("logs %q, want three runs", got)
	}
}

// children counts this process's children (live or zombie): every
// container process and exec helper is one while it exists.
func children() int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	me := strconv.Itoa(os.Getpid())
	n := 0
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may contain spaces.
		rest := string(b[bytes.LastIndexByte(b, ')')+1:])
		if f := strings.Fields(rest); len(f) > 1 && f[1] == me {
			n++
		}
	}
	return n
}

// snapshot counts what a container could leak on the host.
type snapshot struct{ mounts, procs, fds, dirs int }

func take(t testing.TB, root string) snapshot {
	t.Helper()
	mi, _ := os.ReadFile("/proc/self/mountinfo")
	fds, _ := os.ReadDir("/proc/self/fd")
	dirs, _ := os.ReadDir(filepath.Join(root, "containers"))
	// Only what carries this engine's root or ids is ours: other engines on
	// the machine (other test packages, the reference dockerd) come and go.
	return snapshot{mounts: bytes.Count(mi, []byte(root)), procs: children(), fds: len(fds), dirs: len(dirs)}
}

// leftoverCgroups lists cgroup directories named after any of ids, in any
// hierarchy.
func leftoverCgroups(ids []string) []string {
	var left []string
	for _, id := range ids {
		m, _ := filepath.Glob("/sys/fs/cgroup/*/boxlab/" + id)
		n, _ := filepath.Glob("/sys/fs/cgroup/*/*/boxlab/" + id)
		left = append(left, append(m, n...)...)
	}
	return left
}

// Many run --rm cycles leave no mount, process, descriptor or directory.
func TestNoLeaksAfterManyRuns(t *testing.T) {
	needRoot(t)
	root := t.TempDir()
	e := newEngine(t, root)
	n := 100
	if testing.Short() {
		n = 20
	}
	if v, err := strconv.Atoi(os.Getenv("BOXLAB_LEAK_RUNS")); err == nil && v > 0 {
		n = v // the figure is 1000: BOXLAB_LEAK_RUNS=1000
	}
	run(t, e, &container.HostConfig{AutoRemove: true}, "true") // warm up lazily created state
	time.Sleep(200 * time.Millisecond)
	before := take(t, root)
	var ids []string
	for i := 0; i < n; i++ {
		id := run(t, e, &container.HostConfig{AutoRemove: true}, "true")
		ids = append(ids, id)
		wait, err := e.WaitFor(id, container.WaitConditionRemoved)
		if err != nil {
			continue // already removed
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if _, err := wait(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
	}
	time.Sleep(200 * time.Millisecond)
	after := take(t, root)
	if after.mounts != 0 || after.dirs != before.dirs || after.fds > before.fds {
		t.Errorf("leak after %d runs: before %+v after %+v", n, before, after)
	}
	if left := leftoverCgroups(ids); len(left) > 0 {
		t.Errorf("%d cgroups left, e.g. %s", len(left), left[0])
	}
	if after.procs != before.procs {
		t.Errorf("child processes went from %d to %d", before.procs, after.procs)
	}
}

// A container with --restart always comes back when the engine restarts;
// one stopped by hand with unless-stopped does not.
func TestRestartPoliciesOnEngineRestart(t *testing.T) {
	needRoot(t)
	root := t.TempDir()
	e, err := engine.New(root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range []struct{ name, policy string }{{"always", "always"}, {"stopped", "unless-stopped"}} {
		if _, err := e.Create(ctx, engine.CreateRequest{Name: c.name, Config: &container.Config{Image: "boxlab/base", Cmd: []string{"sleep", "100"}}, HostConfig: &container.HostConfig{RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyMode(c.policy)}}}); err != nil {
			t.Fatal(err)
		}
		if err := e.Start(ctx, c.name); err != nil {
			t.Fatal(err)
		}
	}
	zero := 0
	if err := e.Stop(ctx, "stopped", &zero, ""); err != nil {
		t.Fatal(err)
	}
	e.Close()

	e2 := newEngine(t, root)
	for name, want := range map[string]container.ContainerState{"always": container.StateRunning, "stopped": container.StateExited} {
		info, err := e2.Inspect(ctx, name, false)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Status != want {
			t.Errorf("%s: %s after engine restart, want %s", name, info.State.Status, want)
		}
	}
}
