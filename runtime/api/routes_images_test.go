package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moby/moby/client"

	"github.com/boxlab/boxlab/runtime/image"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// offlineRegistry fails like the resolver of a machine without network.
var offlineRegistry = roundTripFunc(func(r *http.Request) (*http.Response, error) {
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: r.URL.Hostname(), Server: "10.255.255.53:53", IsNotFound: true}}
})

var testToolbox = []byte("\x7fELF fake toolbox for api tests")

// imageServer serves only the image routes, over a real store in a temp dir.
func imageServer(t *testing.T) (*httptest.Server, *image.Store) {
	t.Helper()
	st, err := image.Open(t.TempDir(), image.WithRegistryTransport(offlineRegistry))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureBuiltins(testToolbox); err != nil {
		t.Fatal(err)
	}
	s := &Server{mux: http.NewServeMux(), log: slog.New(slog.DiscardHandler), images: st}
	s.routesImages()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, st
}

func call(t *testing.T, srv *httptest.Server, method, path string, body io.Reader) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestImageRoutesErrorsAreDockers(t *testing.T) {
	srv, _ := imageServer(t)
	tests := []struct {
		method, path string
		code         int
		body         string
	}{
		{"GET", "/v1.47/images/nosuch/json", 404, `{"message":"No such image: nosuch:latest"}`},
		{"GET", "/v1.47/images/Bad/json", 400, `{"message":"invalid reference format: repository name (library/Bad) must be lowercase"}`},
		{"GET", "/v1.47/images/json?filters=%7B%22foo%22%3A%7B%22x%22%3Atrue%7D%7D", 400, `{"message":"invalid filter 'foo'"}`},
		{"GET", "/v1.47/images/json?filters=%7B%22dangling%22%3A%7B%22maybe%22%3Atrue%7D%7D", 400, `{"message":"invalid filter 'dangling=maybe'"}`},
		{"GET", "/v1.47/images/nosuch/history", 404, `{"message":"No such image: nosuch:latest"}`},
		{"GET", "/v1.47/images/boxlab/base/nope", 404, `{"message":"page not found"}`},
		{"POST", "/v1.47/images/nosuch/tag?repo=x", 404, `{"message":"No such image: nosuch:latest"}`},
		{"POST", "/v1.47/images/boxlab/base/tag?repo=Bad", 400, `{"message":"invalid reference format: repository name (library/Bad) must be lowercase"}`},
		{"DELETE", "/v1.47/images/nosuch", 404, `{"message":"No such image: nosuch:latest"}`},
		{"GET", "/v1.47/images/get?names=nosuch:1", 404, `{"message":"reference does not exist"}`},
		{"POST", "/v1.47/images/create?fromImage=alpine&tag=latest", 500, `{"message":"Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host"}`},
		{"POST", "/v1.47/images/create?fromSrc=-", 501, `{"message":"importing images is not supported by boxlab yet"}`},
		{"POST", "/v1.47/images/create?fromImage=scratch", 403, `{"message":"'scratch' is a reserved name"}`},
		{"DELETE", "/v1.47/images/", 400, `{"message":"image name cannot be blank"}`},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			code, body := call(t, srv, tt.method, tt.path, nil)
			if code != tt.code || strings.TrimSpace(body) != tt.body {
				t.Errorf("= %d %s, want %d %s", code, body, tt.code, tt.body)
			}
		})
	}
}

func TestImageInspectShapeOfAPI147(t *testing.T) {
	srv, st := imageServer(t)
	img, _ := st.Get("boxlab/base")
	dirs, _ := st.Layers(img)
	for _, path := range []string{"/v1.47/images/boxlab/base/json", "/images/boxlab/base:latest/json", "/images/" + img.ID[7:19] + "/json"} {
		code, body := call(t, srv, "GET", path, nil)
		if code != 200 {
			t.Fatalf("%s: %d %s", path, code, body)
		}
		var got map[string]json.RawMessage
		json.Unmarshal([]byte(body), &got)
		want := map[string]string{
			"Id":            `"` + img.ID + `"`,
			"RepoTags":      `["boxlab/base:latest"]`,
			"RepoDigests":   `[]`,
			"Parent":        `""`,
			"Comment":       `""`,
			"Created":       `"2026-01-01T00:00:00Z"`,
			"DockerVersion": `""`,
			"Architecture":  `"amd64"`,
			"Os":            `"linux"`,
			"RootFS":        `{"Type":"layers","Layers":["` + img.Config.RootFS.DiffIDs[0].String() + `"]}`,
			// API 1.49 and older report the legacy container-config fields too.
			"Config": `{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,` +
				`"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"Labels":null}`,
		}
		for k, v := range want {
			if k == "Architecture" && img.Config.Architecture != "amd64" {
				continue
			}
			if string(got[k]) != v {
				t.Errorf("%s: %s = %s, want %s", path, k, got[k], v)
			}
		}
		var gd struct {
			Name string
			Data map[string]string
		}
		json.Unmarshal(got["GraphDriver"], &gd)
		if gd.Name != "overlay2" || gd.Data["UpperDir"] != dirs[0] || gd.Data["MergedDir"] == "" || gd.Data["WorkDir"] == "" {
			t.Errorf("GraphDriver = %s", got["GraphDriver"])
		}
		if !strings.HasPrefix(body, `{"Id":"sha256:`) || !strings.Contains(body, `"RepoDigests":[],"Parent":"","Comment":""`) {
			t.Errorf("field order differs from Docker's: %s", body)
		}
	}
}

