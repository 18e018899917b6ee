package linux

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestExitCodes(t *testing.T) {
	needRoot(t)
	tests := []struct {
		name     string
		args     []string
		code     int
		stderr   string
		startErr string // Msg of the expected *StartError
	}{
		{"true exits 0", []string{"true"}, 0, "", ""},
		{"false exits 1", []string{"false"}, 1, "", ""},
		{"exit status is kept", []string{"exit", "3"}, 3, "", ""},
		{"program in a lower layer", []string{"/usr/bin/echo", "hi"}, 0, "", ""},
		{"not in PATH", []string{"nosuch"}, 127, "", `exec: "nosuch": executable file not found in $PATH`},
		{"missing path", []string{"/nonexist/x"}, 127, "", `exec: "/nonexist/x": stat /nonexist/x: no such file or directory`},
		{"not executable", []string{"/etc/passwd"}, 126, "", `exec: "/etc/passwd": permission denied`},
		{"a directory", []string{"/etc"}, 126, "", `exec: "/etc": is a directory`},
		{"not a program", []string{"/bin/garbage"}, 1, "exec /bin/garbage: exec format error\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.args[0] == "/usr/bin/echo" && fixture.lean == "" {
				t.Skip("no embedded toolbox for this architecture")
			}
			r, err := runSpec(t, newSpec(t, tt.args...))
			if tt.startErr != "" {
				var se *StartError
				if !errors.As(err, &se) {
					t.Fatalf("got %v, %+v; want a StartError", err, r)
				}
				if se.Msg != tt.startErr || se.ExitCode != tt.code || se.Daemon {
					t.Fatalf("got %+v, want Msg %q ExitCode %d", se, tt.startErr, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.status.Code != tt.code || r.stderr != tt.stderr {
				t.Fatalf("got code %d stderr %q, want %d %q", r.status.Code, r.stderr, tt.code, tt.stderr)
			}
		})
	}
}

func TestSignals(t *testing.T) {
	needRoot(t)
	tests := []struct {
		name    string
		args    []string
		signals []syscall.Signal
		code    int
	}{
		{"a handler runs", []string{"trapterm"}, []syscall.Signal{syscall.SIGTERM}, 42},
		{"SIGKILL gives 137", []string{"sleep", "1h"}, []syscall.Signal{syscall.SIGKILL}, 137},
		// The kernel protects PID 1 from signals it has no handler for, so
		// sh as PID 1 ignores docker stop's SIGTERM until the SIGKILL.
		{"PID 1 without a handler ignores SIGTERM", []string{"nohandler"}, []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL}, 137},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Start(newSpec(t, tt.args...), nil)
			if err != nil {
				t.Fatal(err)
			}
			lines := readLines(p.Stdout)
			if tt.args[0] != "sleep" {
				if got := lines.next(t); got != "ready" {
					t.Fatalf("got %q", got)
				}
			}
			for i, sig := range tt.signals {
				if err := p.Signal(sig); err != nil {
					t.Fatal(err)
				}
				if i < len(tt.signals)-1 {
					time.Sleep(200 * time.Millisecond)
					if err := p.Signal(0); err != nil {
						t.Fatalf("the process died of %v", sig)
					}
				}
			}
			st := p.Wait()
			p.Release()
			if st.Code != tt.code {
				t.Fatalf("exit %+v, want %d", st, tt.code)
			}
			if err := p.Signal(syscall.SIGTERM); !errors.Is(err, os.ErrProcessDone) {
				t.Fatalf("signal after exit: %v", err)
			}
		})
	}
}

