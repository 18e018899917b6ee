package toolbox

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestPID1RuleApplies(t *testing.T) {
	tests := []struct {
		applet *Applet
		pid    int
		want   bool
	}{
		{&Applet{Name: "sh"}, 1, true},
		{&Applet{Name: "sh"}, 42, false},
		{&Applet{Name: "server", OwnSignals: true}, 1, false},
	}
	for _, tc := range tests {
		if got := appliesPID1Rule(tc.applet, tc.pid); got != tc.want {
			t.Errorf("appliesPID1Rule(%s OwnSignals=%v, pid %d) = %v", tc.applet.Name, tc.applet.OwnSignals, tc.pid, got)
		}
	}
}

// The caught signals leave the process running (TERM and PIPE would make
// the Go runtime exit), and writes to a closed pipe fail with EPIPE
// instead of killing it. Run in a child process so the test binary keeps
// its own dispositions.
func TestCatchTerminatingSignals(t *testing.T) {
	if os.Getenv("TOOLBOX_CATCH_CHILD") == "1" {
		catchTerminatingSignals()
		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR2, syscall.SIGALRM} {
			syscall.Kill(os.Getpid(), sig)
		}
		// A closed pipe on stdout: Go raises SIGPIPE for fds 1 and 2.
		r, w, _ := os.Pipe()
		r.Close()
		syscall.Dup2(int(w.Fd()), 1)
		_, err := os.Stdout.Write([]byte("x"))
		time.Sleep(100 * time.Millisecond)
		os.Stderr.WriteString("alive: " + err.Error() + "\n")
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCatchTerminatingSignals$")
	cmd.Env = append(os.Environ(), "TOOLBOX_CATCH_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "alive: write /dev/stdout: broken pipe") {
		t.Errorf("child: %v %q", err, out)
	}
}
