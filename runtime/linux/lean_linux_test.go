package linux

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boxlab/boxlab/runtime/lean"
	"github.com/boxlab/boxlab/runtime/lean/leanbuild"
)

// The embedded lean toolbox, the binary the engine really runs, dispatches
// to Init, ExecHelper and Reaper. Skipped when it is stale (the lean
// package's own test says so): it would carry older code of this package.
func TestLeanToolbox(t *testing.T) {
	needRoot(t)
	if testing.Short() {
		t.Skip("hashes the toolbox's sources; skipped in -short mode")
	}
	recorded, err := os.ReadFile("../lean/toolbox.inputs")
	if err != nil {
		t.Skip(err)
	}
	current, err := leanbuild.InputsHash("amd64")
	if err != nil {
		t.Skip(err)
	}
	if f := strings.Fields(string(recorded)); len(f) == 0 || f[0] != current {
		t.Skip("the embedded toolbox is stale: run go generate ./runtime/lean")
	}
	toolbox, err := lean.Install(t.TempDir())
	if err != nil {
		t.Skip(err)
	}
	b, _ := os.ReadFile(toolbox)
	lower := t.TempDir()
	os.MkdirAll(filepath.Join(lower, "bin"), 0o755)
	os.WriteFile(filepath.Join(lower, "bin/boxlab-toolbox"), b, 0o755)
	for _, a := range []string{"sh", "echo", "true"} {
		os.Symlink("boxlab-toolbox", filepath.Join(lower, "bin", a))
	}
	spec := func(args ...string) *Spec {
		s := newSpec(t, args...)
		s.Toolbox = toolbox
		s.Rootfs.Lower = []string{lower}
		return s
	}
	if r := mustRun(t, spec("sh", "-c", "echo $$; exit 3")); r.stdout != "1\n" || r.status.Code != 3 {
		t.Errorf("sh as PID 1: %+v", r)
	}
	s := spec("echo", "reaped")
	s.Init = true
	if r := mustRun(t, s); r.stdout != "reaped\n" || r.status.Code != 0 {
		t.Errorf("--init: %+v", r)
	}
	s = spec("sh", "-c", "read x; echo $x")
	s.Stdin = true
	p, err := Start(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	x, err := Exec(toolbox, p.Pid, &ExecSpec{Args: []string{"echo", "exec'd"}, Env: s.Env})
	if err != nil {
		t.Fatal(err)
	}
	if r := collect(t, x); r.stdout != "exec'd\n" {
		t.Errorf("exec: %+v", r)
	}
	p.Stdin.Write([]byte("bye\n"))
	if r := collect(t, p); r.stdout != "bye\n" {
		t.Errorf("stdin: %+v", r)
	}
}
