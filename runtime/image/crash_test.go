package image

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestKilledLoadLeavesAValidStore kills a process with SIGKILL at several
// points of a `docker load` and checks that the store opens afterwards with
// the image either wholly present or absent, and nothing left over.
func TestKilledLoadLeavesAValidStore(t *testing.T) {
	if dir := os.Getenv("BOXLAB_TEST_LOAD_INTO"); dir != "" {
		s, err := Open(dir)
		if err != nil {
			os.Exit(3)
		}
		f, err := os.Open(os.Getenv("BOXLAB_TEST_LOAD_FROM"))
		if err != nil {
			os.Exit(4)
		}
		if _, err := s.Load(f); err != nil {
			os.Exit(5)
		}
		os.Exit(0)
	}
	if testing.Short() {
		t.Skip("spawns processes")
	}
	src := openTest(t)
	var layers [][]byte
	for i := range 6 {
		big := make([]byte, 2<<20)
		rand.Read(big)
		files := map[string]string{fmt.Sprintf("data%d", i): string(big)}
		for j := range 200 {
			files[fmt.Sprintf("dir%d/f%d", i, j)] = "x"
		}
		layers = append(layers, tarOf(t, files))
	}
	img := testImage(t, src, "big", layers, "big:1")
	archive := filepath.Join(t.TempDir(), "big.tar")
	var buf bytes.Buffer
	if err := src.Save(&buf, []string{"big:1"}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(archive, buf.Bytes(), 0o644)

	child := func(dir string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledLoadLeavesAValidStore$")
		cmd.Env = append(os.Environ(), "BOXLAB_TEST_LOAD_INTO="+dir, "BOXLAB_TEST_LOAD_FROM="+archive)
		return cmd
	}
	// How long a whole load takes, start-up included; the kills spread over it.
	start := time.Now()
	if out, err := child(t.TempDir()).CombinedOutput(); err != nil {
		t.Fatalf("child load: %v %s", err, out)
	}
	full := time.Since(start)

	complete, absent := 0, 0
	// Start-up takes most of a run, so the kills crowd toward its end; the
	// first lands before the load began, the last after it ended.
	for i := range 13 {
		delay := full * time.Duration(i+3) / 14
		if i == 0 {
			delay = 0
		}
		dir := t.TempDir()
		cmd := child(dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Kill()
		cmd.Wait()

		s, err := Open(dir)
		if err != nil {
			t.Fatalf("after kill at %v: Open: %v", delay, err)
		}
		filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
			if err == nil && strings.HasPrefix(fi.Name(), tmpPrefix) {
				t.Errorf("after kill at %v: leftover %s", delay, p)
			}
			return nil
		})
		got, err := s.Get("big:1")
		if err != nil {
			absent++
			s.mu.RLock()
			n := len(s.layers)
			s.mu.RUnlock()
			if n != 0 {
				t.Errorf("after kill at %v: no image but %d orphan layers", delay, n)
			}
			continue
		}
		complete++
		if got.ID != img.ID || got.Size != img.Size {
			t.Errorf("after kill at %v: image %s size %d, want %s %d", delay, got.ID, got.Size, img.ID, img.Size)
		}
		dirs, _ := s.Layers(got)
		for i, d := range dirs {
			if _, err := os.Stat(filepath.Join(d, fmt.Sprintf("data%d", len(dirs)-1-i))); err != nil {
				t.Errorf("after kill at %v: layer %d incomplete: %v", delay, i, err)
			}
		}
	}
	t.Logf("%d kills left the image complete, %d left it absent", complete, absent)
	if absent == 0 {
		t.Error("no kill interrupted the load")
	}
}
