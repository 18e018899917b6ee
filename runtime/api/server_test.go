package api

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/moby/client"

	"github.com/boxlab/boxlab/runtime/engine"
)

func engineServer(t *testing.T) *httptest.Server {
	t.Helper()
	eng, err := engine.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(eng, nil))
	t.Cleanup(func() {
		srv.Close()
		eng.Close()
	})
	return srv
}

// engineSocket serves a fresh engine on a unix socket, as boxlab engine does.
func engineSocket(t *testing.T) string {
	t.Helper()
	eng, err := engine.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "e.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: New(eng, nil)}
	go srv.Serve(ln)
	t.Cleanup(func() {
		srv.Close()
		eng.Close()
	})
	return sock
}

// Bad requests get Docker's status code and JSON error body.
func TestErrorsAreDockers(t *testing.T) {
	srv := engineServer(t)
	big := `{"Image":"` + strings.Repeat("a", maxJSONBody) + `"}`
	for _, tc := range []struct {
		name, method, path, body string
		code                     int
		msg                      string
	}{
		{"malformed JSON", "POST", "/v1.47/containers/create", `{bad`, 400, "invalid character 'b' looking for beginning of object key string"},
		{"huge body", "POST", "/v1.47/containers/create", big, 400, "request body is too large"},
		{"unknown image", "POST", "/v1.47/containers/create", `{"Image":"nosuch"}`, 404, "No such image: nosuch:latest"},
		{"bad name", "POST", "/v1.47/containers/create?name=a%20b", `{"Image":"boxlab/base","Cmd":["true"]}`, 400, "Invalid container name (a b), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"},
		{"no command", "POST", "/v1.47/containers/create", `{"Image":"boxlab/base","Entrypoint":[""]}`, 400, "no command specified"},
		{"bad restart policy", "POST", "/v1.47/containers/create", `{"Image":"boxlab/base","Cmd":["true"],"HostConfig":{"RestartPolicy":{"Name":"sometimes"}}}`, 400, "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"},
		{"--rm with a restart policy", "POST", "/v1.47/containers/create", `{"Image":"boxlab/base","Cmd":["true"],"HostConfig":{"AutoRemove":true,"RestartPolicy":{"Name":"always"}}}`, 400, "can't create 'AutoRemove' container with restart policy"},
		{"no such container", "GET", "/v1.47/containers/nosuch/json", "", 404, "No such container: nosuch"},
		{"bad signal", "POST", "/v1.47/containers/nosuch/kill?signal=FOO", "", 404, "No such container: nosuch"},
		{"no such exec", "GET", "/v1.47/exec/nosuch/json", "", 404, "No such exec instance: nosuch"},
		{"old client", "GET", "/v1.12/version", "", 400, "client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version"},
		{"new client", "GET", "/v1.99/version", "", 400, "client version 1.99 is too new. Maximum supported API version is 1.47"},
		{"unknown path", "GET", "/v1.47/nosuch", "", 404, "page not found"},
		{"wrong method", "PUT", "/v1.47/containers/json", "", 404, "page not found"},
		{"delete matches a container id", "DELETE", "/v1.47/containers/json", "", 404, "No such container: json"},
		{"bad filter", "GET", `/v1.47/containers/json?filters={"bogus":{"x":true}}`, "", 400, "Invalid filter 'bogus'"},
		{"bad status filter", "GET", `/v1.47/containers/json?filters={"status":{"sleepy":true}}`, "", 400, "Invalid filter 'status=sleepy'"},
		{"bad stop timeout", "POST", "/v1.47/containers/nosuch/stop?t=soon", "", 400, "invalid value for t: soon"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.code {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.code)
			}
			if tc.msg == "" {
				return
			}
			var body struct{ Message string }
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("error body is not Docker's JSON: %v", err)
			}
			if body.Message != tc.msg {
				t.Errorf("message %q, want %q", body.Message, tc.msg)
			}
		})
	}
}

func TestPingAndVersionHeaders(t *testing.T) {
	srv := engineServer(t)
	for _, path := range []string{"/_ping", "/v1.47/_ping"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Api-Version") != APIVersion || resp.Header.Get("Ostype") != "linux" {
			t.Errorf("%s: status %d, headers %v", path, resp.StatusCode, resp.Header)
		}
	}
}

// The moby client negotiates the version and talks to the engine over a
// unix socket, as boxlab's CLI and checker do.
func TestMobyClientNegotiates(t *testing.T) {
	sock := engineSocket(t)
	cli, err := client.New(client.WithHost("unix://"+sock), client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	v, err := cli.ServerVersion(context.Background(), client.ServerVersionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v.APIVersion != APIVersion {
		t.Errorf("server API %s, want %s", v.APIVersion, APIVersion)
	}
	if cli.ClientVersion() != APIVersion {
		t.Errorf("negotiated %s, want %s", cli.ClientVersion(), APIVersion)
	}
}

// The real docker CLI (v28) talks to the engine.
func TestRealDockerCLIVersion(t *testing.T) {
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("no docker CLI on PATH")
	}
	sock := engineSocket(t)
	cmd := exec.Command("docker", "version", "--format", "{{.Server.Version}} {{.Server.APIVersion}}")
	cmd.Env = append(os.Environ(), "DOCKER_HOST=unix://"+sock)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got, want := strings.TrimSpace(string(out)), EngineVersion+" "+APIVersion; got != want {
		t.Errorf("docker version says %q, want %q", got, want)
	}
}
