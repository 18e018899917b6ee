package linux

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// startSleeper starts a long-running container for exec tests.
func startSleeper(t *testing.T) (*Spec, *Process) {
	t.Helper()
	spec := newSpec(t, "sleep", "1h")
	spec.Hostname = "execbox"
	p, err := Start(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Signal(syscall.SIGKILL)
		collect(t, p)
	})
	return spec, p
}

func TestExec(t *testing.T) {
	spec, c := startSleeper(t)
	env := spec.Env
	tests := []struct {
		name   string
		es     ExecSpec
		code   int
		stdout func(string) bool
		stderr string
	}{
		{"in the container's pid namespace", ExecSpec{Args: []string{"pid"}}, 0, func(s string) bool {
			f := strings.Fields(s)
			n, _ := strconv.Atoi(f[0])
			return len(f) == 2 && n > 1 && f[1] == "0"
		}, ""},
		{"sees the container's processes", ExecSpec{Args: []string{"ps"}}, 0, func(s string) bool {
			return strings.HasPrefix(s, "1 (sleep) S 0 ")
		}, ""},
		{"in the container's mount namespace", ExecSpec{Args: []string{"cat", "/proc/self/mountinfo"}}, 0, func(s string) bool {
			f := strings.Fields(s)
			return len(f) > 8 && f[4] == "/" && strings.Contains(s, " - overlay overlay ")
		}, ""},
		{"in the container's uts namespace", ExecSpec{Args: []string{"hostname"}}, 0, func(s string) bool { return s == "execbox (none)\n" }, ""},
		{"working directory", ExecSpec{Args: []string{"pwd"}, Cwd: "/etc"}, 0, func(s string) bool { return s == "/etc\n" }, ""},
		{"as a user", ExecSpec{Args: []string{"status"}, User: "alice"}, 0, func(s string) bool {
			return strings.Contains(s, "Uid:\t1000\t") && strings.Contains(s, "CapEff:\t0000000000000000") && strings.Contains(s, "CapBnd:\t00000000a80425fb")
		}, ""},
		{"root gets Docker's capabilities", ExecSpec{Args: []string{"status"}}, 0, func(s string) bool {
			return strings.Contains(s, "CapEff:\t00000000a80425fb")
		}, ""},
		{"environment and HOME", ExecSpec{Args: []string{"env"}, Env: []string{"PATH=/bin", "A=b"}}, 0, func(s string) bool {
			return s == "PATH=/bin\nA=b\nHOME=/root\n"
		}, ""},
		{"exit status", ExecSpec{Args: []string{"exit", "3"}}, 3, func(s string) bool { return s == "" }, ""},
		{"not a program", ExecSpec{Args: []string{"/bin/garbage"}}, 1, func(s string) bool { return s == "" }, "exec /bin/garbage: exec format error\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := tt.es
			if es.Env == nil {
				es.Env = env
			}
			x, err := Exec(fixture.probe, c.Pid, &es)
			if err != nil {
				skipUnmapped(t, err)
				t.Fatal(err)
			}
			r := collect(t, x)
			if r.status.Code != tt.code || !tt.stdout(r.stdout) || r.stderr != tt.stderr {
				t.Fatalf("got %d %q %q", r.status.Code, r.stdout, r.stderr)
			}
		})
	}
}

func TestExecErrors(t *testing.T) {
	spec, c := startSleeper(t)
	tests := []struct {
		name   string
		es     ExecSpec
		msg    string
		code   int
		daemon bool
	}{
		{"not found", ExecSpec{Args: []string{"nosuch"}}, `exec: "nosuch": executable file not found in $PATH`, 127, false},
		{"a directory", ExecSpec{Args: []string{"/etc"}}, `exec: "/etc": is a directory`, 126, false},
		{"not executable", ExecSpec{Args: []string{"/etc/passwd"}}, `exec: "/etc/passwd": permission denied`, 126, false},
		{"missing working directory", ExecSpec{Args: []string{"true"}, Cwd: "/nope"}, `chdir to cwd ("/nope") set in config.json failed: no such file or directory`, 127, false},
		{"unknown user", ExecSpec{Args: []string{"true"}, User: "nosuch"}, "unable to find user nosuch: no matching entries in passwd file", 126, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := tt.es
			es.Env = spec.Env
			x, err := Exec(fixture.probe, c.Pid, &es)
			var se *StartError
			if !errors.As(err, &se) {
				if x != nil {
					collect(t, x)
				}
				t.Fatalf("got %v", err)
			}
			if se.Msg != tt.msg || se.ExitCode != tt.code || se.Daemon != tt.daemon {
				t.Fatalf("got %+v", se)
			}
		})
	}
}

