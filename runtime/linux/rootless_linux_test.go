package linux

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/boxlab/boxlab/internal/rootlesstest"
)

// TestRootless runs this package's container tests again as an ordinary
// user, in a user namespace made by UserNamespace.Start exactly as for a
// rootless engine: once with subordinate ids mapped, once with only the
// user's own uid. The tests expect what a rootless engine gives where it
// differs from root (Rootless).
const (
	// rootlessEnv marks the test binary TestRootless runs: "user" as the
	// ordinary user, which runs itself again in a new user namespace,
	// "userns" there.
	rootlessEnv = "BOXLAB_TEST_ROOTLESS"
	// probeEnv names a probe already built (by the root test): the
	// ordinary user has no Go toolchain set up.
	probeEnv = "BOXLAB_TEST_PROBE_BUILT"
)

func TestRootless(t *testing.T) {
	if os.Getenv(rootlessEnv) != "" {
		t.Skip("this is the rootless run")
	}
	if testing.Short() {
		t.Skip("runs the package's tests twice more")
	}
	needRoot(t)
	dir := rootlesstest.SharedDir(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := rootlesstest.CopyExecutable(t, self, dir)
	probe := rootlesstest.CopyExecutable(t, fixture.probe, dir)
	for _, tc := range []struct {
		name   string
		subIDs bool
	}{{"subordinate ids", true}, {"own uid only", false}} {
		t.Run(tc.name, func(t *testing.T) {
			u := rootlesstest.Get(t, tc.subIDs)
			// TestLeanToolbox hashes the sources with the go command,
			// which has no module cache for the test user.
			cmd := u.Command([]string{rootlessEnv + "=user", probeEnv + "=" + probe}, bin,
				"-test.skip", "^(TestRootless|TestLeanToolbox)$", "-test.count", "1", "-test.v")
			cmd.Dir, _ = os.Getwd() // for the tests that read the package's files, if the user may
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("the tests failed as %s in a user namespace: %v\n%s", u.Name, err, out)
			}
			// Not skipped for want of root: containers did run.
			if !strings.Contains(string(out), "--- PASS: TestExitCodes") {
				t.Fatalf("the container tests did not run as %s in a user namespace:\n%s", u.Name, out)
			}
			if testing.Verbose() {
				t.Logf("%s", out)
			}
		})
	}
}

// rootlessMain is TestMain's part in TestRootless's runs: as the ordinary
// user it runs the tests again in a new user namespace and exits with their
// status; in that namespace it finishes entering it and returns.
func rootlessMain() {
	switch os.Getenv(rootlessEnv) {
	case "user":
		self, err := os.Executable()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		cmd := exec.Command(self, os.Args[1:]...)
		cmd.Env = append(os.Environ(), rootlessEnv+"=userns")
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := NewUserNamespace().Start(cmd); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		cmd.Wait()
		os.Exit(cmd.ProcessState.ExitCode())
	case "userns":
		if err := EnterUserNamespace(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if !Rootless() {
			fmt.Fprintln(os.Stderr, "the rootless run is not in a user namespace")
			os.Exit(1)
		}
	}
}

// skipUnmapped skips a test whose container runs as a user that a rootless
// engine mapping only its own uid does not have: refusing it is what such
// an engine does (TestCheckMapped).
func skipUnmapped(tb testing.TB, err error) {
	tb.Helper()
	if err == nil || !Rootless() || len(ownUserns().uids) > 1 {
		return
	}
	if msg := err.Error(); strings.Contains(msg, "is not mapped in the rootless engine's user namespace") ||
		strings.Contains(msg, "supplementary groups need newgidmap") {
		tb.Skipf("rootless with one id mapped: %v", err)
	}
}
