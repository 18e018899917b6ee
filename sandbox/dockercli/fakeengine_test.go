package dockercli

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// fakeEngine is a canned Docker Engine API on a unix socket. It records
// every request so tests can compare what boxlab's CLI sends with what
// the real docker CLI sends for the same command line, and it answers
// with fixed responses so output formatting can be tested without a
// daemon.
type fakeEngine struct {
	t      *testing.T
	srv    *httptest.Server
	sock   string
	mu     sync.Mutex
	reqs   []recordedRequest
	routes map[string]http.HandlerFunc // "METHOD /path" (version prefix stripped)
}

type recordedRequest struct {
	Method string
	Path   string
	Query  map[string][]string
	Body   []byte
}

var versionPrefix = regexp.MustCompile(`^/v[0-9.]+`)

// apiVersion is what the fake engine advertises; both the docker CLI v28
// and the moby client negotiate down to it.
const fakeAPIVersion = "1.47"

func newFakeEngine(t *testing.T) *fakeEngine {
	t.Helper()
	f := &fakeEngine{t: t, routes: map[string]http.HandlerFunc{}}
	// Unix socket paths are limited to ~108 bytes; t.TempDir can be long.
	dir, err := os.MkdirTemp("", "dcli")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	f.sock = filepath.Join(dir, "d.sock")
	l, err := net.Listen("unix", f.sock)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.srv.Listener = l
	f.srv.Start()
	t.Cleanup(f.srv.Close)

	f.handle("GET /_ping", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", fakeAPIVersion)
		w.Header().Set("Ostype", "linux")
		_, _ = io.WriteString(w, "OK")
	})
	f.handle("HEAD /_ping", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", fakeAPIVersion)
		w.Header().Set("Ostype", "linux")
	})
	f.handle("POST /containers/create", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusCreated, map[string]any{"Id": fakeID, "Warnings": []string{}})
	})
	return f
}

const fakeID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func (f *fakeEngine) host() string { return "unix://" + f.sock }

func (f *fakeEngine) handle(route string, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[route] = h
}

func (f *fakeEngine) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path := versionPrefix.ReplaceAllString(r.URL.Path, "")
	f.mu.Lock()
	f.reqs = append(f.reqs, recordedRequest{Method: r.Method, Path: path, Query: r.URL.Query(), Body: body})
	h := f.routes[r.Method+" "+path]
	f.mu.Unlock()
	if h == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "fake engine: no route for " + r.Method + " " + path})
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	h(w, r)
}

// requests returns the recorded requests to path (any method), in order.
func (f *fakeEngine) requests(path string) []recordedRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []recordedRequest
	for _, r := range f.reqs {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// apiCalls returns the recorded requests except version negotiation.
func (f *fakeEngine) apiCalls() []recordedRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []recordedRequest
	for _, r := range f.reqs {
		if r.Path != "/_ping" {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeEngine) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// runBoxlab runs boxlab's CLI in-process against host and returns stdout,
// stderr and the exit status.
func runBoxlab(t *testing.T, host string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	t.Setenv("DOCKER_HOST", host)
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}
