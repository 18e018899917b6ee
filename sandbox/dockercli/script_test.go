package dockercli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"docker": func() { os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// refDockerHost is the reference dockerd the scripts run against:
// $DOCKER_HOST_REF, or the socket the project's CI starts.
func refDockerHost() (string, bool) {
	if h := os.Getenv("DOCKER_HOST_REF"); h != "" {
		return h, true
	}
	const sock = "/tmp/boxlab-ref-docker/docker.sock"
	if _, err := os.Stat(sock); err == nil {
		return "unix://" + sock, true
	}
	return "", false
}

// refImage is the small image the scripts run: busybox:ref on the
// project's reference dockerd, $DOCKER_IMAGE_REF elsewhere (boxlab/base
// on boxlab's engine).
func refImage() string {
	if i := os.Getenv("DOCKER_IMAGE_REF"); i != "" {
		return i
	}
	return "busybox:ref"
}

// TestScripts runs testdata/script/*.txtar against the reference dockerd.
// `docker` in a script is boxlab's CLI; `dockercmp ARGS` runs the same
// command line with the real docker CLI and with boxlab's and fails
// unless exit status, stdout and stderr agree (after masking IDs, times
// and the per-CLI name prefix). In arguments, @name becomes a container
// name unique to the run and to each CLI, so state-changing commands can
// be compared side by side.
func TestScripts(t *testing.T) {
	host, ok := refDockerHost()
	if !ok {
		t.Skip("no reference dockerd (set DOCKER_HOST_REF or start /tmp/boxlab-ref-docker/docker.sock)")
	}
	real, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("reference docker CLI not installed")
	}
	api, err := client.New(client.WithHost(host))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.Ping(context.Background(), client.PingOptions{}); err != nil {
		t.Skipf("reference dockerd at %s not answering: %v", host, err)
	}
	runID := strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			prefix := "bxlts" + runID + strconv.Itoa(os.Getpid()%1000) + "-" + sanitize(env.WorkDir[strings.LastIndex(env.WorkDir, "/")+1:]) + "-"
			env.Setenv("DOCKER_HOST", host)
			env.Setenv("DOCKER_CONFIG", env.WorkDir+"/.docker")
			env.Setenv("REALDOCKER", real)
			env.Setenv("NAMEPREFIX", prefix)
			env.Setenv("IMAGE", refImage())
			env.Defer(func() { removeContainers(api, prefix) })
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"dockercmp": cmdDockerCmp,
			"sleep": func(ts *testscript.TestScript, neg bool, args []string) {
				d, err := time.ParseDuration(args[0])
				if err != nil {
					ts.Fatalf("sleep: %v", err)
				}
				time.Sleep(d)
			},
		},
	})
}

func sanitize(s string) string {
	return regexp.MustCompile(`[^a-zA-Z0-9]`).ReplaceAllString(s, "")
}

// removeContainers deletes what a script left behind; the reference
// daemon is shared, so only names with this run's prefix are touched.
func removeContainers(api *client.Client, prefix string) {
	ctx := context.Background()
	res, err := api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: client.Filters{}.Add("name", prefix)})
	if err != nil {
		return
	}
	for _, c := range res.Items {
		for _, n := range c.Names {
			if strings.HasPrefix(strings.TrimPrefix(n, "/"), prefix) {
				_, _ = api.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
				break
			}
		}
	}
}

var atName = regexp.MustCompile(`@([a-zA-Z0-9_.-]*)`)

// expandNames replaces @name with the CLI's own container name.
func expandNames(ts *testscript.TestScript, args []string, cli string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = atName.ReplaceAllString(a, ts.Getenv("NAMEPREFIX")+cli+"-$1")
	}
	return out
}

type cliResult struct {
	stdout, stderr string
	code           int
}

// compareTimeout bounds one CLI invocation, so a daemon that never
// answers fails the script instead of hanging the test.
const compareTimeout = 60 * time.Second

func runForCompare(ts *testscript.TestScript, bin string, args []string, stdin string) cliResult {
	ctx, cancel := context.WithTimeout(context.Background(), compareTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = ts.Getenv("WORK")
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+ts.Getenv("DOCKER_HOST"), "DOCKER_CONFIG="+ts.Getenv("DOCKER_CONFIG"), "HOME="+ts.Getenv("WORK"))
	if stdin != "" {
		cmd.Stdin = strings.NewReader(ts.ReadFile(stdin))
	}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ctx.Err() != nil {
		ts.Fatalf("%s %s: no answer within %v", bin, strings.Join(args, " "), compareTimeout)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		ts.Fatalf("%s: %v", bin, err)
	}
	return cliResult{o.String(), e.String(), code}
}