func TestProcessEnvironment(t *testing.T) {
	needRoot(t)
	tests := []struct {
		name string
		args []string
		edit func(*Spec)
		want []string // lines the output must contain
	}{
		{"PID 1 in its own pid namespace", []string{"pid"}, nil, []string{"1 0"}},
		{"hostname and domainname", []string{"hostname"}, func(s *Spec) { s.Domainname = "example.com" }, []string{"testhost example.com"}},
		{"working directory is created", []string{"pwd"}, func(s *Spec) { s.Cwd = "/a/b" }, []string{"/a/b"}},
		{"umask is 0022", []string{"umask"}, nil, []string{"0022"}},
		{"root by default, HOME from passwd", []string{"env"}, nil, []string{"HOME=/root", "PATH=/bin:/usr/bin"}},
		{"HOME from Env wins", []string{"env"}, func(s *Spec) { s.Env = append(s.Env, "HOME=/x") }, []string{"HOME=/x"}},
		{"root's groups", []string{"status"}, nil, []string{"Uid:\t0\t0\t0\t0", "Gid:\t0\t0\t0\t0", "Groups:\t0 "}},
		{"named user", []string{"status"}, func(s *Spec) { s.User = "alice" }, []string{"Uid:\t1000\t1000\t1000\t1000", "Gid:\t1000\t1000\t1000\t1000", "Groups:\t50 1000 "}},
		{"named user's HOME", []string{"env"}, func(s *Spec) { s.User = "alice" }, []string{"HOME=/home/alice"}},
		{"unknown uid", []string{"status"}, func(s *Spec) { s.User = "1234" }, []string{"Uid:\t1234\t1234\t1234\t1234", "Gid:\t0\t0\t0\t0", "Groups:\t0 "}},
		{"unknown uid's HOME", []string{"env"}, func(s *Spec) { s.User = "1234" }, []string{"HOME=/"}},
		{"uid:gid", []string{"status"}, func(s *Spec) { s.User = "1000:50" }, []string{"Gid:\t50\t50\t50\t50", "Groups:\t50 "}},
		{"user:group names", []string{"status"}, func(s *Spec) { s.User = "alice:staff" }, []string{"Uid:\t1000\t1000\t1000\t1000", "Gid:\t50\t50\t50\t50"}},
		{"group-add", []string{"status"}, func(s *Spec) { s.GroupAdd = []string{"staff", "44"} }, []string{"Groups:\t0 44 50 "}},
		{"stdin is /dev/null without Stdin", []string{"stat", "/proc/self/fd/0"}, nil, []string{"Lrwx------ 0:0"}},
		{"no_new_privs is off by default", []string{"status"}, nil, []string{"NoNewPrivs:\t0"}},
		{"no_new_privs on request", []string{"status"}, func(s *Spec) { s.NoNewPrivileges = true }, []string{"NoNewPrivs:\t1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := newSpec(t, tt.args...)
			if tt.edit != nil {
				tt.edit(spec)
			}
			r := mustRun(t, spec)
			if r.status.Code != 0 {
				t.Fatalf("exit %d: %s", r.status.Code, r.stderr)
			}
			lines := strings.Split(r.stdout, "\n")
			for _, w := range tt.want {
				if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, w) }) {
					t.Errorf("output lacks %q:\n%s", w, r.stdout)
				}
			}
		})
	}
}

func TestUserErrors(t *testing.T) {
	needRoot(t)
	tests := []struct {
		user, cwd, want string
	}{
		{"nosuch", "", "unable to find user nosuch: no matching entries in passwd file"},
		{"0:nosuch", "", "unable to find group nosuch: no matching entries in group file"},
		{"", "/etc/passwd", "Cannot mkdir: /etc/passwd is not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			spec := newSpec(t, "true")
			spec.User, spec.Cwd = tt.user, tt.cwd
			_, err := runSpec(t, spec)
			var se *StartError
			if !errors.As(err, &se) || se.Msg != tt.want || !se.Daemon || se.ExitCode != 128 {
				t.Fatalf("got %#v", err)
			}
		})
	}
}

func TestContainerCapabilities(t *testing.T) {
	needRoot(t)
	have, _ := boundingSet()
	tests := []struct {
		name string
		edit func(*Spec)
		eff  uint64
		bnd  uint64
	}{
		{"Docker's default set", nil, 0xa80425fb, 0xa80425fb},
		{"cap-drop all, cap-add chown", func(s *Spec) { s.CapDrop = []string{"all"}; s.CapAdd = []string{"chown"} }, 1, 1},
		{"cap-add NET_ADMIN", func(s *Spec) { s.CapAdd = []string{"CAP_NET_ADMIN"} }, 0xa80435fb, 0xa80435fb},
		{"a user has none, the bounding set stays", func(s *Spec) { s.User = "alice" }, 0, 0xa80425fb},
		{"privileged gets what the host allows", func(s *Spec) { s.Privileged = true }, have, have},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := newSpec(t, "status")
			if tt.edit != nil {
				tt.edit(spec)
			}
			r := mustRun(t, spec)
			want := fmt.Sprintf("CapInh:\t%016x\nCapPrm:\t%016x\nCapEff:\t%016x\nCapBnd:\t%016x\nCapAmb:\t%016x\n", 0, tt.eff, tt.eff, tt.bnd, 0)
			if !strings.Contains(r.stdout, want) {
				t.Fatalf("got\n%s\nwant\n%s", r.stdout, want)
			}
		})
	}
}

