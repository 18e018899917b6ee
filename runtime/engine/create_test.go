package engine

import (
	"reflect"
	"testing"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/moby/api/types/container"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/boxlab/boxlab/runtime/image"
)

func testImage(entrypoint, cmd []string, env []string) *image.Image {
	return &image.Image{
		ID: "sha256:" + "ab12",
		Config: &dockerspec.DockerOCIImage{Config: dockerspec.DockerOCIImageConfig{ImageConfig: ocispec.ImageConfig{
			Entrypoint: entrypoint,
			Cmd:        cmd,
			Env:        env,
			WorkingDir: "/app",
			Labels:     map[string]string{"from": "image", "shared": "image"},
		}}},
	}
}

// The daemon's rules for combining a create request with its image.
func TestMergeImageConfigEntrypointAndCmd(t *testing.T) {
	for _, tc := range []struct {
		name            string
		imgEP, imgCmd   []string
		userEP, userCmd []string
		wantPath        string
		wantArgs        []string
	}{
		{"image cmd only", nil, []string{"sh"}, nil, nil, "sh", []string{}},
		{"user cmd replaces image cmd", nil, []string{"sh"}, nil, []string{"echo", "hi"}, "echo", []string{"hi"}},
		{"image entrypoint + image cmd", []string{"/entry.sh"}, []string{"flask", "run"}, nil, nil, "/entry.sh", []string{"flask", "run"}},
		{"image entrypoint + user cmd", []string{"/entry.sh"}, []string{"flask"}, nil, []string{"sh"}, "/entry.sh", []string{"sh"}},
		{"user entrypoint drops image cmd", []string{"/entry.sh"}, []string{"flask"}, []string{"echo"}, nil, "echo", []string{}},
		{"user entrypoint + user cmd", nil, []string{"sh"}, []string{"echo"}, []string{"a", "b"}, "echo", []string{"a", "b"}},
		{"--entrypoint '' clears both", []string{"/entry.sh"}, []string{"flask"}, []string{""}, []string{"ls"}, "ls", []string{}},
		{"--entrypoint '' and no cmd", []string{"/entry.sh"}, []string{"flask"}, []string{""}, nil, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := mergeImageConfig(&container.Config{Entrypoint: tc.userEP, Cmd: tc.userCmd}, testImage(tc.imgEP, tc.imgCmd, nil))
			path, args := entrypointAndArgs(cfg)
			if path != tc.wantPath || (tc.wantArgs != nil && !reflect.DeepEqual(nonNil(args), tc.wantArgs)) {
				t.Errorf("got %q %q, want %q %q", path, args, tc.wantPath, tc.wantArgs)
			}
		})
	}
}

func TestMergeImageConfigEnvLabelsWorkdir(t *testing.T) {
	cfg := mergeImageConfig(&container.Config{
		Env:    []string{"PATH=/bin", "NEW=1"},
		Labels: map[string]string{"shared": "user"},
	}, testImage(nil, []string{"sh"}, []string{"PATH=/usr/bin:/bin", "LANG=C"}))
	if want := []string{"PATH=/bin", "LANG=C", "NEW=1"}; !reflect.DeepEqual(cfg.Env, want) {
		t.Errorf("env %q, want %q", cfg.Env, want)
	}
	if want := map[string]string{"from": "image", "shared": "user"}; !reflect.DeepEqual(cfg.Labels, want) {
		t.Errorf("labels %v, want %v", cfg.Labels, want)
	}
	if cfg.WorkingDir != "/app" {
		t.Errorf("workdir %q, want the image's /app", cfg.WorkingDir)
	}
}

func TestValidateHostConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		hc   container.HostConfig
		ok   bool
	}{
		{"default", container.HostConfig{}, true},
		{"always", container.HostConfig{RestartPolicy: container.RestartPolicy{Name: "always"}}, true},
		{"on-failure:3", container.HostConfig{RestartPolicy: container.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}}, true},
		{"always with count", container.HostConfig{RestartPolicy: container.RestartPolicy{Name: "always", MaximumRetryCount: 3}}, false},
		{"unknown policy", container.HostConfig{RestartPolicy: container.RestartPolicy{Name: "sometimes"}}, false},
		{"--rm with restart", container.HostConfig{AutoRemove: true, RestartPolicy: container.RestartPolicy{Name: "always"}}, false},
		{"--rm with no", container.HostConfig{AutoRemove: true, RestartPolicy: container.RestartPolicy{Name: "no"}}, true},
	} {
		err := validateHostConfig(&tc.hc)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err=%v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}
