package image

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/containerd/errdefs"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// offline fails every dial the way the resolver of the reference machine does.
var offline = roundTripFunc(func(r *http.Request) (*http.Response, error) {
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: r.URL.Hostname(), Server: "10.255.255.53:53", IsNotFound: true}}
})

func TestPullOfflineSaysWhatDockerSays(t *testing.T) {
	s, err := Open(t.TempDir(), WithRegistryTransport(offline))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ image, tag, err string }{
		// Printed by dockerd 20.10 for `docker pull alpine` on this machine.
		{"alpine", "", `Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host`},
		{"ghcr.io/org/app", "v1", `Get "https://ghcr.io/v2/": dial tcp: lookup ghcr.io on 10.255.255.53:53: no such host`},
	}
	for _, tt := range tests {
		ref, err := PullReference(tt.image, tt.tag)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Pull(context.Background(), ref); err == nil || err.Error() != tt.err {
			t.Errorf("Pull(%s) = %v, want %q", ref, err, tt.err)
		}
	}
	online := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 401, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
	})
	s2, _ := Open(t.TempDir(), WithRegistryTransport(online))
	ref, _ := PullReference("busybox", "")
	if err := s2.Pull(context.Background(), ref); !errdefs.IsNotImplemented(err) {
		t.Errorf("reachable registry: %v", err)
	}
}

func TestPullReference(t *testing.T) {
	tests := []struct{ image, tag, want, err string }{
		{"busybox", "", "docker.io/library/busybox:latest", ""},
		{"busybox", "1.36", "docker.io/library/busybox:1.36", ""},
		{"busybox", "sha256:" + strings.Repeat("a", 64), "docker.io/library/busybox@sha256:" + strings.Repeat("a", 64), ""},
		{"localhost:5000/x", "", "localhost:5000/x:latest", ""},
		{"Busybox", "", "", "invalid reference format: repository name (library/Busybox) must be lowercase"},
		{"busybox", "bad:tag", "", "invalid tag format"},
	}
	for _, tt := range tests {
		ref, err := PullReference(tt.image, tt.tag)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err || !errdefs.IsInvalidArgument(err) {
				t.Errorf("PullReference(%q, %q) err = %v, want %q", tt.image, tt.tag, err, tt.err)
			}
			continue
		}
		if err != nil || ref.String() != tt.want {
			t.Errorf("PullReference(%q, %q) = %v, %v; want %s", tt.image, tt.tag, ref, err, tt.want)
		}
	}
}
