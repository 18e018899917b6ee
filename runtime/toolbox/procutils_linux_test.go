package toolbox

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Expected outputs checked against busybox 1.35.0.
func TestKill(t *testing.T) {
	runCases(t, "kill", []appletCase{
		{args: []string{"-l", "9", "15", "143", "KILL"}, want: "KILL\nTERM\nTERM\n9\n"},
		{args: nil, stderr: "kill: you need to specify whom to kill\n", code: 1},
		{args: []string{"999999"}, stderr: "kill: can't kill pid 999999: No such process\n", code: 1},
		{args: []string{"-BOGUS", "1"}, stderr: "kill: bad signal name 'BOGUS'\n", code: 1},
		{args: []string{"abc"}, stderr: "kill: invalid number 'abc'\n", code: 1},
		{args: []string{"-0", fmt.Sprint(os.Getpid())}},
	})
	out, _, _ := run(t, "kill", "", "-l")
	if !strings.HasPrefix(out, " 1) HUP\n 2) INT\n 3) QUIT\n") || !strings.HasSuffix(out, "31) SYS\n") {
		t.Errorf("kill -l: %q", out)
	}
	cmd := exec.Command("sleep", "10")
	must(t, cmd.Start())
	runCases(t, "kill", []appletCase{{args: []string{"-s", "USR1", fmt.Sprint(cmd.Process.Pid)}}})
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGUSR1 {
		t.Errorf("kill -s USR1 did not deliver SIGUSR1: %v", err)
	}
}

func TestSignalNames(t *testing.T) {
	for in, want := range map[string]syscall.Signal{"TERM": 15, "sigterm": 15, "9": 9, "IO": syscall.SIGIO, "RTMIN+2": 36, "RTMAX": 64} {
		if got, ok := parseSignal(in); !ok || got != want {
			t.Errorf("parseSignal(%q) = %d %v", in, got, ok)
		}
	}
	if _, ok := parseSignal("BOGUS"); ok {
		t.Error("BOGUS parsed")
	}
}

func TestId(t *testing.T) {
	fakeUsers(t)
	runCases(t, "id", []appletCase{
		{args: []string{"root"}, want: "uid=0(root) gid=0(root) groups=0(root),10(wheel)\n"},
		{args: []string{"alice"}, want: "uid=1000(alice) gid=1000(alice) groups=1000(alice),10(wheel),50(staff)\n"},
		{args: []string{"-u", "alice"}, want: "1000\n"},
		{args: []string{"-un", "alice"}, want: "alice\n"},
		{args: []string{"-gn", "alice"}, want: "alice\n"},
		{args: []string{"-G", "alice"}, want: "1000 10 50\n"},
		{args: []string{"-Gn", "alice"}, want: "alice wheel staff\n"},
		{args: []string{"nosuchuser"}, stderr: "id: unknown user nosuchuser\n", code: 1},
		{args: []string{"-n"}, stderr: usageOf("id"), code: 1},
		{args: []string{"-u"}, want: fmt.Sprintf("%d\n", os.Geteuid())},
		{args: []string{"1001"}, want: "uid=1001(verylongusername) gid=1001 groups=1001\n"},
		{args: []string{"-gn", "verylongusername"}, want: "1001\n", stderr: "id: unknown ID 1001\n", code: 1},
	})
	if os.Geteuid() == 0 {
		runCases(t, "whoami", []appletCase{{want: "root\n"}})
	}
}

func TestUname(t *testing.T) {
	var u unix.Utsname
	must(t, unix.Uname(&u))
	s := func(b []byte) string { return string(bytes.TrimRight(b, "\x00")) }
	runCases(t, "uname", []appletCase{
		{want: "Linux\n"},
		{args: []string{"-r"}, want: s(u.Release[:]) + "\n"},
		{args: []string{"-a"}, want: strings.Join([]string{"Linux", s(u.Nodename[:]), s(u.Release[:]), s(u.Version[:]), s(u.Machine[:]), "GNU/Linux"}, " ") + "\n"},
		{args: []string{"-sm"}, want: "Linux " + s(u.Machine[:]) + "\n"},
		{args: []string{"-p", "-i"}, want: "unknown unknown\n"},
	})
}

func TestSleep(t *testing.T) {
	start := time.Now()
	runCases(t, "sleep", []appletCase{
		{args: []string{"0.1"}},
		{args: []string{"0.05s", "0.001m"}},
		{args: []string{"1x"}, stderr: "sleep: invalid number '1x'\n", code: 1},
		{args: nil, stderr: usageOf("sleep"), code: 1},
	})
	if d := time.Since(start); d < 200*time.Millisecond || d > 3*time.Second {
		t.Errorf("sleeps took %v", d)
	}
}

