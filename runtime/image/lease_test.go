package image

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/opencontainers/go-digest"
)

func TestLeaseKeepsLayersOfForceRemovedImage(t *testing.T) {
	s := openTest(t)
	l1 := tarOf(t, map[string]string{"a": "1"})
	img := testImage(t, s, "x", [][]byte{l1}, "app:1")
	if err := s.Lease("c0ffee", img); err != nil {
		t.Fatal(err)
	}
	s.SetUsageChecker(fakeUsage{img.ID: {"c0ffee", false}})
	got, err := s.Delete("app:1", true, false)
	if err != nil {
		t.Fatal(err)
	}
	// As Docker: the container's reference keeps the layer, so only the image is deleted.
	if r := flatten(got); !slices.Equal(r, []string{"U:app:1", "D:" + img.ID}) {
		t.Fatalf("records = %v", r)
	}
	s2, err := Open(s.Root())
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := s2.LeasedLayers("c0ffee")
	if err != nil || len(dirs) != 1 {
		t.Fatalf("leased = %v %v", dirs, err)
	}
	if b, err := os.ReadFile(filepath.Join(dirs[0], "a")); err != nil || string(b) != "1" {
		t.Fatalf("leased layer content %q %v", b, err)
	}
	if err := s2.Release("c0ffee"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dirs[0]); !os.IsNotExist(err) {
		t.Errorf("layer kept after release: %v", err)
	}
	if _, err := os.Stat(s2.blobPath(digest.FromBytes(l1))); !os.IsNotExist(err) {
		t.Errorf("blob kept after release: %v", err)
	}
	if err := s2.Release("c0ffee"); err != nil {
		t.Errorf("second release: %v", err)
	}
	if err := s2.Lease("../x", img); err == nil {
		t.Error("lease holder with a path accepted")
	}
}

func TestReleaseKeepsLayersImagesStillUse(t *testing.T) {
	s := openTest(t)
	img := testImage(t, s, "x", [][]byte{tarOf(t, map[string]string{"a": "1"})}, "app:1")
	if err := s.Lease("c1", img); err != nil {
		t.Fatal(err)
	}
	if err := s.Release("c1"); err != nil {
		t.Fatal(err)
	}
	dirs, _ := s.Layers(img)
	if _, err := os.Stat(dirs[0]); err != nil {
		t.Errorf("release removed a layer the image uses: %v", err)
	}
}
