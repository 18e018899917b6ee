package conformance

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"mvdan.cc/sh/v3/shell"

	"github.com/boxlab/boxlab/runtime/daemon"
)

var (
	boxlabHost string
	refHost    string
	skipReason string
)

func TestMain(m *testing.M) {
	os.Exit(setup(m))
}

func setup(m *testing.M) int {
	docker, err := exec.LookPath("docker")
	if err != nil {
		skipReason = "no docker CLI on PATH"
		return m.Run()
	}
	_ = docker
	refHost = os.Getenv("BOXLAB_REF_DOCKER_HOST")
	if refHost == "" {
		for _, sock := range []string{"/tmp/boxlab-ci-docker/docker.sock", "/tmp/boxlab-ref-docker/docker.sock"} {
			if _, err := os.Stat(sock); err == nil {
				refHost = "unix://" + sock
				break
			}
		}
	}
	if refHost == "" || !reachable(refHost) {
		skipReason = "no reference dockerd (run .ci/reference-dockerd and set BOXLAB_REF_DOCKER_HOST)"
		return m.Run()
	}
	if os.Geteuid() != 0 {
		skipReason = "boxlab's engine needs root for these tests"
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "boxlab-conformance-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	d, err := daemon.Start(daemon.Options{Root: filepath.Join(dir, "root"), Socket: filepath.Join(dir, "engine.sock")})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start boxlab engine:", err)
		return 1
	}
	defer d.Close()
	boxlabHost = d.Host()
	if err := shareImage("boxlab/base"); err != nil {
		fmt.Fprintln(os.Stderr, "load boxlab/base into the reference engine:", err)
		return 1
	}
	return m.Run()
}

func reachable(host string) bool {
	cmd := exec.Command("docker", "version", "--format", "{{.Server.Version}}")
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+host)
	return cmd.Run() == nil
}

// shareImage copies an image from boxlab to the reference engine with
// docker save | docker load, unless the reference has the same image id.
func shareImage(ref string) error {
	want, _, code := dockerCmd(boxlabHost, "image", "inspect", "--format", "{{.Id}}", ref)
	if code != 0 {
		return fmt.Errorf("boxlab has no %s", ref)
	}
	if got, _, code := dockerCmd(refHost, "image", "inspect", "--format", "{{.Id}}", ref); code == 0 && got == want {
		return nil
	}
	save := exec.Command("docker", "save", ref)
	save.Env = append(os.Environ(), "DOCKER_HOST="+boxlabHost)
	load := exec.Command("docker", "load")
	load.Env = append(os.Environ(), "DOCKER_HOST="+refHost)
	pipe, err := save.StdoutPipe()
	if err != nil {
		return err
	}
	load.Stdin = pipe
	var loadErr bytes.Buffer
	load.Stderr = &loadErr
	if err := save.Start(); err != nil {
		return err
	}
	if err := load.Run(); err != nil {
		return fmt.Errorf("docker load: %v: %s", err, loadErr.String())
	}
	return save.Wait()
}

// unique makes the scenario's container names ("conf-…") this process's
// own, so concurrent runs of the suite on one machine do not collide.
var unique = strings.NewReplacer("conf-", fmt.Sprintf("conf%d-", os.Getpid()))

// dockerCmd runs the real docker CLI against host.
func dockerCmd(host string, args ...string) (stdout, stderr string, code int) {
	args = append([]string(nil), args...)
	for i, a := range args {
		args[i] = unique.Replace(a)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+host)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		code = -1
	}
	return out.String(), errb.String(), code
}

func needEngines(t *testing.T) {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
}

var (
	longID   = regexp.MustCompile(`\b[0-9a-f]{64}\b`)
	shortHex = regexp.MustCompile(`\b[0-9a-f]{12}\b`)
	duration = regexp.MustCompile(`(Less than a second|About a minute|About an hour|\d+ (seconds|minutes|hours|days))`)
)

// normalize hides what legitimately differs between two engines: ids,
// generated names given as NAME_n, and humanized durations.
func normalize(s string) string {
	s = longID.ReplaceAllString(s, "<ID>")
	s = shortHex.ReplaceAllString(s, "<SHORTID>")
	s = duration.ReplaceAllString(s, "<DURATION>")
	return strings.ReplaceAll(s, fmt.Sprintf("conf%d-", os.Getpid()), "conf-")
}

// step is one docker invocation of a scenario and how to compare it.
type step struct {
	args []string
	// compare: "exact" (normalized stdout and exit code), "exit" (exit code
	// only), "sorted" (stdout lines as a set), "stderr~" (exit code and
	// every fragment in want found in both stderrs).
	compare string
	want    []string
}

// sh splits a command line into words as a POSIX shell would (quotes
// honoured, no expansion of $ inside single quotes).
func sh(s string) []string {
	words, err := shell.Fields(s, func(name string) string { return "$" + name })
	if err != nil {
		panic(fmt.Sprintf("bad scenario command %q: %v", s, err))
	}
	return words
}

// runScenario runs steps on both engines in lockstep and compares them.
func runScenario(t *testing.T, steps []step, cleanup ...[]string) {
	t.Helper()
	needEngines(t)
	for _, host := range []string{boxlabHost, refHost} {
		for _, c := range cleanup {
			dockerCmd(host, c...)
		}
	}
	t.Cleanup(func() {
		for _, host := range []string{boxlabHost, refHost} {
			for _, c := range cleanup {
				dockerCmd(host, c...)
			}
		}
	})
	for i, s := range steps {
		bo, be, bc := dockerCmd(boxlabHost, s.args...)
		ro, re, rc := dockerCmd(refHost, s.args...)
		where := fmt.Sprintf("step %d: docker %s", i+1, strings.Join(s.args, " "))
		if bc != rc {
			t.Errorf("%s: exit code boxlab %d, docker %d\nboxlab stdout: %q stderr: %q\ndocker stdout: %q stderr: %q", where, bc, rc, bo, be, ro, re)
			continue
		}
		switch s.compare {
		case "exact":
			if normalize(bo) != normalize(ro) {
				t.Errorf("%s: stdout differs\nboxlab: %q\ndocker: %q", where, bo, ro)
			}
		case "sorted":
			if sortedLines(normalize(bo)) != sortedLines(normalize(ro)) {
				t.Errorf("%s: stdout lines differ\nboxlab: %q\ndocker: %q", where, bo, ro)
			}
		case "stderr~":
			for _, frag := range s.want {
				if !strings.Contains(normalize(be), frag) || !strings.Contains(normalize(re), frag) {
					t.Errorf("%s: stderr should contain %q on both\nboxlab: %q\ndocker: %q", where, frag, be, re)
				}
			}
		case "exit":
		default:
			t.Fatalf("%s: unknown compare mode %q", where, s.compare)
		}
	}
}

func sortedLines(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
