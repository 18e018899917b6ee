package dockercli

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// realDocker returns the reference docker CLI, or skips the test.
func realDocker(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("reference docker CLI not installed: cannot compare request bodies")
	}
	return p
}

// runRealDocker runs the reference docker CLI against host.
func runRealDocker(t *testing.T, docker, host string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(docker, args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+host, "DOCKER_CONFIG="+t.TempDir(), "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

// TestCreateRequestParity proves that `docker create` flags produce the
// same POST /containers/create request (query and JSON body) from
// boxlab's CLI as from the real docker CLI v28. Keys only one side sends
// must hold zero values (the API types differ in deprecated fields).
func TestCreateRequestParity(t *testing.T) {
	docker := realDocker(t)
	eng := newFakeEngine(t)
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env")
	if err := os.WriteFile(envFile, []byte("# comment\nA=1\nFROM_ENV\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	labelFile := filepath.Join(dir, "labels")
	if err := os.WriteFile(labelFile, []byte("team=x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FROM_ENV", "fromenv")

	cases := [][]string{
		{"busybox"},
		{"--name", "web", "busybox", "sh", "-c", "echo hi"},
		{"-i", "-t", "busybox", "sh"},
		{"--rm", "-e", "A=1", "-e", "FROM_ENV", "-e", "UNSET_VAR_X", "--env-file", envFile, "busybox"},
		{"-w", "/tmp", "-u", "1000:1000", "-h", "host1", "--entrypoint", "/bin/sh", "busybox"},
		{"--entrypoint", "", "busybox", "echo"},
		{"-l", "a=b", "--label", "c", "--label-file", labelFile, "busybox"},
		{"--restart", "on-failure:3", "busybox"},
		{"--restart", "always", "--init", "--stop-signal", "SIGINT", "--stop-timeout", "5", "busybox"},
		{"-v", "/host:/ctr:ro", "-v", "named:/data", "-v", "/anon", "-v", "./rel:/rel", "busybox"},
		{"--mount", "type=bind,src=/tmp,dst=/mnt,readonly", "--mount", "type=volume,src=v,dst=/v,volume-label=x=y", "--mount", "type=tmpfs,dst=/t,tmpfs-size=1m", "busybox"},
		{"--tmpfs", "/run", "--tmpfs", "/cache:size=10m", "busybox"},
		{"-p", "8080:80", "-p", "127.0.0.1:9000:9000/udp", "-p", "3000-3001:4000-4001", "-p", "53", "-P", "--expose", "7000-7001/udp", "busybox"},
		{"-p", "published=8081,target=81", "busybox"},
		{"--network", "mynet", "--network-alias", "db", "--ip", "10.0.0.5", "busybox"},
		{"--net", "host", "busybox"},
		{"--network", "none", "busybox"},
		{"--add-host", "h1:1.2.3.4", "--add-host", "h2=::1", "--dns", "8.8.8.8", "--dns-search", "example.com", "--dns-option", "ndots:2", "busybox"},
		{"--privileged", "--cap-add", "net_admin", "--cap-drop", "ALL", "--read-only", "--security-opt", "no-new-privileges", "busybox"},
		{"--memory", "64m", "--memory-swap", "-1", "--pids-limit", "100", "--cpus", "1.5", "--cpu-shares", "512", "--shm-size", "128m", "busybox"},
		{"--volumes-from", "other:ro", "--link", "db:database", "--ulimit", "nofile=1024:2048", "--sysctl", "net.ipv4.ip_forward=1", "busybox"},
		{"--log-driver", "json-file", "--log-opt", "max-size=1m", "--platform", "linux/amd64", "busybox"},
		{"-a", "stdin", "-a", "stdout", "--health-cmd", "true", "--health-interval", "5s", "--health-retries", "2", "busybox"},
		{"--no-healthcheck", "--pid", "host", "--ipc", "host", "--uts", "host", "--userns", "host", "--group-add", "audio", "busybox"},
		{"--mac-address", "92:d0:c6:0a:29:33", "--hostname", "h", "--domainname", "d.example", "busybox"},
	}
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			eng.reset()
			full := append([]string{"create"}, args...)
			if out, code := runRealDocker(t, docker, eng.host(), full...); code != 0 {
				t.Fatalf("real docker failed (%d): %s", code, out)
			}
			real := eng.requests("/containers/create")
			eng.reset()
			stdout, stderr, code := runBoxlab(t, eng.host(), "", full...)
			if code != 0 {
				t.Fatalf("boxlab docker failed (%d): %s%s", code, stdout, stderr)
			}
			ours := eng.requests("/containers/create")
			if len(real) != 1 || len(ours) != 1 {
				t.Fatalf("create requests: real %d, ours %d", len(real), len(ours))
			}
			if !reflect.DeepEqual(real[0].Query, ours[0].Query) {
				t.Errorf("query: real %v, ours %v", real[0].Query, ours[0].Query)
			}
			var rb, ob map[string]any
			if err := json.Unmarshal(real[0].Body, &rb); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(ours[0].Body, &ob); err != nil {
				t.Fatal(err)
			}
			for _, d := range diffJSON("", rb, ob) {
				t.Error(d)
			}
		})
	}
}

// diffJSON compares two decoded JSON values; a key present on one side
// only is fine when its value is a zero value.
func diffJSON(path string, a, b any) []string {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		var sorted []string
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var diffs []string
		for _, k := range sorted {
			av, ain := am[k]
			bv, bin := bm[k]
			switch {
			case ain && bin:
				diffs = append(diffs, diffJSON(path+"."+k, av, bv)...)
			case ain && !isZeroJSON(av):
				diffs = append(diffs, path+"."+k+": only the real CLI sends "+mustJSON(av))
			case bin && !isZeroJSON(bv):
				diffs = append(diffs, path+"."+k+": only boxlab sends "+mustJSON(bv))
			}
		}
		return diffs
	}
	if isZeroJSON(a) && isZeroJSON(b) {
		return nil
	}
	if unordered[path] {
		a, b = sortedJSON(a), sortedJSON(b)
	}
	if !reflect.DeepEqual(a, b) {
		return []string{path + ": real " + mustJSON(a) + ", boxlab " + mustJSON(b)}
	}
	return nil
}

// unordered lists the request fields the docker CLI fills from a map, in
// random order (boxlab keeps the command line's order).
var unordered = map[string]bool{".HostConfig.Binds": true, ".Env": true}

func sortedJSON(v any) any {
	l, ok := v.([]any)
	if !ok {
		return v
	}
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = mustJSON(e)
	}
	sort.Strings(s)
	return s
}

