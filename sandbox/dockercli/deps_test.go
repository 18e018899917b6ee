package dockercli

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyFence keeps the learner's `docker` lean and on its side of
// the API: it must not link the lesson UI (whose package init costs tens
// of milliseconds per start) and must reach the engine only through the
// Engine API, never through runtime internals.
func TestDependencyFence(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not available")
	}
	out, err := exec.Command(gobin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	forbidden := []string{
		"github.com/charmbracelet/", "github.com/alecthomas/chroma", "github.com/yuin/goldmark",
		"github.com/AlecAivazis/survey", "github.com/muesli/", "github.com/boxlab/boxlab/runtime",
		"github.com/boxlab/boxlab/lessons", "github.com/boxlab/boxlab/checker",
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if strings.HasPrefix(pkg, f) {
				t.Errorf("dockercli depends on %s", pkg)
			}
		}
	}
}
