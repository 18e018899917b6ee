package lean_test

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/boxlab/boxlab/runtime/lean"
	"github.com/boxlab/boxlab/runtime/lean/leanbuild"
)

const regenerate = "the embedded toolbox is stale: run `go generate ./runtime/lean` and commit the result"

func recorded(t *testing.T) (inputs, goVersion string) {
	t.Helper()
	b, err := os.ReadFile("toolbox.inputs")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		t.Fatalf("toolbox.inputs: want \"<hash> <go version>\", got %q", b)
	}
	return f[0], f[1]
}

// The embedded binary was generated from exactly the current source tree.
func TestEmbeddedToolboxMatchesSource(t *testing.T) {
	want, _ := recorded(t)
	got, err := leanbuild.InputsHash("amd64")
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatal(regenerate)
	}
}

// Rebuilding with the recorded Go version reproduces the committed bytes.
func TestEmbeddedToolboxReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("rebuilds the toolbox; skipped in -short mode")
	}
	_, goVersion := recorded(t)
	if goVersion != runtime.Version() {
		t.Skipf("toolbox was generated with %s, this is %s: byte comparison needs the same toolchain (TestEmbeddedToolboxMatchesSource still checks the source)", goVersion, runtime.Version())
	}
	out := filepath.Join(t.TempDir(), "toolbox")
	if err := leanbuild.Build(out, "amd64"); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("toolbox_linux_amd64.bin")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal(regenerate)
	}
}

func TestInstallIsIdempotent(t *testing.T) {
	if _, err := lean.Toolbox(); err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	p1, err := lean.Install(dir)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := lean.Install(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p1 != p2 {
		t.Fatalf("paths differ: %s vs %s", p1, p2)
	}
	st, err := os.Stat(p1)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o755 {
		t.Fatalf("mode %v, want 0755", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("install left %d files, want 1", len(entries))
	}
}
