package api

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/boxlab/boxlab/runtime/engine"
)

func TestNegotiateEncoding(t *testing.T) {
	tests := map[string]string{
		"":                         "identity",
		"gzip":                     "gzip",
		"deflate":                  "deflate",
		"gzip, deflate":            "gzip",
		"deflate, gzip":            "gzip",
		"deflate;q=1, gzip;q=0.5":  "deflate",
		"GZIP":                     "gzip",
		"*":                        "gzip",
		"br":                       "identity",
		"gzip;q=0":                 "",
		"gzip;q=0, deflate;q=0.1":  "deflate",
		"identity":                 "identity",
		" gzip ; q=0.8 , br;q=0.9": "gzip",
	}
	for in, want := range tests {
		if got := negotiateEncoding(in); got != want {
			t.Errorf("negotiateEncoding(%q) = %q, want %q", in, got, want)
		}
	}
}

// archiveServer serves the whole API over a real engine, with a created
// (not started) container.
func archiveServer(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("real containers need root")
	}
	eng, err := engine.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(eng, nil))
	t.Cleanup(func() {
		srv.Close()
		eng.Close()
	})
	resp, err := eng.Create(context.Background(), engine.CreateRequest{Name: "cp", Config: &container.Config{Image: "boxlab/base", Cmd: []string{"true"}}})
	if err != nil {
		t.Fatal(err)
	}
	return srv, resp.ID
}

// The archive routes speak Docker's wire format: the stat header, tar (or
// negotiated gzip) bodies, and Docker's status codes and messages.
func TestArchiveRoutes(t *testing.T) {
	srv, _ := archiveServer(t)
	raw := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	do := func(method, path, accept string, body io.Reader) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+"/v1.47"+path, body)
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		resp, err := raw.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	pathStat := func(resp *http.Response) container.PathStat {
		t.Helper()
		var st container.PathStat
		b, err := base64.StdEncoding.DecodeString(resp.Header.Get("X-Docker-Container-Path-Stat"))
		if err != nil || json.Unmarshal(b, &st) != nil {
			t.Fatalf("stat header %q", resp.Header.Get("X-Docker-Container-Path-Stat"))
		}
		return st
	}

	resp, body := do("HEAD", "/containers/cp/archive?path=/etc/passwd", "", nil)
	if st := pathStat(resp); resp.StatusCode != 200 || st.Name != "passwd" || len(body) != 0 {
		t.Errorf("HEAD: %d %+v %q", resp.StatusCode, st, body)
	}

	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: "note.txt", Mode: 0o644, Size: 5, Typeflag: tar.TypeReg})
	tw.Write([]byte("note\n"))
	tw.Close()
	resp, body = do("PUT", "/containers/cp/archive?path=/tmp&noOverwriteDirNonDir=true", "", &tb)
	if resp.StatusCode != 200 || len(body) != 0 {
		t.Errorf("PUT: %d %q", resp.StatusCode, body)
	}

	for _, enc := range []string{"", "gzip"} {
		resp, body = do("GET", "/containers/cp/archive?path=/tmp/note.txt", enc, nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-tar" || pathStat(resp).Size != 5 {
			t.Errorf("GET (%q): %d %v", enc, resp.StatusCode, resp.Header)
		}
		r := io.Reader(bytes.NewReader(body))
		if enc == "gzip" {
			if resp.Header.Get("Content-Encoding") != "gzip" {
				t.Errorf("GET with gzip accepted: Content-Encoding %q", resp.Header.Get("Content-Encoding"))
			}
			zr, err := gzip.NewReader(r)
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		}
		tr := tar.NewReader(r)
		h, err := tr.Next()
		if err != nil || h.Name != "note.txt" {
			t.Fatalf("GET (%q): first entry %+v, %v", enc, h, err)
		}
		if b, _ := io.ReadAll(tr); string(b) != "note\n" {
			t.Errorf("GET (%q): content %q", enc, b)
		}
	}

	for _, tc := range []struct {
		method, path string
		code         int
		msg          string
	}{
		{"GET", "/containers/cp/archive", 400, "bad parameter: pathcannot be empty"},
		{"PUT", "/containers/cp/archive", 400, "bad parameter: pathcannot be empty"},
		{"GET", "/containers/cp/archive?path=/nosuch", 404, "Could not find the file /nosuch in container cp"},
		{"PUT", "/containers/cp/archive?path=/nosuch", 404, "Could not find the file /nosuch in container cp"},
		{"PUT", "/containers/cp/archive?path=/etc/passwd", 400, "extraction point is not a directory"},
		{"GET", "/containers/cp/archive?path=/etc/passwd/", 500, "lstat /etc/passwd/: not a directory"},
		{"GET", "/containers/nosuch/archive?path=/", 404, "No such container: nosuch"},
	} {
		resp, body := do(tc.method, tc.path, "", nil)
		var e struct{ Message string }
		json.Unmarshal(body, &e)
		if resp.StatusCode != tc.code || e.Message != tc.msg {
			t.Errorf("%s %s: %d %q, want %d %q", tc.method, tc.path, resp.StatusCode, body, tc.code, tc.msg)
		}
	}
	if resp, _ := do("HEAD", "/containers/cp/archive?path=/nosuch", "", nil); resp.StatusCode != 404 {
		t.Errorf("HEAD of a missing path: %d", resp.StatusCode)
	}
}

// The Go SDK the docker CLIs are built on round-trips through the routes.
func TestArchiveRoutesWithClient(t *testing.T) {
	srv, id := archiveServer(t)
	cli, err := client.New(client.WithHost("tcp://"+strings.TrimPrefix(srv.URL, "http://")), client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ctx := context.Background()
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: "dir/", Mode: 0o755, Typeflag: tar.TypeDir})
	tw.WriteHeader(&tar.Header{Name: "dir/f", Mode: 0o600, Size: 2, Typeflag: tar.TypeReg})
	tw.Write([]byte("ok"))
	tw.Close()
	if _, err := cli.CopyToContainer(ctx, id, client.CopyToContainerOptions{DestinationPath: "/", Content: &tb}); err != nil {
		t.Fatal(err)
	}
	st, err := cli.ContainerStatPath(ctx, id, client.ContainerStatPathOptions{Path: "/dir"})
	if err != nil || st.Stat.Name != "dir" || !st.Stat.Mode.IsDir() {
		t.Errorf("stat /dir: %+v, %v", st, err)
	}
	res, err := cli.CopyFromContainer(ctx, id, client.CopyFromContainerOptions{SourcePath: "/dir"})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Content.Close()
	var names []string
	tr := tar.NewReader(res.Content)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
	}
	if strings.Join(names, " ") != "dir/ dir/f" {
		t.Errorf("entries %q", names)
	}
	// A HEAD response has no body: the client only sees the status.
	if _, err := cli.ContainerStatPath(ctx, id, client.ContainerStatPathOptions{Path: "/nosuch"}); !errdefs.IsNotFound(err) {
		t.Errorf("stat of a missing path: %v", err)
	}
	if _, err := cli.CopyFromContainer(ctx, id, client.CopyFromContainerOptions{SourcePath: "/nosuch"}); err == nil || !strings.Contains(err.Error(), "Could not find the file /nosuch in container "+id) {
		t.Errorf("copy of a missing path: %v", err)
	}
}