func TestEnv(t *testing.T) {
	t.Setenv("TOOLBOX_TEST", "x")
	out, _, code := run(t, "env", "")
	if code != 0 || !strings.Contains(out, "\nTOOLBOX_TEST=x\n") && !strings.HasPrefix(out, "TOOLBOX_TEST=x\n") {
		t.Errorf("env: %q", out)
	}
	runCases(t, "env", []appletCase{
		{args: []string{"-i", "A=1", "B=2"}, want: "A=1\nB=2\n"},
		{args: []string{"-i"}},
		{args: []string{"-u", "TOOLBOX_TEST", "-i", "C=3"}, want: "C=3\n"},
	})
}

// env execs the program (the process becomes it), so that is tested on
// the built binary in TestShellScripts; here only the failure path.
func TestEnvNotFound(t *testing.T) {
	runCases(t, "env", []appletCase{{args: []string{"-i", "nosuchcmd"}, stderr: "env: can't execute 'nosuchcmd': No such file or directory\n", code: 127}})
}

func TestWhich(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a/tool": "", "b/tool": "", "b/plain": ""})
	must(t, os.Chmod(filepath.Join(dir, "a/tool"), 0o755))
	must(t, os.Chmod(filepath.Join(dir, "b/tool"), 0o755))
	t.Setenv("PATH", filepath.Join(dir, "a")+":"+filepath.Join(dir, "b"))
	runCases(t, "which", []appletCase{
		{args: []string{"tool"}, want: filepath.Join(dir, "a/tool") + "\n"},
		{args: []string{"-a", "tool"}, want: filepath.Join(dir, "a/tool") + "\n" + filepath.Join(dir, "b/tool") + "\n"},
		{args: []string{"plain", "tool"}, want: filepath.Join(dir, "a/tool") + "\n", code: 1},
		{args: nil, stderr: usageOf("which"), code: 1},
	})
}

func TestXargs(t *testing.T) {
	runCases(t, "xargs", []appletCase{
		{args: []string{"-n", "2", "echo"}, stdin: `a b "c d" e\ f` + "\n", want: "a b\nc d e f\n"},
		{args: []string{"echo", "X"}, stdin: "\n", want: "X\n"},
		{args: []string{"-r", "echo", "X"}, stdin: "\n"},
		{args: []string{"-0", "-n1", "echo"}, stdin: "a\x00b c\x00", want: "a\nb c\n"},
		{args: []string{"-I{}", "echo", "[{}]"}, stdin: "x y\n", want: "[x y]\n"},
		{args: []string{"-t", "echo"}, stdin: "x y\n", want: "x y\n", stderr: "echo x y\n"},
		{args: []string{"-n", "2"}, stdin: "1\n2\n3\n", want: "1 2\n3\n"},
		{stdin: "a'b\n", stderr: "xargs: unmatched single quote\n", code: 1},
		{args: []string{"nosuchcmd"}, stdin: "a\n", stderr: "xargs: nosuchcmd: No such file or directory\n", code: 127},
		{args: []string{"false"}, stdin: "a\n", code: 123},
		{args: []string{"sh", "-c", "exit 255"}, stdin: "a\n", stderr: "xargs: sh: exited with status 255; aborting\n", code: 124},
	})
}

// failingWriter stops yes after some output.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	if w.n > 1<<16 {
		return 0, errors.New("closed")
	}
	return len(p), nil
}

func TestYes(t *testing.T) {
	w := &failingWriter{}
	c := &Context{Name: "yes", Stdout: w, Stderr: os.Stderr}
	if code := yes(c, []string{"ab", "cd"}); code != 1 {
		t.Errorf("yes returned %d after its output closed", code)
	}
}

