//go:build linux

package image

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/boxlab/boxlab/runtime/lean"
)

// refDockerHost is the reference dockerd that .ci/run starts.
const refDockerHost = "unix:///tmp/boxlab-ref-docker/docker.sock"

// refDocker returns a runner of the real docker CLI against the reference
// dockerd, skipping the test when there is none.
func refDocker(t *testing.T) func(stdin []byte, args ...string) (string, error) {
	t.Helper()
	if _, err := os.Stat(strings.TrimPrefix(refDockerHost, "unix://")); err != nil {
		t.Skip("no reference dockerd at " + refDockerHost + " (.ci/run starts one)")
	}
	bin, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("no docker CLI on PATH")
	}
	run := func(stdin []byte, args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "DOCKER_HOST="+refDockerHost)
		cmd.Stdin = bytes.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(nil, "version", "--format", "{{.Server.Version}}"); err != nil {
		t.Skipf("reference dockerd not usable: %s", out)
	}
	return run
}

func TestBuiltinImagesLoadAndRunInRealDocker(t *testing.T) {
	docker := refDocker(t)
	bin, err := lean.Toolbox()
	if err != nil {
		t.Skip(err)
	}
	var archive bytes.Buffer
	if err := SaveBuiltins(&archive, bin); err != nil {
		t.Fatal(err)
	}
	out, err := docker(archive.Bytes(), "load")
	if err != nil {
		t.Fatalf("docker load: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Loaded image: boxlab/base:latest") {
		t.Errorf("docker load printed %q", out)
	}
	s := openTest(t)
	if err := s.EnsureBuiltins(bin); err != nil {
		t.Fatal(err)
	}
	want, _ := s.Get("boxlab/base")
	out, err = docker(nil, "image", "inspect", "-f", "{{.Id}} {{.Size}} {{json .Config.Cmd}} {{.Os}}", "boxlab/base")
	if err != nil {
		t.Fatalf("inspect: %v %s", err, out)
	}
	if got := strings.TrimSpace(out); got != want.ID+" "+strconv.FormatInt(want.Size, 10)+` ["sh"] linux` {
		t.Errorf("Docker sees %q, boxlab has id %s size %d", got, want.ID, want.Size)
	}
	out, err = docker(nil, "run", "--rm", "boxlab/base", "echo", "hi")
	if err != nil || out != "hi\n" {
		t.Errorf("docker run --rm boxlab/base echo hi = %q, %v", out, err)
	}
}

func TestDockerSavedImagesLoadWithTheSameIDs(t *testing.T) {
	docker := refDocker(t)
	if out, err := docker(nil, "image", "inspect", "busybox:ref"); err != nil {
		t.Skipf("reference dockerd has no busybox:ref: %s", out)
	}
	// A multi-layer image with whiteouts and an opaque directory, built by
	// the legacy builder so it runs on dockerd 20.10 and newer.
	ctx := t.TempDir()
	os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM busybox:ref\n"+
		"RUN echo hi > /hello\n"+
		"RUN rm /bin/ls && mkdir -p /d && touch /d/a\n"+
		"RUN rm -rf /d && mkdir /d && echo b > /d/b\n"), 0o644)
	cmd := exec.Command("docker", "build", "-q", "-t", "boxlab-test/multi:1", ctx)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+refDockerHost, "DOCKER_BUILDKIT=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docker build: %v\n%s", err, out)
	}
	defer docker(nil, "rmi", "boxlab-test/multi:1")

	s := openTest(t)
	for _, ref := range []string{"busybox:ref", "boxlab-test/multi:1"} {
		archive, err := exec.Command("sh", "-c", "DOCKER_HOST="+refDockerHost+" docker save "+ref).Output()
		if err != nil {
			t.Fatalf("docker save %s: %v", ref, err)
		}
		lines, err := s.Load(bytes.NewReader(archive))
		if err != nil {
			t.Fatalf("Load(docker save %s): %v", ref, err)
		}
		if !slices.Equal(lines, []string{"Loaded image: " + ref}) {
			t.Errorf("lines = %q", lines)
		}
		out, _ := docker(nil, "image", "inspect", "-f", "{{.Id}} {{.Size}} {{json .RootFS.Layers}}", ref)
		img, err := s.Get(ref)
		if err != nil {
			t.Fatal(err)
		}
		layers, _ := jsonString(img.Config.RootFS.DiffIDs)
		if got, want := img.ID+" "+strconv.FormatInt(img.Size, 10)+" "+layers, strings.TrimSpace(out); got != want {
			t.Errorf("%s: boxlab %q, Docker %q", ref, got, want)
		}
	}
	img, _ := s.Get("boxlab-test/multi:1")
	dirs, err := s.Layers(img)
	if err != nil || len(dirs) != 4 {
		t.Fatalf("layers %v %v", dirs, err)
	}
	if os.Geteuid() == 0 {
		// Topmost first: dirs[1] removed /bin/ls, dirs[0] made /d opaque.
		if !isWhiteout(t, filepath.Join(dirs[1], "bin/ls")) {
			t.Error("bin/ls is not a whiteout in its layer")
		}
		if v := opaqueXattr(t, filepath.Join(dirs[0], "d")); v != "y" {
			t.Errorf("/d opaque = %q", v)
		}
	}

	// And back: boxlab's save of the loaded image loads into Docker with the same id.
	var archive bytes.Buffer
	if err := s.Save(&archive, []string{"boxlab-test/multi:1"}); err != nil {
		t.Fatal(err)
	}
	if out, err := docker(nil, "rmi", "boxlab-test/multi:1"); err != nil {
		t.Fatalf("rmi: %v %s", err, out)
	}
	if out, err := docker(archive.Bytes(), "load"); err != nil || !strings.Contains(out, "Loaded image: boxlab-test/multi:1") {
		t.Fatalf("docker load of boxlab's save: %v %s", err, out)
	}
	out, _ := docker(nil, "image", "inspect", "-f", "{{.Id}}", "boxlab-test/multi:1")
	if strings.TrimSpace(out) != img.ID {
		t.Errorf("Docker loaded %q, want %s", out, img.ID)
	}
	if out, err := docker(nil, "run", "--rm", "boxlab-test/multi:1", "sh", "-c", "cat /hello /d/b; ls /d; test -e /bin/ls || echo gone"); err != nil || out != "hi\nb\nb\ngone\n" {
		t.Errorf("run of the round-tripped image = %q %v", out, err)
	}
}
