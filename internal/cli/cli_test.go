package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/boxlab/boxlab/runtime/daemon"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"boxlab": func() { os.Exit(Main()) },
	})
}

// TestScripts runs testdata/script/*.txtar. Scripts with the [engine]
// condition get a fresh boxlab engine of their own (needs root) and
// DOCKER_HOST pointing at it.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "root":
				return os.Geteuid() == 0, nil
			}
			return false, nil
		},
		Setup: func(env *testscript.Env) error {
			env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, ".data"))
			env.Setenv("XDG_RUNTIME_DIR", filepath.Join(env.WorkDir, ".run"))
			if os.Geteuid() != 0 {
				return nil
			}
			d, err := daemon.Start(daemon.Options{
				Root:   filepath.Join(env.WorkDir, ".data", "boxlab"),
				Socket: filepath.Join(env.WorkDir, ".run", "boxlab", "engine.sock"),
			})
			if err != nil {
				return err
			}
			env.Defer(func() { d.Close() })
			env.Setenv("DOCKER_HOST", d.Host())
			return nil
		},
	})
}
