package image

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	imagetypes "github.com/moby/moby/api/types/image"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// tarOf builds a layer tar from name → content ("" names ending in / are dirs,
// "->target" makes a symlink).
func tarOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		c := files[n]
		hdr := &tar.Header{Name: n, Mode: 0o644, ModTime: time.Unix(1700000000, 0)}
		switch {
		case strings.HasSuffix(n, "/"):
			hdr.Typeflag, hdr.Mode = tar.TypeDir, 0o755
		case strings.HasPrefix(c, "->"):
			hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, c[2:]
		default:
			hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(c))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if hdr.Typeflag == tar.TypeReg {
			tw.Write([]byte(c))
		}
	}
	tw.Close()
	return buf.Bytes()
}

// testImage stores an image made of layers (bottom first) with a config
// distinguished by comment, and tags it.
func testImage(t testing.TB, s *Store, comment string, layers [][]byte, tags ...string) *Image {
	t.Helper()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	created := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	cfg := dockerspec.DockerOCIImage{Image: ocispec.Image{
		Created:  &created,
		Platform: ocispec.Platform{Architecture: "amd64", OS: "linux"},
		RootFS:   ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{}},
	}}
	var parent digest.Digest
	for _, l := range layers {
		li, _, err := s.putLayer(parent, "", bytes.NewReader(l))
		if err != nil {
			t.Fatal(err)
		}
		parent = li.ChainID
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, li.DiffID)
		cfg.History = append(cfg.History, ocispec.History{Created: &created, CreatedBy: comment})
	}
	cfg.Config.Cmd = []string{"sh"}
	cfg.Config.Labels = map[string]string{"comment": comment}
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.commitImage(raw, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range tags {
		named, err := reference.ParseNormalizedNamed(tag)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.addRef(reference.TagNameOnly(named), rec.id); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.saveRefs(); err != nil {
		t.Fatal(err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.image(rec)
}

func openTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestImageIDIsDigestOfConfigAsDockerComputesIt(t *testing.T) {
	// testdata/busybox-config.json is the config `docker save` wrote for an
	// image whose id Docker reported as sha256:7d6e28ff7985....
	raw, err := os.ReadFile("testdata/busybox-config.json")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := newRecord(raw)
	if err != nil {
		t.Fatal(err)
	}
	if want := "sha256:7d6e28ff7985d148e7df28cdca791f521626ff63c543051af963642420d783ae"; rec.id.String() != want {
		t.Errorf("id = %s, want %s", rec.id, want)
	}
	if rec.docker.Comment != "Imported from -" || rec.docker.DockerVersion != "20.10.24+dfsg1" {
		t.Errorf("docker fields = %+v", rec.docker)
	}
}

func TestChainIDsMatchDocker(t *testing.T) {
	// Diff ids and chain ids of a four-layer image built by dockerd 20.10
	// (read from its layerdb).
	diffs := []digest.Digest{
		"sha256:5663bfa4c14f8c68081745fbcffdf055ace33dcc7b7f3b20832b40df1bd8a12e",
		"sha256:c03d3c882ce2f0a68c5d211186e625806ae5240392298253f2d1d664a21a70dc",
		"sha256:08cf60d2726381565c1d457badfd6e23b66f5ced9496eb1ca7920530ee76eeec",
		"sha256:88b734617ba25bba9876c42f7eba73a104dedc9a07110c2b3e642d66ad407e5e",
	}
	want := []digest.Digest{
		"sha256:5663bfa4c14f8c68081745fbcffdf055ace33dcc7b7f3b20832b40df1bd8a12e",
		"sha256:1acc0c30cfb8b85da5d5aeb65347b8c14f623aba3f57bfa7701677a8da6c985b",
		"sha256:dd51841681b80e4cba5f31ce856e6c94704ad8f4573a262c4f196406135b6109",
		"sha256:0aaed7b81f483648dfba921f4b9250bc4d93046ad60a3e6d840192d43d7a6d25",
	}
	if got := chainIDs(diffs); !slices.Equal(got, want) {
		t.Errorf("chain ids = %v, want %v", got, want)
	}
}

func TestGetResolvesReferencesLikeDocker(t *testing.T) {
	s := openTest(t)
	l1 := tarOf(t, map[string]string{"a": "1"})
	bb := testImage(t, s, "busybox", [][]byte{l1}, "busybox:latest", "busybox:1.36")
	app := testImage(t, s, "app", [][]byte{l1, tarOf(t, map[string]string{"b": "2"})}, "example.com:5000/team/app:v1")
	hex := strings.TrimPrefix(bb.ID, "sha256:")
	tests := []struct {
		ref     string
		want    string // image id, or "" for an error
		errText string
		class   func(error) bool
	}{
		{ref: "busybox", want: bb.ID},
		{ref: "busybox:latest", want: bb.ID},
		{ref: "docker.io/library/busybox:1.36", want: bb.ID},
		{ref: "library/busybox:1.36", want: bb.ID},
		{ref: bb.ID, want: bb.ID},
		{ref: hex, want: bb.ID},
		{ref: hex[:12], want: bb.ID},
		{ref: "sha256:" + hex[:12], want: bb.ID},
		{ref: "example.com:5000/team/app:v1", want: app.ID},
		{ref: "busybox:nope", errText: "No such image: busybox:nope", class: errdefs.IsNotFound},
		{ref: "nosuch", errText: "No such image: nosuch:latest", class: errdefs.IsNotFound},
		{ref: "docker.io/library/nosuch", errText: "No such image: nosuch:latest", class: errdefs.IsNotFound},
		{ref: "foo/bar:1", errText: "No such image: foo/bar:1", class: errdefs.IsNotFound},
		{ref: "sha256:abc", errText: "No such image: sha256:abc", class: errdefs.IsNotFound},
		{ref: "sha256:" + strings.Repeat("0", 64), errText: "No such image: sha256:" + strings.Repeat("0", 64), class: errdefs.IsNotFound},
		{ref: "busybox@sha256:" + hex, errText: "No such image: busybox@sha256:" + hex, class: errdefs.IsNotFound},
		{ref: "BadName", errText: "invalid reference format: repository name (library/BadName) must be lowercase", class: errdefs.IsInvalidArgument},
		{ref: "a:b:c", errText: "invalid reference format", class: errdefs.IsInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			img, err := s.Get(tt.ref)
			if tt.want != "" {
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				if img.ID != tt.want {
					t.Fatalf("id = %s, want %s", img.ID, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Get = %s, want error %q", img.ID, tt.errText)
			}
			if err.Error() != tt.errText || !tt.class(err) {
				t.Fatalf("error = %q (%T), want %q", err, err, tt.errText)
			}
		})
	}
}

func TestShortIDAmbiguityIsNotFound(t *testing.T) {
	s := openTest(t)
	l := tarOf(t, map[string]string{"a": "1"})
	byFirst := map[byte][]*Image{}
	var pair []*Image
	for i := 0; pair == nil; i++ {
		img := testImage(t, s, fmt.Sprint("img", i), [][]byte{l})
		c := strings.TrimPrefix(img.ID, "sha256:")[0]
		byFirst[c] = append(byFirst[c], img)
		if len(byFirst[c]) == 2 {
			pair = byFirst[c]
		}
	}
	prefix := strings.TrimPrefix(pair[0].ID, "sha256:")[:1]
	if _, err := s.Get(prefix); !errdefs.IsNotFound(err) || err.Error() != "No such image: "+prefix+":latest" {
		t.Errorf("Get(%q) error = %v, want not found", prefix, err)
	}
	for _, img := range pair {
		long := strings.TrimPrefix(img.ID, "sha256:")[:20]
		if got, err := s.Get(long); err != nil || got.ID != img.ID {
			t.Errorf("Get(%q) = %v, %v", long, got, err)
		}
	}
}

func TestTagMoveLeavesOldImageDangling(t *testing.T) {
	s := openTest(t)
	l := tarOf(t, map[string]string{"a": "1"})
	old := testImage(t, s, "old", [][]byte{l}, "app:latest")
	cur := testImage(t, s, "new", [][]byte{l})
	if err := s.Tag(cur.ID, "app", ""); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get(old.ID)
	if len(got.RepoTags) != 0 {
		t.Errorf("old image tags = %v, want none", got.RepoTags)
	}
	got, _ = s.Get("app")
	if got.ID != cur.ID || !slices.Equal(got.RepoTags, []string{"app:latest"}) || got.LastTagTime.IsZero() {
		t.Errorf("app = %s %v %v", got.ID, got.RepoTags, got.LastTagTime)
	}
	tagErrs := []struct{ repo, tag, msg string }{
		{"sha256", "x", "refusing to create an ambiguous tag using digest algorithm as name"},
		{"Bad", "", "invalid reference format: repository name (library/Bad) must be lowercase"},
		{"app", "bad:tag", "invalid tag format"},
		{"app@sha256:" + strings.Repeat("a", 64), "", "refusing to create a tag with a digest reference"},
	}
	for _, te := range tagErrs {
		if err := s.Tag(cur.ID, te.repo, te.tag); err == nil || err.Error() != te.msg || !errdefs.IsInvalidArgument(err) {
			t.Errorf("Tag(%q, %q) = %v, want %q", te.repo, te.tag, err, te.msg)
		}
	}
	// Tags survive a reopen.
	s2, err := Open(s.Root())
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s2.Get("app:latest"); err != nil || got.ID != cur.ID {
		t.Errorf("after reopen: %v %v", got, err)
	}
}

// fakeUsage is a UsageChecker with fixed answers.
type fakeUsage map[string]struct {
	id      string
	running bool
}

func (f fakeUsage) ImageInUse(id string) (string, bool) { return f[id].id, f[id].running }

func TestDeleteUntagsOrDeletesLikeDocker(t *testing.T) {
	l1 := tarOf(t, map[string]string{"a": "1"})
	l2 := tarOf(t, map[string]string{"b": "2"})
	t.Run("two tags: untag then delete", func(t *testing.T) {
		s := openTest(t)
		img := testImage(t, s, "x", [][]byte{l1}, "app:1", "app:2")
		got, err := s.Delete("app:1", false, true)
		if err != nil || len(got) != 1 || got[0].Untagged != "app:1" {
			t.Fatalf("Delete app:1 = %+v, %v", got, err)
		}
		got, err = s.Delete("app:2", false, true)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"U:app:2", "D:" + img.ID, "D:" + digest.FromBytes(l1).String()}
		if r := flatten(got); !slices.Equal(r, want) {
			t.Fatalf("records = %v, want %v", r, want)
		}
		if _, err := os.Stat(s.blobPath(digest.FromBytes(l1))); !os.IsNotExist(err) {
			t.Errorf("layer blob still there: %v", err)
		}
	})
	t.Run("id with tags in two repositories needs force", func(t *testing.T) {
		s := openTest(t)
		img := testImage(t, s, "x", [][]byte{l1}, "app:1", "other:1")
		_, err := s.Delete(img.ID[7:19], false, false)
		if want := "conflict: unable to delete " + img.ID[7:19] + " (must be forced) - image is referenced in multiple repositories"; err == nil || err.Error() != want || !errdefs.IsConflict(err) {
			t.Fatalf("err = %v, want %q", err, want)
		}
		got, err := s.Delete(img.ID[7:19], true, false)
		if err != nil {
			t.Fatal(err)
		}
		if r := flatten(got); !slices.Equal(r, []string{"U:app:1", "U:other:1", "D:" + img.ID, "D:" + digest.FromBytes(l1).String()}) {
			t.Fatalf("records = %v", r)
		}
	})
	t.Run("shared layers stay", func(t *testing.T) {
		s := openTest(t)
		base := testImage(t, s, "base", [][]byte{l1}, "base:1")
		top := testImage(t, s, "top", [][]byte{l1, l2}, "top:1")
		got, err := s.Delete("top:1", false, false)
		if err != nil {
			t.Fatal(err)
		}
		chain2 := chainIDs([]digest.Digest{digest.FromBytes(l1), digest.FromBytes(l2)})[1]
		if r := flatten(got); !slices.Equal(r, []string{"U:top:1", "D:" + top.ID, "D:" + chain2.String()}) {
			t.Fatalf("records = %v", r)
		}
		if dirs, err := s.Layers(base); err != nil || len(dirs) != 1 {
			t.Fatalf("base layers = %v, %v", dirs, err)
		} else if _, err := os.Stat(filepath.Join(dirs[0], "a")); err != nil {
			t.Fatalf("shared layer gone: %v", err)
		}
	})
	t.Run("containers", func(t *testing.T) {
		s := openTest(t)
		img := testImage(t, s, "x", [][]byte{l1}, "app:1")
		short := img.ID[7:19]
		s.SetUsageChecker(fakeUsage{img.ID: {"c0ffee0000000000", true}})
		if _, err := s.Delete("app:1", false, false); err == nil || err.Error() != `conflict: unable to remove repository reference "app:1" (must force) - container c0ffee000000 is using its referenced image `+short {
			t.Fatalf("untag in use: %v", err)
		}
		if _, err := s.Delete(img.ID, true, false); err == nil || err.Error() != "conflict: unable to delete "+short+" (cannot be forced) - image is being used by running container c0ffee000000" {
			t.Fatalf("delete running: %v", err)
		}
		s.SetUsageChecker(fakeUsage{img.ID: {"c0ffee0000000000", false}})
		if _, err := s.Delete(img.ID, false, false); err == nil || err.Error() != "conflict: unable to delete "+short+" (must be forced) - image is being used by stopped container c0ffee000000" {
			t.Fatalf("delete stopped: %v", err)
		}
		// Forced untag of the last tag of a used image: untagged, image kept.
		got, err := s.Delete("app:1", true, false)
		if err != nil {
			t.Fatal(err)
		}
		if r := flatten(got); !slices.Equal(r, []string{"U:app:1", "D:" + img.ID, "D:" + digest.FromBytes(l1).String()}) {
			t.Fatalf("forced records = %v", r)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		s := openTest(t)
		if _, err := s.Delete("nosuch", false, false); err == nil || err.Error() != "No such image: nosuch:latest" {
			t.Fatalf("err = %v", err)
		}
	})
}

func flatten(rs []imagetypes.DeleteResponse) []string {
	var out []string
	for _, r := range rs {
		if r.Untagged != "" {
			out = append(out, "U:"+r.Untagged)
		}
		if r.Deleted != "" {
			out = append(out, "D:"+r.Deleted)
		}
	}
	return out
}

func TestOpenRecoversFromInterruptedWrites(t *testing.T) {
	s := openTest(t)
	root := s.Root()
	l1 := tarOf(t, map[string]string{"a": "1"})
	good := testImage(t, s, "good", [][]byte{l1}, "good:1")

	// Simulate a crash at every stage of later writes.
	crumbs := []string{
		"blobs/sha256/.tmp-layer-123",
		"images/.tmp-abc.json-1",
		".tmp-repositories.json-9",
		"tmp/.tmp-load-5/1",
		"layers/.tmp-unpack-77/diff/usr/bin/half-written",
	}
	for _, c := range crumbs {
		p := filepath.Join(root, c)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("partial"), 0o644)
	}
	// A layer stored by a load that died before its image was recorded.
	s.wmu.Lock()
	orphan, _, err := s.putLayer("", "", bytes.NewReader(tarOf(t, map[string]string{"orphan": "x"})))
	s.wmu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	// An image record whose layer never made it.
	missing := testImage(t, s, "missing", [][]byte{tarOf(t, map[string]string{"m": "1"})}, "missing:1")
	ms, _, _ := s.LayerSizes(missing)
	os.RemoveAll(s.layerDir(digest.Digest(ms[0])))

	s2, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range crumbs {
		first := strings.SplitN(c, "/.tmp-", 2)[0]
		if strings.HasPrefix(c, ".tmp-") {
			first = ""
		}
		ents, _ := os.ReadDir(filepath.Join(root, first))
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".tmp-") {
				t.Errorf("leftover %s/%s", first, e.Name())
			}
		}
	}
	if _, err := os.Stat(s2.layerDir(orphan.ChainID)); !os.IsNotExist(err) {
		t.Errorf("orphan layer kept: %v", err)
	}
	if _, err := os.Stat(s2.blobPath(orphan.DiffID)); !os.IsNotExist(err) {
		t.Errorf("orphan blob kept: %v", err)
	}
	if _, err := s2.Get("missing:1"); !errdefs.IsNotFound(err) {
		t.Errorf("image with a missing layer: %v", err)
	}
	if _, err := os.Stat(s2.imagePath(digest.Digest(missing.ID))); !os.IsNotExist(err) {
		t.Errorf("broken image record kept")
	}
	img, err := s2.Get("good:1")
	if err != nil || img.ID != good.ID {
		t.Fatalf("good image: %v %v", img, err)
	}
	dirs, err := s2.Layers(img)
	if err != nil || len(dirs) != 1 {
		t.Fatalf("layers %v %v", dirs, err)
	}
	if b, err := os.ReadFile(filepath.Join(dirs[0], "a")); err != nil || string(b) != "1" {
		t.Errorf("layer content %q %v", b, err)
	}
	if list, _ := s2.List(); len(list) != 1 {
		t.Errorf("images after recovery = %d, want 1", len(list))
	}
}

func TestLayersTopmostFirstAndSize(t *testing.T) {
	s := openTest(t)
	l1 := tarOf(t, map[string]string{"etc/": "", "etc/hosts": "12345", "bin/": "", "bin/sh": "->busybox", "bin/busybox": "1234567890"})
	l2 := tarOf(t, map[string]string{"app": "xyz"})
	img := testImage(t, s, "x", [][]byte{l1, l2}, "x:1")
	dirs, err := s.Layers(img)
	if err != nil {
		t.Fatal(err)
	}
	chains := chainIDs([]digest.Digest{digest.FromBytes(l1), digest.FromBytes(l2)})
	want := []string{s.layerDiffDir(chains[1]), s.layerDiffDir(chains[0])}
	if !slices.Equal(dirs, want) {
		t.Fatalf("dirs = %v, want %v", dirs, want)
	}
	// Docker counts file sizes plus symlink target lengths: 5+10+7 and 3.
	if img.Size != 25 {
		t.Errorf("size = %d, want 25", img.Size)
	}
	if target, err := os.Readlink(filepath.Join(dirs[1], "bin/sh")); err != nil || target != "busybox" {
		t.Errorf("symlink = %q %v", target, err)
	}
}

func TestUnpackConfinesEntriesToTheLayer(t *testing.T) {
	dir := t.TempDir()
	layer := filepath.Join(dir, "layer")
	os.Mkdir(layer, 0o755)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "../../escaped", Size: 1, Mode: 0o644})
	tw.Write([]byte("x"))
	tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: "up", Linkname: "../..", Mode: 0o777})
	tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "up/escaped2", Size: 1, Mode: 0o644})
	tw.Write([]byte("y"))
	tw.Close()
	err := unpackTar(layer, &buf)
	if _, serr := os.Stat(filepath.Join(dir, "escaped")); serr == nil {
		t.Fatal("entry written outside the layer")
	}
	if _, serr := os.Stat(filepath.Join(layer, "escaped")); serr != nil {
		t.Errorf("../../escaped not clamped into the layer: %v", serr)
	}
	if _, serr := os.Stat(filepath.Join(filepath.Dir(dir), "escaped2")); serr == nil {
		t.Fatal("entry written through a symlink outside the layer")
	}
	if err == nil {
		t.Error("writing through an escaping symlink did not fail")
	}
}