func TestPs(t *testing.T) {
	out, _, code := run(t, "ps", "")
	lines := strings.Split(out, "\n")
	me := fmt.Sprintf("%5d ", os.Getpid())
	found := false
	for _, l := range lines {
		if strings.HasPrefix(l, me) {
			found = true
		}
	}
	if code != 0 || lines[0] != "PID   USER     TIME  COMMAND" || !found {
		t.Errorf("ps: %d %q", code, out)
	}
	out, _, _ = run(t, "ps", "", "aux")
	if !strings.HasPrefix(out, "PID   USER     TIME  COMMAND\n") {
		t.Errorf("ps aux: %q", out)
	}
	out, _, _ = run(t, "ps", "", "-o", "pid,ppid,user,comm,stat,args")
	if !strings.HasPrefix(out, "PID   PPID  USER     COMMAND          STAT COMMAND\n") {
		t.Errorf("ps -o header: %q", out)
	}
	out, _, _ = run(t, "ps", "", "-o", "comm=,pid=")
	if strings.HasPrefix(out, "COMMAND") || out == "" {
		t.Errorf("ps with empty headers printed a header: %q", out)
	}
	runCases(t, "ps", []appletCase{
		{args: []string{"-o", "bogus"}, stderr: "ps: bad -o argument 'bogus', supported arguments: user,group,comm,args,pid,ppid,pgid,time,nice,rgroup,ruser,tty,vsz,sid,stat,rss\n", code: 1},
		{args: []string{"-p", "1"}, stderr: "ps: invalid option -- 'p'\n" + usageOf("ps"), code: 1},
	})
}

func TestProcCommand(t *testing.T) {
	tests := []struct {
		p    procInfo
		want string
	}{
		{procInfo{comm: "sleep", args: "sleep 100"}, "sleep 100"},
		{procInfo{comm: "sleep", args: "/bin/sleep 100"}, "/bin/sleep 100"},
		{procInfo{comm: "exe", args: "sleep 100"}, "{exe} sleep 100"},
		{procInfo{comm: "kthreadd"}, "[kthreadd]"},
		{procInfo{comm: "boxlab-toolbox-", args: "/x/boxlab-toolbox-1234 sh"}, "/x/boxlab-toolbox-1234 sh"},
	}
	for _, tc := range tests {
		if got := tc.p.command(); got != tc.want {
			t.Errorf("command(%+v) = %q, want %q", tc.p, got, tc.want)
		}
	}
	if got := scale4(44032); got != "43m" {
		t.Errorf("scale4 = %q", got)
	}
	if got := psTime(6150); got != " 1:01" {
		t.Errorf("psTime = %q", got)
	}
}

func TestFreeUptimeMount(t *testing.T) {
	out, _, code := run(t, "free", "")
	lines := strings.Split(out, "\n")
	if code != 0 || lines[0] != "              total        used        free      shared  buff/cache   available" || !strings.HasPrefix(lines[1], "Mem:   ") || !strings.HasPrefix(lines[2], "Swap:  ") {
		t.Errorf("free: %q", out)
	}
	out, _, _ = run(t, "uptime", "")
	if !strings.Contains(out, " up ") || !strings.Contains(out, ",  load average: ") {
		t.Errorf("uptime: %q", out)
	}
	out, _, _ = run(t, "mount", "")
	if !strings.Contains(out, " on / type ") && !strings.Contains(out, " on /proc type proc (") {
		t.Errorf("mount: %q", out)
	}
	runCases(t, "mount", []appletCase{{args: []string{"-t", "tmpfs", "none", "/mnt"}, stderr: "mount: mounting is not supported by the boxlab toolbox; it only lists mounts\n", code: 1}})
	runCases(t, "clear", []appletCase{{want: "\033[H\033[J"}})
}

// Checked against busybox 1.35.0 (whose timeout signals PROG in its own
// pid; the statuses are the same).
func TestTimeout(t *testing.T) {
	runCases(t, "timeout", []appletCase{
		{args: []string{"2", "true"}},
		{args: []string{"0.2", "sleep", "3"}, code: 143},
		{args: []string{"-s", "KILL", "0.2", "sleep", "3"}, code: 137},
		{args: []string{"1", "sh", "-c", "exit 3"}, code: 3},
		{args: []string{"1", "nosuchcmd"}, stderr: "timeout: can't execute 'nosuchcmd': No such file or directory\n", code: 127},
	})
}

func TestPrintenvNproc(t *testing.T) {
	t.Setenv("TOOLBOX_A", "1")
	os.Unsetenv("TOOLBOX_NONE")
	runCases(t, "printenv", []appletCase{
		{args: []string{"TOOLBOX_A"}, want: "1\n"},
		{args: []string{"TOOLBOX_A", "TOOLBOX_NONE"}, want: "1\n", code: 1},
	})
	out, _, code := run(t, "nproc", "")
	if code != 0 || strings.TrimSpace(out) == "" || strings.TrimSpace(out) == "0" {
		t.Errorf("nproc: %d %q", code, out)
	}
}