// cmdDockerCmp implements `dockercmp [-stdin file] [-sorted] ARGS...`.
// The boxlab CLI runs first; the real one second. -sorted compares
// output lines as sets (for commands whose order is the daemon's whim).
func cmdDockerCmp(ts *testscript.TestScript, neg bool, args []string) {
	var stdin string
	sorted := false
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && (args[0] == "-stdin" || args[0] == "-sorted") {
		switch args[0] {
		case "-stdin":
			stdin, args = args[1], args[2:]
		case "-sorted":
			sorted, args = true, args[1:]
		}
	}
	ours := runForCompare(ts, lookPathIn("docker", ts.Getenv("PATH")), expandNames(ts, args, "b"), stdin)
	real := runForCompare(ts, ts.Getenv("REALDOCKER"), expandNames(ts, args, "r"), stdin)

	norm := func(s, cli string) string {
		s = normalizeOutput(s, ts.Getenv("NAMEPREFIX")+cli+"-")
		if sorted {
			lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
			sortStrings(lines)
			s = strings.Join(lines, "\n") + "\n"
		}
		return s
	}
	var diffs []string
	if ours.code != real.code {
		diffs = append(diffs, fmt.Sprintf("exit status: docker %d, boxlab %d", real.code, ours.code))
	}
	if a, b := norm(real.stdout, "r"), norm(ours.stdout, "b"); a != b {
		diffs = append(diffs, fmt.Sprintf("stdout differs:\n--- docker\n%s--- boxlab\n%s", a, b))
	}
	if a, b := norm(real.stderr, "r"), norm(ours.stderr, "b"); a != b {
		diffs = append(diffs, fmt.Sprintf("stderr differs:\n--- docker\n%s--- boxlab\n%s", a, b))
	}
	ts.Logf("dockercmp %s: exit %d\n%s%s", strings.Join(args, " "), ours.code, ours.stdout, ours.stderr)
	if len(diffs) > 0 && !neg {
		ts.Fatalf("%s", strings.Join(diffs, "\n"))
	}
	if len(diffs) == 0 && neg {
		ts.Fatalf("outputs unexpectedly agree")
	}
}

// lookPathIn finds name in a PATH value (the script's, where "docker" is
// boxlab's CLI).
func lookPathIn(name, path string) string {
	for _, dir := range filepath.SplitList(path) {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	return name
}

var (
	reID64   = regexp.MustCompile(`\b[0-9a-f]{64}\b`)
	reID12   = regexp.MustCompile(`\b[0-9a-f]{12}\b`)
	reAgo    = regexp.MustCompile(`(Less than a second|About a minute|About an hour|\d+ (second|minute|hour|day|week|month|year)s?) ago`)
	reUp     = regexp.MustCompile(`Up (Less than a second|About a minute|About an hour|\d+ (second|minute|hour|day|week|month|year)s?)`)
	reDate   = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?( ?[+-]\d{4} \w+|Z|[+-]\d{2}:\d{2})?`)
	rePadded = regexp.MustCompile(` {2,}`)
	reHostPt = regexp.MustCompile(`(0\.0\.0\.0|\[::\]|127\.0\.0\.1):\d{4,5}\b`)
)

// normalizeOutput masks what legitimately differs between two runs: IDs,
// relative and absolute times, the per-CLI name prefix, randomly
// published host ports, and the column padding that follows from them.
func normalizeOutput(s, namePrefix string) string {
	s = strings.ReplaceAll(s, namePrefix, "@")
	s = reID64.ReplaceAllString(s, "<ID>")
	s = reID12.ReplaceAllString(s, "<ID>")
	s = reAgo.ReplaceAllString(s, "<TIME> ago")
	s = reUp.ReplaceAllString(s, "Up <TIME>")
	s = reDate.ReplaceAllString(s, "<DATE>")
	s = reHostPt.ReplaceAllString(s, "$1:<PORT>")
	return rePadded.ReplaceAllString(s, "  ")
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