func TestImageTagDeleteHistoryList(t *testing.T) {
	srv, st := imageServer(t)
	base, _ := st.Get("boxlab/base")
	if code, body := call(t, srv, "POST", "/v1.47/images/boxlab/base/tag?repo=me/app&tag=v1", nil); code != 201 || body != "" {
		t.Fatalf("tag = %d %q", code, body)
	}
	code, body := call(t, srv, "GET", "/v1.47/images/me/app:v1/history", nil)
	var hist []map[string]any
	json.Unmarshal([]byte(body), &hist)
	if code != 200 || len(hist) != 2 || hist[0]["Id"] != base.ID || hist[1]["Id"] != "<missing>" {
		t.Fatalf("history = %d %s", code, body)
	}
	code, body = call(t, srv, "GET", "/v1.47/images/json", nil)
	var list []map[string]any
	json.Unmarshal([]byte(body), &list)
	if code != 200 || len(list) != 1 || list[0]["Containers"] != float64(-1) || list[0]["SharedSize"] != float64(-1) {
		t.Fatalf("list = %d %s", code, body)
	}
	if tags, _ := json.Marshal(list[0]["RepoTags"]); string(tags) != `["boxlab/base:latest","me/app:v1"]` {
		t.Errorf("RepoTags = %s", tags)
	}
	if code, body := call(t, srv, "DELETE", "/v1.47/images/me/app:v1", nil); code != 200 || strings.TrimSpace(body) != `[{"Untagged":"me/app:v1"}]` {
		t.Errorf("rmi = %d %s", code, body)
	}
	code, body = call(t, srv, "DELETE", "/v1.47/images/"+base.ID[7:19]+"?force=1", nil)
	if code != 200 || !strings.Contains(body, `{"Untagged":"boxlab/base:latest"},{"Deleted":"`+base.ID+`"}`) {
		t.Errorf("rmi -f by id = %d %s", code, body)
	}
}

func TestImageSaveLoadOverHTTP(t *testing.T) {
	src, _ := imageServer(t)
	code, archive := call(t, src, "GET", "/v1.47/images/boxlab/base/get", nil)
	if code != 200 {
		t.Fatalf("save = %d", code)
	}
	code, archive2 := call(t, src, "GET", "/v1.47/images/get?names=boxlab%2Fbase", nil)
	if code != 200 || archive2 != archive {
		t.Fatalf("save by names = %d, same bytes %v", code, archive2 == archive)
	}
	dstStore, err := image.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{mux: http.NewServeMux(), log: slog.New(slog.DiscardHandler), images: dstStore}
	s.routesImages()
	dst := httptest.NewServer(s)
	defer dst.Close()

	code, body := call(t, dst, "POST", "/v1.47/images/load?quiet=1", strings.NewReader(archive))
	if code != 200 || body != `{"stream":"Loaded image: boxlab/base:latest\n"}`+"\r\n" {
		t.Errorf("quiet load = %d %q", code, body)
	}
	// Without a quiet parameter Docker is quiet.
	code, body = call(t, dst, "POST", "/v1.47/images/load", strings.NewReader(archive))
	if code != 200 || body != `{"stream":"Loaded image: boxlab/base:latest\n"}`+"\r\n" {
		t.Errorf("load = %d %q", code, body)
	}
	code, body = call(t, dst, "POST", "/v1.47/images/load?quiet=1", bytes.NewReader(bytes.Repeat([]byte{0xa5}, 2048)))
	if code != 200 || body != `{"errorDetail":{"message":"archive/tar: invalid tar header"},"error":"archive/tar: invalid tar header"}`+"\r\n" {
		t.Errorf("bad load = %d %q", code, body)
	}
	// A fresh store loads a layer, so progress is reported.
	fresh, _ := image.Open(t.TempDir())
	s.images = fresh
	_, body = call(t, dst, "POST", "/v1.47/images/load?quiet=0", strings.NewReader(archive))
	if !strings.Contains(body, `{"status":"Loading layer","progressDetail":{"current":`) || !strings.HasSuffix(body, `{"stream":"Loaded image: boxlab/base:latest\n"}`+"\r\n") {
		t.Errorf("no progress in %q", body)
	}
}