func isZeroJSON(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case float64:
		return x == 0
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		for _, e := range x {
			if !isZeroJSON(e) {
				return false
			}
		}
		return true
	}
	return false
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// cannedRoutes makes the fake engine answer enough of the API for the
// lifecycle commands to run to completion against container "c1".
func cannedRoutes(eng *fakeEngine) {
	ok := func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }
	for _, p := range []string{"stop", "kill", "restart", "pause", "unpause", "start", "rename", "resize"} {
		eng.handle("POST /containers/c1/"+p, ok)
		eng.handle("POST /containers/"+fakeID+"/"+p, ok)
	}
	eng.handle("DELETE /containers/c1", ok)
	inspect := func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"Id": fakeID, "Name": "/c1",
			"State":      map[string]any{"Status": "running", "Running": true},
			"Config":     map[string]any{"Tty": false, "OpenStdin": false, "Image": "busybox"},
			"HostConfig": map[string]any{"AutoRemove": false},
		})
	}
	eng.handle("GET /containers/c1/json", inspect)
	eng.handle("GET /containers/"+fakeID+"/json", inspect)
	eng.handle("GET /containers/json", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, []any{}) })
	eng.handle("GET /images/json", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, []any{}) })
	eng.handle("GET /containers/"+fakeID+"/logs", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	eng.handle("GET /containers/c1/top", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"Titles": []string{"PID"}, "Processes": [][]string{{"1"}}})
	})
	wait := func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"StatusCode": 0})
	}
	eng.handle("POST /containers/c1/wait", wait)
	eng.handle("POST /containers/"+fakeID+"/wait", wait)
	eng.handle("POST /containers/c1/exec", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusCreated, map[string]any{"Id": "e1"})
	})
	eng.handle("POST /exec/e1/start", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	eng.handle("POST /containers/prune", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"ContainersDeleted": nil, "SpaceReclaimed": 0})
	})
	eng.handle("GET /events", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
}

