package dockercli

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/netip"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/moby/moby/api/types/network"
)

func TestUsageErrors(t *testing.T) {
	eng := newFakeEngine(t)
	cases := []struct {
		args   []string
		stderr string
		code   int
	}{
		{[]string{"frob"}, "docker: unknown command: docker frob\n\nRun 'docker --help' for more information\n", 1},
		{[]string{"--foo"}, "unknown flag: --foo\n\nUsage:  docker [OPTIONS] COMMAND [ARG...]\n\nRun 'docker --help' for more information\n", 125},
		{[]string{"run", "--foo"}, "unknown flag: --foo\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information\n", 125},
		{[]string{"ps", "-n", "x"}, "invalid argument \"x\" for \"-n, --last\" flag: strconv.ParseInt: parsing \"x\": invalid syntax\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information\n", 125},
		{[]string{"ps", "x"}, "docker: 'docker ps' accepts no arguments\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information\n", 1},
		{[]string{"rm"}, "docker: 'docker rm' requires at least 1 argument\n\nUsage:  docker rm [OPTIONS] CONTAINER [CONTAINER...]\n\nSee 'docker rm --help' for more information\n", 1},
		{[]string{"rename", "a"}, "docker: 'docker rename' requires 2 arguments\n\nUsage:  docker rename CONTAINER NEW_NAME\n\nRun 'docker rename --help' for more information\n", 1},
		{[]string{"images", "a", "b"}, "docker: 'docker images' requires at most 1 argument\n\nUsage:  docker images [OPTIONS] [REPOSITORY[:TAG]]\n\nSRun 'docker images --help' for more information\n", 1},
		{[]string{"container", "frob"}, "docker: unknown command: docker container frob\n\nUsage:  docker container\n\nRun 'docker container --help' for more information\n", 1},
		{[]string{"help", "frob"}, "unknown help topic: frob\n", 1},
		{[]string{"build", "."}, "'docker build' is not supported by boxlab's docker CLI yet\n", 1},
		{[]string{"volume", "ls"}, "'docker volume' is not supported by boxlab's docker CLI yet\n", 1},
		{[]string{"run", "--pull", "sometimes", "img"}, "docker: invalid pull option: 'sometimes': must be one of \"always\", \"missing\" or \"never\"\n\nRun 'docker run --help' for more information\n", 125},
		{[]string{"-H", "a", "-H", "b", "ps"}, "Failed to initialize: unable to resolve docker endpoint: Specify only one -H\n", 1},
		{[]string{"inspect", "--type", "frob", "x"}, "unknown type: \"frob\": must be one of \"config\", \"container\", \"image\", \"network\", \"node\", \"plugin\", \"secret\", \"service\", \"task\", \"volume\"\n", 1},
		{[]string{"inspect", "-f", "{{", "x"}, "template parsing error: template: :1: unclosed action\n", 64},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			stdout, stderr, code := runBoxlab(t, eng.host(), "", tc.args...)
			if stderr != tc.stderr || code != tc.code {
				t.Errorf("got code %d stderr\n%q\nwant %d\n%q\n(stdout %q)", code, stderr, tc.code, tc.stderr, stdout)
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	eng := newFakeEngine(t)
	out, _, code := runBoxlab(t, eng.host(), "", "--version")
	if code != 0 || !strings.HasPrefix(out, "Docker version "+clientVersion+", build ") {
		t.Errorf("--version: %d %q", code, out)
	}
	out, _, code = runBoxlab(t, eng.host(), "", "ps", "--help")
	if code != 0 || !strings.HasPrefix(out, "Usage:  docker ps [OPTIONS]\n\nList containers\n\nAliases:\n  docker container ls, docker container list, docker container ps, docker ps\n\nOptions:\n") {
		t.Errorf("ps --help: %d %q", code, out)
	}
	// A group without subcommand prints its help on stderr and succeeds.
	_, errOut, code := runBoxlab(t, eng.host(), "", "container")
	if code != 0 || !strings.HasPrefix(errOut, "Usage:  docker container COMMAND\n\nManage containers\n") {
		t.Errorf("container: %d %q", code, errOut)
	}
	// Flags a daemon of API 1.47 lacks are hidden, Windows-only ones too.
	out, _, _ = runBoxlab(t, eng.host(), "", "run", "--help")
	for flag, shown := range map[string]bool{"--annotation": true, "--health-start-interval": true, "--cpu-count": false, "--io-maxiops": false, "--net ": false} {
		if strings.Contains(out, flag) != shown {
			t.Errorf("run --help: %s shown=%v", flag, !shown)
		}
	}
}

func TestCannotConnect(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "none.sock")
	_, stderr, code := runBoxlab(t, "unix://"+sock, "", "ps")
	want := "Cannot connect to the Docker daemon at unix://" + sock + ". Is the docker daemon running?\n"
	if code != 1 || stderr != want {
		t.Errorf("got %d %q", code, stderr)
	}
	_, stderr, code = runBoxlab(t, "unix://"+sock, "", "run", "img")
	if code != 125 || stderr != "docker: "+strings.TrimSuffix(want, "\n")+"\n\nRun 'docker run --help' for more information\n" {
		t.Errorf("run: got %d %q", code, stderr)
	}
}

func TestRunStatusError(t *testing.T) {
	for msg, code := range map[string]int{
		`exec: "nosuch": executable file not found in $PATH`:  127,
		`exec: "/x": no such file or directory`:               127,
		`exec: "/etc": permission denied`:                     126,
		"is a directory":                                      126,
		"Error response from daemon: No such image: x:latest": 125,
	} {
		var se statusError
		if !errors.As(runStatusError(errors.New(msg)), &se) || se.StatusCode != code {
			t.Errorf("%q: got %d, want %d", msg, se.StatusCode, code)
		}
	}
}

// TestRunPullsMissingImage follows `docker run` when the image is not
// there: the create fails with 404, the CLI says so on stderr, pulls with
// progress on stderr, retries the create and prints the ID (detached).
func TestRunPullsMissingImage(t *testing.T) {
	eng := newFakeEngine(t)
	var creates atomic.Int32
	eng.handle("POST /containers/create", func(w http.ResponseWriter, r *http.Request) {
		if creates.Add(1) == 1 {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "No such image: alpine:latest"})
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"Id": fakeID, "Warnings": []string{"something odd"}})
	})
	eng.handle("POST /images/create", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("fromImage") != "docker.io/library/alpine" || r.URL.Query().Get("tag") != "latest" {
			t.Errorf("pull query %v", r.URL.Query())
		}
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		_ = enc.Encode(map[string]any{"status": "Pulling from library/alpine", "id": "latest"})
		_ = enc.Encode(map[string]any{"status": "Downloading", "id": "abc", "progressDetail": map[string]int{"current": 1, "total": 2}})
		_ = enc.Encode(map[string]any{"status": "Pull complete", "id": "abc", "progressDetail": map[string]int{}})
		_ = enc.Encode(map[string]any{"status": "Status: Downloaded newer image for alpine:latest"})
	})
	eng.handle("POST /containers/"+fakeID+"/wait", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"StatusCode": 0})
	})
	eng.handle("POST /containers/"+fakeID+"/start", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })

	stdout, stderr, code := runBoxlab(t, eng.host(), "", "run", "-d", "alpine")
	wantErr := "Unable to find image 'alpine:latest' locally\nlatest: Pulling from library/alpine\nabc: Pull complete\nStatus: Downloaded newer image for alpine:latest\nWARNING: something odd\n"
	if code != 0 || stdout != fakeID+"\n" || stderr != wantErr {
		t.Errorf("got %d\nstdout %q\nstderr %q\nwant stderr %q", code, stdout, stderr, wantErr)
	}
}