func TestImageRoutesWithMobyClient(t *testing.T) {
	srv, st := imageServer(t)
	c, err := client.New(client.WithHost("tcp://"+strings.TrimPrefix(srv.URL, "http://")), client.WithAPIVersion("1.47"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	want, _ := st.Get("boxlab/base")
	insp, err := c.ImageInspect(ctx, "boxlab/base")
	if err != nil {
		t.Fatal(err)
	}
	if insp.ID != want.ID || insp.Size != want.Size || insp.Config == nil || insp.Config.Cmd[0] != "sh" {
		t.Errorf("inspect = %+v", insp.InspectResponse)
	}
	list, err := c.ImageList(ctx, client.ImageListOptions{})
	if err != nil || len(list.Items) != 1 || list.Items[0].ID != want.ID {
		t.Errorf("list = %+v, %v", list, err)
	}
	_, err = c.ImageInspect(ctx, "nosuch")
	if err == nil || !strings.Contains(err.Error(), "No such image: nosuch:latest") {
		t.Errorf("inspect nosuch = %v", err)
	}
}

// TestRealDockerCLIDrivesImageRoutes runs the real docker CLI against the
// image routes and checks what a learner sees.
func TestRealDockerCLIDrivesImageRoutes(t *testing.T) {
	bin, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("no docker CLI on PATH (.ci/run installs one)")
	}
	st, err := image.Open(t.TempDir(), image.WithRegistryTransport(offlineRegistry))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureBuiltins(testToolbox); err != nil {
		t.Fatal(err)
	}
	base, _ := st.Get("boxlab/base")
	s := &Server{mux: http.NewServeMux(), log: slog.New(slog.DiscardHandler), images: st}
	s.routesImages()
	s.mux.HandleFunc("GET /_ping", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("OK")) })
	sock := filepath.Join(t.TempDir(), "d.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s}
	go srv.Serve(l)
	defer srv.Close()
	docker := func(args ...string) string {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "DOCKER_HOST=unix://"+sock, "DOCKER_CONFIG="+t.TempDir())
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	short := base.ID[7:19]
	archive := filepath.Join(t.TempDir(), "base.tar")
	garbage := filepath.Join(t.TempDir(), "garbage")
	os.WriteFile(garbage, bytes.Repeat([]byte{0xa5}, 2048), 0o644)
	steps := []struct {
		args []string
		want []string // lines that must appear
	}{
		{[]string{"images"}, []string{"REPOSITORY    TAG       IMAGE ID       CREATED         SIZE", "boxlab/base   latest    " + short}},
		{[]string{"image", "inspect", "-f", "{{.Id}} {{.Os}} {{json .Config.Cmd}}", "boxlab/base"}, []string{base.ID + ` linux ["sh"]`}},
		{[]string{"history", "boxlab/base"}, []string{short + "   ", "<missing>      "}},
		{[]string{"tag", "boxlab/base", "me/app:v1"}, nil},
		{[]string{"images", "--format", "{{.Repository}}:{{.Tag}}"}, []string{"boxlab/base:latest", "me/app:v1"}},
		{[]string{"rmi", "me/app:v1"}, []string{"Untagged: me/app:v1"}},
		{[]string{"rmi", "nosuch"}, []string{"Error response from daemon: No such image: nosuch:latest"}},
		{[]string{"save", "-o", archive, "boxlab/base"}, nil},
		{[]string{"load", "-i", archive}, []string{"Loaded image: boxlab/base:latest"}},
		{[]string{"load", "-i", garbage}, []string{"archive/tar: invalid tar header"}},
		{[]string{"pull", "alpine"}, []string{"Using default tag: latest", `Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host`}},
		{[]string{"rmi", "boxlab/base"}, []string{"Untagged: boxlab/base:latest", "Deleted: " + base.ID}},
		{[]string{"images", "-q"}, nil},
	}
	for _, step := range steps {
		out := docker(step.args...)
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		for _, w := range step.want {
			if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, w) }) {
				t.Errorf("docker %s:\n%s\nwant a line starting with %q", strings.Join(step.args, " "), out, w)
			}
		}
		if step.want == nil && strings.TrimSpace(out) != "" {
			t.Errorf("docker %s printed %q, want nothing", strings.Join(step.args, " "), out)
		}
	}
}