// TestRequestSequenceParity runs command lines with both CLIs and compares
// the API calls they make (method, path, query, JSON body), ignoring the
// version negotiation pings.
func TestRequestSequenceParity(t *testing.T) {
	docker := realDocker(t)
	eng := newFakeEngine(t)
	cannedRoutes(eng)
	cases := [][]string{
		{"stop", "c1"},
		{"stop", "-t", "3", "-s", "SIGINT", "c1"},
		{"restart", "--timeout", "0", "c1"},
		{"kill", "c1"},
		{"kill", "-s", "HUP", "c1"},
		{"rm", "c1"},
		{"rm", "-f", "-v", "c1"},
		{"pause", "c1"},
		{"unpause", "c1"},
		{"rename", "c1", "c2"},
		{"start", "c1"},
		{"wait", "c1"},
		{"top", "c1", "-o", "pid"},
		{"ps"},
		{"ps", "-a", "-n", "3", "-s", "--filter", "status=exited", "--filter", "label=a=b", "--filter", "name=x"},
		{"ps", "-l"},
		{"ps", "--format", "{{.ID}} {{.Size}}"},
		{"images"},
		{"images", "-a", "--filter", "dangling=true", "busybox"},
		{"logs", "c1"},
		{"logs", "-f", "-t", "--tail", "5", "--since", "2024-01-02T03:04:05Z", "--until", "2024-01-03T00:00:00Z", "--details", "c1"},
		{"exec", "-d", "-e", "A=1", "-w", "/tmp", "-u", "nobody", "--privileged", "c1", "sh", "-c", "true"},
		{"container", "prune", "-f", "--filter", "until=24h"},
		{"events", "--since", "1700000000", "--until", "1700000001", "--filter", "type=container"},
		{"run", "-d", "--name", "web", "busybox", "sleep", "9"},
		{"inspect", "c1"},
		{"container", "inspect", "-s", "c1"},
	}
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			eng.reset()
			out, code := runRealDocker(t, docker, eng.host(), args...)
			real := eng.apiCalls()
			eng.reset()
			stdout, stderr, bcode := runBoxlab(t, eng.host(), "", args...)
			ours := eng.apiCalls()
			if code != bcode {
				t.Errorf("exit status: real %d (%s), boxlab %d (%s%s)", code, out, bcode, stdout, stderr)
			}
			if len(real) != len(ours) {
				t.Fatalf("calls:\nreal  %v\nboxlab %v", real, ours)
			}
			for i := range real {
				if real[i].Method != ours[i].Method || real[i].Path != ours[i].Path {
					t.Fatalf("call %d: real %s %s, boxlab %s %s", i, real[i].Method, real[i].Path, ours[i].Method, ours[i].Path)
				}
				if strings.HasSuffix(real[i].Path, "/logs") && reflect.DeepEqual(real[i].Query["tail"], []string{"all"}) {
					// The moby client leaves out tail=all, the daemon's default.
					delete(real[i].Query, "tail")
				}
				if !reflect.DeepEqual(normalizeQuery(real[i].Query), normalizeQuery(ours[i].Query)) {
					t.Errorf("%s %s query: real %v, boxlab %v", real[i].Method, real[i].Path, real[i].Query, ours[i].Query)
				}
				var rb, ob any
				_ = json.Unmarshal(real[i].Body, &rb)
				_ = json.Unmarshal(ours[i].Body, &ob)
				if m, ok := rb.(map[string]any); ok && strings.HasSuffix(real[i].Path, "/exec") {
					// Detach in the exec create body is obsolete (the daemon
					// reads it from the start request); the API types
					// dropped it.
					delete(m, "Detach")
				}
				for _, d := range diffJSON(real[i].Path, rb, ob) {
					t.Error(d)
				}
			}
		})
	}
}

// normalizeQuery decodes the JSON "filters" parameter so its key order
// does not matter.
func normalizeQuery(q map[string][]string) map[string]any {
	out := map[string]any{}
	for k, v := range q {
		if k == "filters" && len(v) == 1 {
			var f any
			if json.Unmarshal([]byte(v[0]), &f) == nil {
				out[k] = f
				continue
			}
		}
		out[k] = v
	}
	return out
}
