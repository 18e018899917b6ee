package fence

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/boxlab/boxlab/"

// deps lists every package pkg depends on (transitively), from go list.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-json=ImportPath", mod+pkg).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkg, err)
	}
	var list []string
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct{ ImportPath string }
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		list = append(list, p.ImportPath)
	}
	return list
}

func TestImportFence(t *testing.T) {
	for _, rule := range []struct {
		pkg       string
		forbidden []string
		why       string
	}{
		{
			pkg:       "cmd/boxlab-toolbox",
			forbidden: []string{"github.com/charmbracelet/", "github.com/alecthomas/chroma", "github.com/yuin/goldmark", "github.com/spf13/cobra", "github.com/moby/moby/client", "github.com/vishvananda/netlink", "net/http"},
			why:       "the lean toolbox is every container's init and every tool in the built-in images: it must start as fast as a plain Go program",
		},
		{
			pkg:       "sandbox/dockercli",
			forbidden: []string{"github.com/charmbracelet/", "github.com/alecthomas/chroma", "github.com/yuin/goldmark", mod + "runtime/"},
			why:       "the learner's docker command speaks only the Engine API and must not pay for the UI",
		},
		{
			pkg:       "runtime/engine",
			forbidden: []string{"github.com/charmbracelet/", mod + "lessons", mod + "sandbox", mod + "checker", mod + "runtime/api"},
			why:       "the engine knows nothing of lessons, the UI or HTTP",
		},
		{
			pkg:       "runtime/linux",
			forbidden: []string{mod + "runtime/engine", mod + "runtime/image", "github.com/moby/moby/client"},
			why:       "the process layer is below the engine",
		},
	} {
		for _, d := range deps(t, rule.pkg) {
			for _, f := range rule.forbidden {
				if d == strings.TrimSuffix(f, "/") || strings.HasPrefix(d, f) {
					t.Errorf("%s imports %s: %s", rule.pkg, d, rule.why)
				}
			}
		}
	}
}
