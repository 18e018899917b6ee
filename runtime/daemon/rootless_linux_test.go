package daemon_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/boxlab/boxlab/internal/rootlesstest"
)

// testUser is an ordinary user running a rootless engine built by the test.
type testUser struct {
	*rootlesstest.User
	dir        string
	bin        string
	root, sock string
}

// TestRootlessEngine runs a built boxlab engine as each test user and the
// docker CLI against it, as that user, like a learner without root would.
func TestRootlessEngine(t *testing.T) {
	bin := rootlessPrereqs(t)
	for _, tc := range []struct {
		name   string
		subIDs bool
		tmpfs  bool // state on a nosuid,nodev tmpfs, whose flags binds must keep
	}{
		{"subordinate ids", true, false},
		{"own uid only", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := newTestUser(t, rootlesstest.Get(t, tc.subIDs), tc.tmpfs, bin)
			testRootlessEngine(t, u)
		})
	}
}

// built is the boxlab binary the tests run, built once, in a directory
// everyone can read.
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// rootlessPrereqs skips unless the test can create users and run a built
// boxlab as them, and returns the boxlab binary.
func rootlessPrereqs(t *testing.T) string {
	if testing.Short() {
		t.Skip("builds boxlab and runs engines as other users")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to run boxlab as the test users")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skipf("needs go to build boxlab: %v", err)
	}
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "boxlab-rootless-"); built.err != nil {
			return
		}
		if built.err = os.Chmod(built.dir, 0o755); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "boxlab")
		out, err := exec.Command("go", "build", "-o", built.bin, "github.com/boxlab/boxlab/cmd/boxlab").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("build boxlab: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

// newTestUser gives the user a directory for an engine's state (on a
// tmpfs of its own if asked).
func newTestUser(t *testing.T, acct *rootlesstest.User, tmpfs bool, bin string) *testUser {
	u := &testUser{User: acct, bin: bin}
	var err error
	u.dir, err = os.MkdirTemp(filepath.Dir(bin), u.Name+"-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Files of containers' users belong to subordinate ids, which the
		// user cannot remove; root can.
		os.RemoveAll(u.dir)
	})
	if tmpfs {
		// Flags the host set on a mount are locked in a user namespace:
		// read-only binds of the engine's files (--read-only's /etc
		// files, --init's toolbox) must keep nosuid and nodev.
		if err := unix.Mount("tmpfs", u.dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=755"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Unmount(u.dir, unix.MNT_DETACH) })
	}
	if err := os.Chown(u.dir, u.UID, u.GID); err != nil {
		t.Fatal(err)
	}
	u.root, u.sock = filepath.Join(u.dir, "root"), filepath.Join(u.dir, "run", "engine.sock")
	return u
}

// command runs a program as the user, with DOCKER_HOST set to its engine.
func (u *testUser) command(name string, args ...string) *exec.Cmd {
	return u.Command([]string{"DOCKER_HOST=unix://" + u.sock}, name, args...)
}

// engine is a rootless engine started by the test.
type engine struct {
	cmd *exec.Cmd
	out *bytes.Buffer
}

func (u *testUser) startEngine(t *testing.T) *engine {
	t.Helper()
	e := &engine{cmd: u.command(u.bin, "engine", "--root", u.root, "--socket", u.sock), out: &bytes.Buffer{}}
	e.cmd.Stdout, e.cmd.Stderr = e.out, e.out
	if err := e.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if e.cmd.ProcessState == nil {
			e.cmd.Process.Kill()
			e.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("engine output:\n%s", e.out)
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.Dial("unix", u.sock)
		if err == nil {
			c.Close()
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("the engine does not listen on %s: %v\n%s", u.sock, err, e.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// docker runs boxlab's docker CLI as the user.
func (u *testUser) docker(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := u.command(u.bin, append([]string{"docker"}, args...)...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("docker %s: %v", strings.Join(args, " "), err)
	}
	return o.String(), e.String(), cmd.ProcessState.ExitCode()
}

// mustDocker runs docker and fails the test unless it succeeds.
func (u *testUser) mustDocker(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := u.docker(t, args...)
	if code != 0 {
		t.Fatalf("docker %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func testRootlessEngine(t *testing.T, u *testUser) {
	links := hostLinks(t)
	e := u.startEngine(t)
	other := "uid 1000 is not mapped in the rootless engine's user namespace"

	t.Run("run", func(t *testing.T) {
		if out := u.mustDocker(t, "run", "--rm", "boxlab/base", "echo", "hi"); out != "hi\n" {
			t.Errorf("run echo hi printed %q", out)
		}
		want := fmt.Sprintf("0 %d 1", u.UID)
		if u.SubUID != 0 {
			want += fmt.Sprintf(" 1 %d 65536", u.SubUID)
		}
		if out := u.mustDocker(t, "run", "--rm", "boxlab/base", "cat", "/proc/self/uid_map"); strings.Join(strings.Fields(out), " ") != want {
			t.Errorf("a container's uid_map is %q, want %q", out, want)
		}
		if out := u.mustDocker(t, "run", "--rm", "boxlab/base", "ls", "/sys/class/net"); out != "lo\n" {
			t.Errorf("a container's links are %q, want lo alone", out)
		}
		// The host network of a rootless engine is its own namespace's.
		if out := u.mustDocker(t, "run", "--rm", "--network", "host", "boxlab/base", "ls", "/sys/class/net"); out != "lo\n" {
			t.Errorf("--network host links are %q, want the engine's lo alone", out)
		}
		if out := u.mustDocker(t, "run", "--rm", "--init", "--read-only", "boxlab/base", "echo", "reaped"); out != "reaped\n" {
			t.Errorf("run --init --read-only printed %q", out)
		}
		if out := u.mustDocker(t, "run", "--rm", "--privileged", "boxlab/base", "sh", "-c", "test -c /dev/null && echo devices"); out != "devices\n" {
			t.Errorf("run --privileged printed %q", out)
		}
	})

	t.Run("user", func(t *testing.T) {
		out, errOut, code := u.docker(t, "run", "--rm", "-u", "1000", "boxlab/base", "id", "-u")
		switch {
		case u.SubUID != 0 && (code != 0 || out != "1000\n"):
			t.Errorf("run -u 1000 id -u: exit %d, %q %q; want 1000", code, out, errOut)
		case u.SubUID == 0 && (code == 0 || !strings.Contains(errOut, other)):
			t.Errorf("run -u 1000 with one id mapped: exit %d, %q; want an error saying %q", code, errOut, other)
		}
	})

	t.Run("lifecycle", func(t *testing.T) {
		name := "rootless-" + u.Name
		u.mustDocker(t, "run", "-d", "--name", name, "boxlab/base", "sh", "-c", "echo started; sleep 1000")
		defer u.docker(t, "rm", "-f", name)
		if out := u.mustDocker(t, "exec", name, "echo", "in-exec"); out != "in-exec\n" {
			t.Errorf("exec printed %q", out)
		}
		out, errOut, code := u.docker(t, "exec", "-u", "1000", name, "id", "-u")
		switch {
		case u.SubUID != 0 && (code != 0 || out != "1000\n"):
			t.Errorf("exec -u 1000 id -u: exit %d, %q %q; want 1000", code, out, errOut)
		case u.SubUID == 0 && (code != 126 || !strings.Contains(out+errOut, other)):
			// Docker reports a failed exec on the attached stream.
			t.Errorf("exec -u 1000 with one id mapped: exit %d, %q; want 126 and %q", code, out+errOut, other)
		}
		if out := u.mustDocker(t, "top", name); !strings.Contains(out, "sleep 1000") {
			t.Errorf("top does not show the container's sleep:\n%s", out)
		}
		if out := u.mustDocker(t, "logs", name); out != "started\n" {
			t.Errorf("logs printed %q", out)
		}
		// No cgroups for an ordinary user on this host: Docker rootless
		// says the same through runc. With delegated cgroups it works.
		if _, errOut, code := u.docker(t, "pause", name); code != 0 {
			if !strings.Contains(errOut, "cannot toggle freezer: cgroups not configured for container") {
				t.Errorf("pause failed with %q", errOut)
			}
		} else {
			u.mustDocker(t, "unpause", name)
		}
		u.mustDocker(t, "kill", name)
		if out := u.mustDocker(t, "wait", name); out != "137\n" {
			t.Errorf("wait after kill printed %q, want 137", out)
		}
		u.mustDocker(t, "start", name)
		// The shell ignores SIGTERM as PID 1 once it runs; before that,
		// the Go runtime's default handler would end it.
		for deadline := time.Now().Add(5 * time.Second); u.mustDocker(t, "logs", name) != "started\nstarted\n"; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the restarted container did not print started")
			}
		}
		u.mustDocker(t, "stop", "-t", "1", name)
		if out := u.mustDocker(t, "wait", name); out != "137\n" {
			t.Errorf("wait after stop printed %q, want 137", out)
		}
	})

	t.Run("host untouched while running", func(t *testing.T) {
		u.mustDocker(t, "run", "-d", "--name", "bystander-"+u.Name, "boxlab/base", "sleep", "1000")
		e.checkNetns(t)
		if got := hostLinks(t); !slices.Equal(got, links) {
			t.Errorf("the host's links changed: %v, were %v", got, links)
		}
		if m := hostMounts(t, u.root); len(m) > 0 {
			t.Errorf("the engine's mounts show in the host's mount table:\n%s", strings.Join(m, "\n"))
		}
	})

	// Stopped like ^C: the containers die, the socket goes, and nothing
	// of the engine is left on the host.
	e.cmd.Process.Signal(syscall.SIGINT)
	if err := e.cmd.Wait(); err != nil {
		t.Errorf("the engine ended with %v", err)
	}
	u.checkNothingLeft(t, links)

	t.Run("parent killed", func(t *testing.T) {
		e := u.startEngine(t)
		u.mustDocker(t, "run", "-d", "boxlab/base", "sleep", "1000")
		e.cmd.Process.Kill()
		e.cmd.Wait()
		u.checkNothingLeft(t, links)
	})
}

// checkNothingLeft waits a little for the user's processes to end and
// then checks that no process, mount, link or socket of the engine is left.
func (u *testUser) checkNothingLeft(t *testing.T, links []string) {
	t.Helper()
	var left []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if left = u.processes(t); len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(left) > 0 {
		t.Errorf("processes of the engine are left:\n%s", strings.Join(left, "\n"))
	}
	if m := hostMounts(t, u.root); len(m) > 0 {
		t.Errorf("mounts are left:\n%s", strings.Join(m, "\n"))
	}
	if got := hostLinks(t); !slices.Equal(got, links) {
		t.Errorf("the host's links changed: %v, were %v", got, links)
	}
	if _, err := os.Stat(u.sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the engine's socket is left: %v", err)
	}
}

// processes lists the live processes owned by the user or its subordinate
// ids (zombies are the host init's to reap and hold nothing).
func (u *testUser) processes(t *testing.T) []string {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/status")
		if err != nil {
			continue
		}
		var uid int
		state, name := "", ""
		s := bufio.NewScanner(bytes.NewReader(b))
		for s.Scan() {
			k, v, _ := strings.Cut(s.Text(), ":")
			f := strings.Fields(v)
			switch {
			case k == "Name" && len(f) > 0:
				name = f[0]
			case k == "State" && len(f) > 0:
				state = f[0]
			case k == "Uid" && len(f) > 0:
				uid, _ = strconv.Atoi(f[0])
			}
		}
		if u.Owns(uid) && state != "Z" {
			out = append(out, fmt.Sprintf("pid %s uid %d %s (%s)", e.Name(), uid, name, state))
		}
	}
	return out
}

// hostLinks lists the host's network interfaces with their flags, but
// veth pairs: a Docker engine on the host (CI's reference dockerd) makes
// and removes them all the time.
func hostLinks(t *testing.T) []string {
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	// Names and addresses, not flags: a bridge's "running" flips whenever
	// another engine's containers (the reference dockerd's) come and go.
	var out []string
	for _, i := range ifs {
		if strings.HasPrefix(i.Name, "veth") {
			continue
		}
		addrs, _ := i.Addrs()
		out = append(out, fmt.Sprint(i.Name, addrs))
	}
	return out
}

// engineNetns checks that the engine (the child of the process the test
// started) has a network namespace of its own, not the host's.
func (e *engine) checkNetns(t *testing.T) {
	t.Helper()
	// Each thread lists the children it forked.
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", e.cmd.Process.Pid))
	var f []string
	for _, task := range tasks {
		b, _ := os.ReadFile(task)
		f = append(f, strings.Fields(string(b))...)
	}
	if len(f) != 1 {
		t.Fatalf("the engine process %d has children %q, want one", e.cmd.Process.Pid, f)
	}
	host, err1 := os.Readlink("/proc/self/ns/net")
	inner, err2 := os.Readlink("/proc/" + f[0] + "/ns/net")
	if err1 != nil || err2 != nil || host == inner {
		t.Errorf("the engine's network namespace is %q (%v), the host's %q (%v)", inner, err2, host, err1)
	}
}

// hostMounts lists the mounts in the test's (the host's) mount namespace
// that mention dir.
func hostMounts(t *testing.T, dir string) []string {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, dir) {
			out = append(out, l)
		}
	}
	return out
}

func TestUserNamespaceCommandRefusesToRunOutsideOne(t *testing.T) {
	bin := rootlessPrereqs(t)
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "engine-userns", "--root", t.TempDir(), "--socket", filepath.Join(t.TempDir(), "s.sock"))
	cmd.Stderr = &stderr
	err := cmd.Run()
	if err == nil || !strings.Contains(stderr.String(), "not started in a user namespace of its own") {
		t.Fatalf("boxlab engine-userns run directly: %v, %q", err, stderr.String())
	}
}