func TestMounts(t *testing.T) {
	needRoot(t)
	hostDir := t.TempDir()
	os.WriteFile(filepath.Join(hostDir, "file"), []byte("from the host\n"), 0o644)
	tests := []struct {
		name   string
		mounts []Mount
		edit   func(*Spec)
		args   []string
		want   string
		code   int
	}{
		{"bind mount", []Mount{{Type: "bind", Source: hostDir, Destination: "/data"}}, nil, []string{"cat", "/data/file"}, "from the host\n", 0},
		{"bind mount of a file", []Mount{{Type: "bind", Source: filepath.Join(hostDir, "file"), Destination: "/etc/motd"}}, nil, []string{"cat", "/etc/motd"}, "from the host\n", 0},
		{"read-only bind", []Mount{{Type: "bind", Source: hostDir, Destination: "/data", Options: []string{"ro"}}}, nil, []string{"write", "/data/new"}, "open /data/new: read-only file system\n", 1},
		{"writable bind", []Mount{{Type: "bind", Source: hostDir, Destination: "/data", Options: []string{"rbind", "rw"}}}, nil, []string{"write", "/data/new"}, "ok\n", 0},
		{"tmpfs", []Mount{{Type: "tmpfs", Source: "tmpfs", Destination: "/scratch", Options: []string{"nosuid", "size=1m", "mode=1777"}}}, nil, []string{"stat", "/scratch"}, "dtrwxrwxrwx 0:0\n", 0},
		{"read-only rootfs", nil, func(s *Spec) { s.ReadonlyRootfs = true }, []string{"write", "/x"}, "open /x: read-only file system\n", 1},
		{"read-only rootfs keeps the workdir", nil, func(s *Spec) { s.ReadonlyRootfs = true; s.Cwd = "/w" }, []string{"pwd"}, "/w\n", 0},
		{"/dev", nil, nil, []string{"ls", "/dev"}, "fd\nfull\nmqueue\nnull\nptmx\npts\nrandom\nshm\nstderr\nstdin\nstdout\ntty\nurandom\nzero\n", 0},
		{"/dev/null", nil, nil, []string{"stat", "/dev/null"}, "Dcrw-rw-rw- 0:0\n", 0},
		{"/dev/shm", nil, nil, []string{"stat", "/dev/shm"}, "dtrwxrwxrwx 0:0\n", 0},
		{"masked file", nil, nil, []string{"cat", "/proc/keys"}, "", 0},
		{"masked directory", nil, nil, []string{"ls", "/sys/firmware"}, "", 0},
		{"read-only /proc/sys", nil, nil, []string{"write", "/proc/sys/kernel/hostname"}, "open /proc/sys/kernel/hostname: read-only file system\n", 1},
		{"read-only /sys", nil, nil, []string{"write", "/sys/kernel/x"}, "open /sys/kernel/x: read-only file system\n", 1},
		{"privileged: no masks", nil, func(s *Spec) { s.Privileged = true }, []string{"write", "/proc/sys/kernel/domainname"}, "ok\n", 0},
		{"sysctl", nil, func(s *Spec) { s.Sysctls = map[string]string{"net.ipv4.ip_forward": "1"} }, []string{"cat", "/proc/sys/net/ipv4/ip_forward"}, "1\n", 0},
		{"only lo, up, in a new network namespace", nil, nil, []string{"cat", "/sys/class/net/lo/flags"}, "0x9\n", 0},
	}
	if Rootless() {
		// The host's /dev/null, bound in, and /proc/sys belong to the
		// host's root, whom a rootless engine's namespace does not map:
		// unmasked is not writable then.
		for i := range tests {
			switch tests[i].name {
			case "/dev/null":
				tests[i].want = "Dcrw-rw-rw- 65534:65534\n"
			case "privileged: no masks":
				tests[i].want, tests[i].code = "open /proc/sys/kernel/domainname: permission denied\n", 1
			}
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := newSpec(t, tt.args...)
			spec.Mounts = tt.mounts
			if tt.edit != nil {
				tt.edit(spec)
			}
			r := mustRun(t, spec)
			if r.stdout != tt.want || r.status.Code != tt.code {
				t.Fatalf("got %d %q %q, want %d %q", r.status.Code, r.stdout, r.stderr, tt.code, tt.want)
			}
		})
	}
}