func TestExecInteractive(t *testing.T) {
	spec, c := startSleeper(t)
	t.Run("stdin", func(t *testing.T) {
		x, err := Exec(fixture.probe, c.Pid, &ExecSpec{Args: []string{"stdin"}, Env: spec.Env, Stdin: true})
		if err != nil {
			t.Fatal(err)
		}
		x.Stdin.Write([]byte("typed\n"))
		x.Stdin.Close()
		if r := collect(t, x); r.stdout != "typed\n" {
			t.Fatalf("got %q", r.stdout)
		}
	})
	t.Run("tty", func(t *testing.T) {
		x, err := Exec(fixture.probe, c.Pid, &ExecSpec{Args: []string{"tty"}, Env: spec.Env, Tty: true, ConsoleSize: [2]uint16{30, 100}})
		if err != nil {
			t.Fatal(err)
		}
		r := collect(t, x)
		want := "tty=true size=30x100 name=/dev/pts/0 "
		if !strings.HasPrefix(r.stdout, want) {
			t.Fatalf("got %q, want %q...", r.stdout, want)
		}
		var sid, fg int
		fmt.Sscanf(r.stdout[len(want):], "sid=%d fg=%d", &sid, &fg)
		if sid < 2 || fg != sid {
			t.Fatalf("not a session leader with the terminal: %q", r.stdout)
		}
	})
	t.Run("signals", func(t *testing.T) {
		x, err := Exec(fixture.probe, c.Pid, &ExecSpec{Args: []string{"trapterm"}, Env: spec.Env})
		if err != nil {
			t.Fatal(err)
		}
		lines := readLines(x.Stdout)
		lines.next(t)
		pids, err := Pids(c.Pid)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(pids)
		want := []int{c.Pid, x.Pid}
		slices.Sort(want)
		if !slices.Equal(pids, want) {
			t.Errorf("Pids = %v, want %v (the container's init and the exec'd program)", pids, want)
		}
		if err := x.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if st := x.Wait(); st.Code != 42 {
			t.Fatalf("exit %+v", st)
		}
		x.Release()
		if err := x.Pause(); !errors.Is(err, ErrNotInit) {
			t.Fatalf("Pause on an exec: %v", err)
		}
	})
	t.Run("SIGKILL", func(t *testing.T) {
		x, err := Exec(fixture.probe, c.Pid, &ExecSpec{Args: []string{"sleep", "1h"}, Env: spec.Env})
		if err != nil {
			t.Fatal(err)
		}
		x.Signal(syscall.SIGKILL)
		if r := collect(t, x); r.status.Code != 137 || r.status.Signal != syscall.SIGKILL {
			t.Fatalf("exit %+v", r.status)
		}
	})
	t.Run("dies with the container", func(t *testing.T) {
		spec, c := startSleeper(t)
		x, err := Exec(fixture.probe, c.Pid, &ExecSpec{Args: []string{"sleep", "1h"}, Env: spec.Env})
		if err != nil {
			t.Fatal(err)
		}
		c.Signal(syscall.SIGKILL)
		if r := collect(t, x); r.status.Code != 137 {
			t.Fatalf("exit %+v", r.status)
		}
		if err := syscall.Kill(x.Pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Fatalf("the exec'd process survived: %v", err)
		}
	})
}

func TestExecIntoANonContainer(t *testing.T) {
	needRoot(t)
	_, err := Exec(fixture.probe, os.Getpid(), &ExecSpec{Args: []string{"true"}})
	if err == nil || !strings.Contains(err.Error(), "is not a container's init") {
		t.Fatalf("got %v", err)
	}
}

func TestPidsOfAMissingProcess(t *testing.T) {
	needRoot(t)
	if _, err := Pids(1 << 22); err == nil {
		t.Fatal("no error")
	}
}