func TestRunPullFailure(t *testing.T) {
	eng := newFakeEngine(t)
	eng.handle("POST /containers/create", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "No such image: nope:latest"})
	})
	eng.handle("POST /images/create", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "pull access denied for nope, repository does not exist or may require 'docker login'"})
	})
	_, stderr, code := runBoxlab(t, eng.host(), "", "run", "--rm", "nope")
	want := "Unable to find image 'nope:latest' locally\ndocker: Error response from daemon: pull access denied for nope, repository does not exist or may require 'docker login'\n\nRun 'docker run --help' for more information\n"
	if code != 125 || stderr != want {
		t.Errorf("got %d %q", code, stderr)
	}
}

func TestRmForceIgnoresMissing(t *testing.T) {
	eng := newFakeEngine(t)
	eng.handle("DELETE /containers/gone", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "No such container: gone"})
	})
	stdout, stderr, code := runBoxlab(t, eng.host(), "", "rm", "-f", "gone")
	if code != 0 || stdout != "" || stderr != "Error response from daemon: No such container: gone\n" {
		t.Errorf("-f: %d %q %q", code, stdout, stderr)
	}
	_, stderr, code = runBoxlab(t, eng.host(), "", "rm", "gone")
	if code != 1 || stderr != "Error response from daemon: No such container: gone\n" {
		t.Errorf("no -f: %d %q", code, stderr)
	}
}

func TestInspectTemplateView(t *testing.T) {
	// Zero addresses print empty and port maps order as strings, as with
	// the docker CLI's string-typed fields.
	v := struct {
		IP    netip.Addr
		Ports network.PortMap
	}{
		Ports: network.PortMap{
			network.MustParsePort("80/tcp"):   {{HostPort: "8080"}},
			network.MustParsePort("7000/tcp"): nil,
		},
	}
	in, err := newInspector(new(strings.Builder), "{{.IP}}|{{.Ports}}")
	if err != nil {
		t.Fatal(err)
	}
	if err := in.add(v, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if got := in.buf.String(); got != "|map[7000/tcp:[] 80/tcp:[{ 8080}]]\n" {
		t.Errorf("got %q", got)
	}
}