func TestSysctlError(t *testing.T) {
	spec := newSpec(t, "true")
	spec.Sysctls = map[string]string{"net.ipv4.nosuch": "1"}
	_, err := runSpec(t, spec)
	var se *StartError
	if !errors.As(err, &se) || se.Msg != "open /proc/sys/net/ipv4/nosuch: no such file or directory" || se.ExitCode != 127 || se.Daemon {
		t.Fatalf("got %#v", err)
	}
}

func TestNothingShowsOnTheHost(t *testing.T) {
	spec := newSpec(t, "sleep", "1h")
	p, err := Start(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	during, _ := os.ReadFile("/proc/self/mountinfo")
	if strings.Contains(string(during), filepath.Dir(spec.Rootfs.Target)) {
		t.Errorf("the container's mounts show on the host:\n%s", during)
	}
	if entries, _ := os.ReadDir(spec.Rootfs.Target); len(entries) != 0 {
		t.Errorf("the host sees the rootfs at %s", spec.Rootfs.Target)
	}
	p.Signal(syscall.SIGKILL)
	collect(t, p)
}

func TestNetworkModes(t *testing.T) {
	needRoot(t)
	hostNet, _ := os.Readlink("/proc/self/ns/net")
	netns := func(t *testing.T, spec *Spec) string {
		t.Helper()
		r := mustRun(t, spec)
		return strings.TrimSpace(r.stdout)
	}
	t.Run("a new namespace", func(t *testing.T) {
		if got := netns(t, newSpec(t, "stat", "/proc/self/ns/net")); got == "" {
			t.Fatal("no namespace")
		}
		spec := newSpec(t, "pid")
		r := mustRun(t, spec)
		_ = r
	})
	t.Run("host", func(t *testing.T) {
		spec := newSpec(t, "cat", "/proc/1/net/dev")
		spec.Network = "host"
		r := mustRun(t, spec)
		host, _ := os.ReadFile("/proc/self/net/dev")
		if countLines(r.stdout) != countLines(string(host)) {
			t.Fatalf("interfaces differ:\n%s\nhost:\n%s", r.stdout, host)
		}
		_ = hostNet
	})
	t.Run("another container's", func(t *testing.T) {
		a, err := Start(newSpec(t, "sleep", "1h"), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { a.Signal(syscall.SIGKILL); collect(t, a) }()
		want, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", a.Pid))
		spec := newSpec(t, "sleep", "1h")
		spec.Network = fmt.Sprintf("/proc/%d/ns/net", a.Pid)
		b, err := Start(spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", b.Pid))
		b.Signal(syscall.SIGKILL)
		collect(t, b)
		if got != want || got == hostNet {
			t.Fatalf("joined %s, want %s", got, want)
		}
	})
}

func countLines(s string) int { return strings.Count(strings.TrimSpace(s), "\n") + 1 }

func TestHook(t *testing.T) {
	t.Run("runs with the init's pid before the program", func(t *testing.T) {
		dir := t.TempDir()
		spec := newSpec(t, "cat", "/shared/hook")
		spec.Mounts = []Mount{{Type: "bind", Source: dir, Destination: "/shared"}}
		var hookPid int
		p, err := Start(spec, func(pid int) error {
			hookPid = pid
			time.Sleep(50 * time.Millisecond) // the init must wait for us
			return os.WriteFile(filepath.Join(dir, "hook"), []byte("hooked\n"), 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
		if hookPid != p.Pid {
			t.Fatalf("hook got %d, process is %d", hookPid, p.Pid)
		}
		if r := collect(t, p); r.stdout != "hooked\n" {
			t.Fatalf("got %q %q", r.stdout, r.stderr)
		}
	})
	t.Run("an error stops the start", func(t *testing.T) {
		spec := newSpec(t, "sleep", "1h")
		var pid int
		_, err := Start(spec, func(p int) error { pid = p; return errors.New("no network") })
		if err == nil || err.Error() != "no network" {
			t.Fatalf("got %v", err)
		}
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Fatalf("the init survived: %v", err)
		}
	})
}

func TestStdin(t *testing.T) {
	spec := newSpec(t, "stdin")
	spec.Stdin = true
	p, err := Start(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Stdin.Write([]byte("hello\n"))
	p.Stdin.Close()
	if r := collect(t, p); r.stdout != "hello\n" {
		t.Fatalf("got %q", r.stdout)
	}
}

func TestTerminal(t *testing.T) {
	t.Run("a pty of the container's own devpts", func(t *testing.T) {
		spec := newSpec(t, "tty")
		spec.Tty = true
		spec.ConsoleSize = [2]uint16{24, 80}
		r := mustRun(t, spec)
		if want := "tty=true size=24x80 name=/dev/pts/0 sid=1 fg=1\r\n"; r.stdout != want {
			t.Fatalf("got %q, want %q", r.stdout, want)
		}
	})
	t.Run("resize", func(t *testing.T) {
		spec := newSpec(t, "winch")
		spec.Tty = true
		p, err := Start(spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		lines := readLines(p.Console)
		if got := lines.next(t); got != "ready" {
			t.Fatalf("got %q", got)
		}
		if err := p.Resize(132, 43); err != nil {
			t.Fatal(err)
		}
		if got := lines.next(t); got != "size=43x132" {
			t.Fatalf("got %q", got)
		}
		p.Wait()
		p.Release()
	})
	t.Run("console", func(t *testing.T) {
		spec := newSpec(t, "stat", "/dev/console")
		spec.Tty = true
		spec.User = "alice"
		r := mustRun(t, spec)
		if want := "Dcrw--w---- 1000:5\r\n"; r.stdout != want {
			t.Fatalf("got %q, want %q", r.stdout, want)
		}
	})
}

func TestPauseResume(t *testing.T) {
	p, err := Start(newSpec(t, "trapterm"), nil)
	if err != nil {
		t.Fatal(err)
	}
	lines := readLines(p.Stdout)
	lines.next(t)
	if err := p.Pause(); err != nil {
		if Rootless() && errors.Is(err, ErrNoFreezer) {
			p.Signal(syscall.SIGKILL)
			p.Wait()
			p.Release()
			t.Skip("no freezer cgroup for a rootless engine here: Pause says so")
		}
		t.Fatal(err)
	}
	exited := make(chan ExitStatus, 1)
	go func() { exited <- p.Wait() }()
	p.Signal(syscall.SIGTERM)
	select {
	case st := <-exited:
		t.Fatalf("a frozen process exited: %+v", st)
	case <-time.After(200 * time.Millisecond):
	}
	if err := p.Resume(); err != nil {
		t.Fatal(err)
	}
	select {
	case st := <-exited:
		if st.Code != 42 {
			t.Fatalf("exit %+v", st)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still frozen")
	}
	if err := p.Release(); err != nil {
		t.Fatal(err)
	}
}

func TestPidsAndCgroups(t *testing.T) {
	spec := newSpec(t, "sleep", "1h")
	spec.Resources = Resources{PidsLimit: 50, Memory: 64 << 20, CPUShares: 512, NanoCPUs: 1.5e9}
	p, err := Start(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { p.Signal(syscall.SIGKILL); collect(t, p) }()
	pids, err := Pids(p.Pid)
	if err != nil || !slices.Equal(pids, []int{p.Pid}) {
		t.Fatalf("Pids = %v, %v; want [%d]", pids, err, p.Pid)
	}
	cg := p.sys.cg
	for file, want := range map[string]string{
		"pids.max": "50", "memory.limit_in_bytes": "67108864", "cpu.shares": "512",
		"cpu.cfs_quota_us": "150000", "cpu.cfs_period_us": "100000",
	} {
		ctrl, _, _ := strings.Cut(file, ".")
		d := cg.dir(ctrl)
		if d == "" {
			t.Logf("no %s controller on this host", ctrl)
			continue
		}
		if got, _ := readCgroup(d, file); got != want {
			t.Errorf("%s = %q, want %q", file, got, want)
		}
		if !strings.Contains(d, "/"+cgroupParent+"/"+spec.ID) {
			t.Errorf("cgroup %s is not named after the container", d)
		}
	}
	x, err := Exec(fixture.probe, p.Pid, &ExecSpec{Args: []string{"cat", "/sys/fs/cgroup/pids/pids.max"}, Env: spec.Env})
	if err != nil {
		t.Fatal(err)
	}
	if r := collect(t, x); cg.dir("pids") != "" && r.stdout != "50\n" {
		t.Errorf("the container sees pids.max %q %q %+v", r.stdout, r.stderr, r.status)
	}
}

func TestInitReaper(t *testing.T) {
	needRoot(t)
	tests := []struct {
		name  string
		args  []string
		init  bool
		code  int
		out   string
		errb  string
		after func(*Process)
	}{
		{"exit status passes through", []string{"exit", "3"}, true, 3, "", "", nil},
		{"orphans are reaped", []string{"orphan"}, true, 0, "zombies 0\n", "", nil},
		{"without it they are not", []string{"orphan"}, false, 0, "zombies 1\n", "", nil},
		{"a missing program", []string{"nosuch"}, true, 127, "", "[FATAL tini (1)] exec nosuch failed: No such file or directory\n", nil},
		{"signals are forwarded", []string{"sleep", "1h"}, true, 128 + 15, "", "", func(p *Process) {
			// The reaper listens for signals before it forks the child.
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
				if pids, _ := Pids(p.Pid); len(pids) == 2 {
					break
				}
			}
			p.Signal(syscall.SIGTERM)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := newSpec(t, tt.args...)
			spec.Init = tt.init
			p, err := Start(spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.after != nil {
				tt.after(p)
			}
			r := collect(t, p)
			if r.status.Code != tt.code || r.stdout != tt.out || r.stderr != tt.errb {
				t.Fatalf("got %d %q %q", r.status.Code, r.stdout, r.stderr)
			}
		})
	}
	t.Run("the reaper is PID 1, the program its child", func(t *testing.T) {
		spec := newSpec(t, "ps")
		spec.Init = true
		r := mustRun(t, spec)
		if !strings.HasPrefix(r.stdout, "1 (docker-init) S 0 1 1 ") || !strings.Contains(r.stdout, " (ps) R 1 ") {
			t.Fatalf("got\n%s", r.stdout)
		}
	})
}

func TestDevices(t *testing.T) {
	needRoot(t)
	// A real block device of the host: reading it from a container would
	// read the host's disk, which the devices cgroup forbids.
	var major, minor int
	entries, _ := os.ReadDir("/sys/dev/block")
	for _, e := range entries {
		if _, err := fmt.Sscanf(e.Name(), "%d:%d", &major, &minor); err == nil {
			break
		}
	}
	if major == 0 {
		t.Skip("no block device on this host")
	}
	dev := []string{"mknod", "/dev/disk", "b", fmt.Sprint(major), fmt.Sprint(minor)}
	t.Run("a container cannot open the host's disk", func(t *testing.T) {
		want := "open /dev/disk: operation not permitted\n"
		if Rootless() {
			want = "mknod: operation not permitted\n" // no device nodes in a user namespace
		}
		if r := mustRun(t, newSpec(t, dev...)); r.stdout != want {
			t.Fatalf("got %q", r.stdout)
		}
	})
	t.Run("a privileged one can", func(t *testing.T) {
		if Rootless() {
			t.Skip("no device nodes in a user namespace: a privileged container gets the host's bound in")
		}
		spec := newSpec(t, dev...)
		spec.Privileged = true
		if r := mustRun(t, spec); r.stdout != "ok\n" {
			t.Fatalf("got %q", r.stdout)
		}
	})
	t.Run("a privileged one has the host's devices", func(t *testing.T) {
		if _, err := os.Stat("/dev/kmsg"); err != nil {
			t.Skip("no /dev/kmsg on the host")
		}
		spec := newSpec(t, "stat", "/dev/kmsg")
		spec.Privileged = true
		if r := mustRun(t, spec); !strings.HasPrefix(r.stdout, "Dc") {
			t.Fatalf("got %q %q", r.stdout, r.stderr)
		}
	})
}

func TestOOMKill(t *testing.T) {
	if Rootless() {
		t.Skip("no memory cgroup to limit for a rootless engine")
	}
	spec := newSpec(t, "alloc", "256")
	spec.Resources.Memory = 32 << 20
	r := mustRun(t, spec)
	if r.status.Code != 137 || !r.status.OOM {
		t.Fatalf("got %+v %q", r.status, r.stdout)
	}
}

func TestInitWithTerminal(t *testing.T) {
	spec := newSpec(t, "tty")
	spec.Init = true
	spec.Tty = true
	r := mustRun(t, spec)
	var sid, fg int
	if _, err := fmt.Sscanf(r.stdout, "tty=true size=0x0 name=/dev/pts/0 sid=%d fg=%d", &sid, &fg); err != nil {
		t.Fatalf("got %q: %v", r.stdout, err)
	}
	if sid != 1 || fg == 1 {
		t.Fatalf("the program should be in the foreground in the reaper's session: %q", r.stdout)
	}
}
