package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/boxlab/boxlab/runtime/toolbox"
)

var fakeToolbox = []byte("\x7fELF fake toolbox for tests")

func TestEnsureBuiltinsIsIdempotentAndKeyedOnTheToolbox(t *testing.T) {
	s := openTest(t)
	if err := s.EnsureBuiltins(fakeToolbox); err != nil {
		t.Fatal(err)
	}
	first, err := s.Get("boxlab/base")
	if err != nil {
		t.Fatal(err)
	}
	statePath := filepath.Join(s.Root(), "builtins.json")
	st1, _ := os.Stat(statePath)
	if err := s.EnsureBuiltins(fakeToolbox); err != nil {
		t.Fatal(err)
	}
	st2, _ := os.Stat(statePath)
	if !st1.ModTime().Equal(st2.ModTime()) {
		t.Error("EnsureBuiltins rewrote its state although nothing changed")
	}
	// A reopened store, and a fresh one, give the same id: ids depend only on content.
	s2, err := Open(s.Root())
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.EnsureBuiltins(fakeToolbox); err != nil {
		t.Fatal(err)
	}
	fresh := openTest(t)
	if err := fresh.EnsureBuiltins(fakeToolbox); err != nil {
		t.Fatal(err)
	}
	for _, st := range []*Store{s2, fresh} {
		if img, err := st.Get("boxlab/base:latest"); err != nil || img.ID != first.ID {
			t.Fatalf("id = %v (%v), want %s", img, err, first.ID)
		}
	}
	// A learner's rmi is undone at the next start.
	if _, err := s2.Delete("boxlab/base", false, false); err != nil {
		t.Fatal(err)
	}
	if err := s2.EnsureBuiltins(fakeToolbox); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.Get("boxlab/base"); err != nil {
		t.Fatalf("after rmi and restart: %v", err)
	}
	// A new toolbox makes a new image and drops the old one.
	if err := s2.EnsureBuiltins(append(slices.Clone(fakeToolbox), '2')); err != nil {
		t.Fatal(err)
	}
	second, _ := s2.Get("boxlab/base")
	if second.ID == first.ID {
		t.Fatal("image id did not change with the toolbox")
	}
	if list, _ := s2.List(); len(list) != len(Builtins) {
		t.Errorf("images = %d, want %d (old built-in removed)", len(list), len(Builtins))
	}
}

func TestBuiltinBaseContent(t *testing.T) {
	s := openTest(t)
	if err := s.EnsureBuiltins(fakeToolbox); err != nil {
		t.Fatal(err)
	}
	img, err := s.Get("boxlab/base")
	if err != nil {
		t.Fatal(err)
	}
	c := img.Config
	if !slices.Equal(c.Config.Env, []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}) ||
		!slices.Equal(c.Config.Cmd, []string{"sh"}) || c.OS != "linux" || c.Architecture == "" ||
		len(c.History) != 2 || !c.History[1].EmptyLayer || !img.Created.Equal(builtinCreated) {
		t.Errorf("config = %+v", c)
	}
	if !slices.Equal(img.RepoTags, []string{"boxlab/base:latest"}) {
		t.Errorf("tags = %v", img.RepoTags)
	}
	dirs, err := s.Layers(img)
	if err != nil || len(dirs) != 1 {
		t.Fatalf("layers = %v %v", dirs, err)
	}
	root := dirs[0]
	if b, err := os.ReadFile(filepath.Join(root, "bin/boxlab-toolbox")); err != nil || !bytes.Equal(b, fakeToolbox) {
		t.Errorf("toolbox = %q %v", b, err)
	}
	if fi, err := os.Stat(filepath.Join(root, "bin/boxlab-toolbox")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("toolbox mode %v %v", fi, err)
	}
	names := toolbox.Names()
	if len(names) == 0 {
		t.Fatal("toolbox has no applets")
	}
	for _, n := range names {
		if target, err := os.Readlink(filepath.Join(root, "bin", n)); err != nil || target != "boxlab-toolbox" {
			t.Errorf("bin/%s -> %q %v", n, target, err)
		}
	}
	if fi, err := os.Stat(filepath.Join(root, "tmp")); err != nil || fi.Mode()&fs.ModeSticky == 0 || fi.Mode().Perm() != 0o777 {
		t.Errorf("tmp mode %v %v", fi.Mode(), err)
	}
	for _, want := range []struct{ file, line string }{
		{"etc/passwd", "root:x:0:0:root:/root:/bin/sh"},
		{"etc/passwd", "nobody:x:65534:65534:nobody:/home:/bin/false"},
		{"etc/group", "root:x:0:"},
		{"etc/os-release", "ID=boxlab"},
	} {
		b, _ := os.ReadFile(filepath.Join(root, want.file))
		if !slices.Contains(strings.Split(string(b), "\n"), want.line) {
			t.Errorf("%s lacks %q", want.file, want.line)
		}
	}
	for _, d := range []string{"root", "home", "var", "usr/bin", "usr/sbin", "sbin", "proc", "sys", "dev", "etc"} {
		if fi, err := os.Stat(filepath.Join(root, d)); err != nil || !fi.IsDir() {
			t.Errorf("%s missing: %v", d, err)
		}
	}
}

func TestSaveBuiltinsIsDeterministicAndMatchesTheStore(t *testing.T) {
	var a, b bytes.Buffer
	if err := SaveBuiltins(&a, fakeToolbox); err != nil {
		t.Fatal(err)
	}
	if err := SaveBuiltins(&b, fakeToolbox); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("SaveBuiltins output differs between runs")
	}
	s := openTest(t)
	if err := s.EnsureBuiltins(fakeToolbox); err != nil {
		t.Fatal(err)
	}
	want, _ := s.Get("boxlab/base")
	other := openTest(t)
	lines, err := other.Load(bytes.NewReader(a.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(lines, []string{"Loaded image: boxlab/base:latest"}) {
		t.Errorf("lines = %q", lines)
	}
	got, err := other.Get("boxlab/base")
	if err != nil || got.ID != want.ID || got.Size != want.Size {
		t.Fatalf("loaded %+v (%v), want id %s size %d", got, err, want.ID, want.Size)
	}
}

// archiveFiles lists a tar's entries and reads its small files.
func archiveFiles(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		out[hdr.Name] = b
	}
}

func TestSaveWritesModernDockerArchive(t *testing.T) {
	s := openTest(t)
	l1 := tarOf(t, map[string]string{"a": "1"})
	l2 := tarOf(t, map[string]string{"b": "2"})
	img := testImage(t, s, "x", [][]byte{l1, l2}, "app:1", "app:2", "other:1")
	var buf bytes.Buffer
	if err := s.Save(&buf, []string{"app"}); err != nil {
		t.Fatal(err)
	}
	files := archiveFiles(t, buf.Bytes())
	hex := strings.TrimPrefix(img.ID, "sha256:")
	for _, name := range []string{"blobs/", "blobs/sha256/", "oci-layout", "index.json", "manifest.json", "repositories",
		"blobs/sha256/" + hex, "blobs/sha256/" + digest.FromBytes(l1).Encoded(), "blobs/sha256/" + digest.FromBytes(l2).Encoded()} {
		if _, ok := files[name]; !ok {
			t.Errorf("archive lacks %s", name)
		}
	}
	var manifest []manifestItem
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil {
		t.Fatal(err)
	}
	if len(manifest) != 1 || manifest[0].Config != "blobs/sha256/"+hex ||
		!slices.Equal(manifest[0].RepoTags, []string{"app:1", "app:2"}) || len(manifest[0].Layers) != 2 {
		t.Errorf("manifest = %+v", manifest)
	}
	if string(files["oci-layout"]) != `{"imageLayoutVersion": "1.0.0"}` {
		t.Errorf("oci-layout = %s", files["oci-layout"])
	}
	var index struct {
		Manifests []struct {
			Digest      digest.Digest
			Annotations map[string]string
		}
	}
	json.Unmarshal(files["index.json"], &index)
	if len(index.Manifests) != 2 || index.Manifests[0].Annotations["io.containerd.image.name"] != "docker.io/library/app:1" ||
		index.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != "1" {
		t.Errorf("index = %s", files["index.json"])
	}
	if m := files["blobs/sha256/"+index.Manifests[0].Digest.Encoded()]; !bytes.Contains(m, []byte(`"digest":"`+img.ID+`"`)) {
		t.Errorf("manifest blob = %s", m)
	}
	if string(files["repositories"]) != `{"app":{"1":"`+digest.FromBytes(l2).Encoded()+`","2":"`+digest.FromBytes(l2).Encoded()+`"}}`+"\n" {
		t.Errorf("repositories = %s", files["repositories"])
	}

	for _, tc := range []struct{ ref, err string }{
		{"nosuch", "No such image: nosuch"},
		{"app:3", "reference does not exist"},
		{"Bad", "invalid reference format: repository name (library/Bad) must be lowercase"},
	} {
		if err := s.Save(io.Discard, []string{tc.ref}); err == nil || err.Error() != tc.err {
			t.Errorf("Save(%s) = %v, want %q", tc.ref, err, tc.err)
		}
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	src := openTest(t)
	l1 := tarOf(t, map[string]string{"etc/": "", "etc/x": "1", "lnk": "->etc/x"})
	l2 := tarOf(t, map[string]string{"b": "2"})
	tagged := testImage(t, src, "tagged", [][]byte{l1, l2}, "app:1")
	untagged := testImage(t, src, "untagged", [][]byte{l1})
	var buf bytes.Buffer
	if err := src.Save(&buf, []string{"app:1", untagged.ID}); err != nil {
		t.Fatal(err)
	}
	dst := openTest(t)
	lines, err := dst.Load(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	// Docker prints ids only when the last image had no tag, and then all of them.
	want := []string{"Loaded image: app:1", "Loaded image ID: " + tagged.ID, "Loaded image ID: " + untagged.ID}
	if !slices.Equal(lines, want) {
		t.Errorf("lines = %q, want %q", lines, want)
	}
	for _, w := range []*Image{tagged, untagged} {
		got, err := dst.Get(w.ID)
		if err != nil || got.Size != w.Size || !slices.Equal(got.RepoTags, w.RepoTags) {
			t.Errorf("loaded %+v %v, want %+v", got, err, w)
		}
	}
	img, _ := dst.Get("app:1")
	dirs, _ := dst.Layers(img)
	if b, err := os.ReadFile(filepath.Join(dirs[1], "lnk")); err != nil || string(b) != "1" {
		t.Errorf("lnk -> %q %v", b, err)
	}

	// Loading again moves nothing; loading a different image under the tag says so.
	other := testImage(t, src, "other", [][]byte{l2}, "app:1")
	buf.Reset()
	if err := src.Save(&buf, []string{"app:1"}); err != nil {
		t.Fatal(err)
	}
	lines, err = dst.Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"The image app:1 already exists, renaming the old one with ID " + tagged.ID + " to empty string", "Loaded image: app:1"}
	if !slices.Equal(lines, want) {
		t.Errorf("lines = %q, want %q", lines, want)
	}
	if got, _ := dst.Get("app:1"); got.ID != other.ID {
		t.Errorf("app:1 = %s, want %s", got.ID, other.ID)
	}
}

// snapshot lists every path and size under dir.
func snapshot(t testing.TB, dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, _ := d.Info()
		out = append(out, strings.TrimPrefix(p, dir)+" "+fi.Mode().String())
		return nil
	})
	return out
}

// rawTar writes entries as given (names unchecked), for hostile archives.
func rawTar(t testing.TB, entries ...tar.Header) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range entries {
		body := h.Linkname
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(body))
			h.Linkname = ""
		}
		h.Mode = 0o644
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(body))
		}
	}
	tw.Close()
	return buf.Bytes()
}

// file and link make rawTar entries; a file's content goes in Linkname.
func file(name, content string) tar.Header {
	return tar.Header{Typeflag: tar.TypeReg, Name: name, Linkname: content}
}
func link(name, target string) tar.Header {
	return tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target}
}

func TestLoadRejectsBadArchivesAndLeavesStoreUnchanged(t *testing.T) {
	random := make([]byte, 4096)
	rand.Read(random)
	layer := tarOf(t, map[string]string{"f": "x"})
	diff := digest.FromBytes(layer)
	cfg := func(diffs ...digest.Digest) string {
		b, _ := json.Marshal(map[string]any{"architecture": "amd64", "os": "linux", "rootfs": map[string]any{"type": "layers", "diff_ids": diffs}})
		return string(b)
	}
	manifest := func(config string, layers ...string) string {
		b, _ := json.Marshal([]manifestItem{{Config: config, RepoTags: []string{"evil:1"}, Layers: layers}})
		return string(b)
	}
	wrong := digest.FromString("not the layer")
	tests := []struct {
		name string
		data []byte
		err  string
	}{
		{"random bytes", random, "archive/tar: invalid tar header"},
		{"empty", nil, "invalid archive: does not contain a manifest.json"},
		{"no manifest", rawTar(t, file("foo", "x")), "invalid archive: does not contain a manifest.json"},
		{"bad manifest", rawTar(t, file("manifest.json", "{nope")), "invalid archive: failed to decode manifest.json: invalid character 'n' looking for beginning of object key string"},
		{"null manifest", rawTar(t, file("manifest.json", "null")), "invalid manifest, manifest cannot be null (but can be [])"},
		{"manifest symlink out", rawTar(t, link("manifest.json", "/etc/passwd")), "invalid archive: does not contain a manifest.json"},
		{"dotdot config", rawTar(t, file("../../manifest.json", manifest("../../../etc/hostname")), file("../layer.tar", string(layer))), "open /etc/hostname: no such file or directory"},
		{"config symlink escape", rawTar(t, file("manifest.json", manifest("c.json")), link("c.json", "../../../../../etc/hostname")), "open /etc/hostname: no such file or directory"},
		{"dir symlink escape", rawTar(t, link("d", "../../../../tmp"), file("d/c.json", cfg()), file("manifest.json", manifest("d/c.json"))), ""},
		{"layers mismatch", rawTar(t, file("c.json", cfg(diff)), file("manifest.json", manifest("c.json"))), "invalid manifest, layers length mismatch: expected 0, got 1"},
		{"wrong diff id", rawTar(t, file("c.json", cfg(wrong)), file("l.tar", string(layer)), file("manifest.json", manifest("c.json", "l.tar"))),
			`invalid diffID for layer 0: expected "` + wrong.String() + `", got "` + diff.String() + `"`},
		{"windows", rawTar(t, file("c.json", `{"os":"windows","rootfs":{"type":"layers","diff_ids":[]}}`), file("manifest.json", manifest("c.json"))), "cannot load windows image on linux"},
		{"no rootfs", rawTar(t, file("c.json", `{"os":"linux"}`), file("manifest.json", manifest("c.json"))), "invalid image JSON, no RootFS key"},
		{"hostile layer", rawTar(t, file("c.json", cfg(digest.FromBytes(rawTar(t, link("x", "/"), file("x/etc/evil", "1"))))),
			file("l.tar", string(rawTar(t, link("x", "/"), file("x/etc/evil", "1")))), file("manifest.json", manifest("c.json", "l.tar"))), "*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			testImage(t, s, "keep", [][]byte{tarOf(t, map[string]string{"k": "1"})}, "keep:1")
			before := snapshot(t, s.Root())
			lines, err := s.Load(bytes.NewReader(tt.data))
			if tt.name == "dir symlink escape" {
				// The symlinked directory stays inside the archive: this one loads.
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if _, err := os.Stat("/tmp/c.json"); err == nil {
					t.Fatal("archive entry written outside the archive")
				}
				return
			}
			if err == nil {
				t.Fatalf("Load succeeded: %q", lines)
			}
			if tt.err != "*" && err.Error() != tt.err {
				t.Errorf("err = %q, want %q", err, tt.err)
			}
			if after := snapshot(t, s.Root()); !slices.Equal(before, after) {
				t.Errorf("store changed:\nbefore %v\nafter  %v", before, after)
			}
			if _, err := os.Stat("/etc/evil"); err == nil {
				t.Fatal("layer wrote outside its directory")
			}
		})
	}
}

func FuzzLoad(f *testing.F) {
	s := openTest(f)
	testImage(f, s, "keep", [][]byte{tarOf(f, map[string]string{"k": "1"})}, "keep:1")
	var saved bytes.Buffer
	if err := s.Save(&saved, []string{"keep:1"}); err != nil {
		f.Fatal(err)
	}
	f.Add(saved.Bytes())
	f.Add([]byte("not a tar at all"))
	f.Add(rawTar(f, file("manifest.json", `[{"Config":"c","Layers":["../l"]}]`), link("c", "../../c")))
	f.Add(rawTar(f, link("a", "b"), link("b", "a"), file("a/manifest.json", "[]")))
	f.Fuzz(func(t *testing.T, data []byte) {
		before, _ := s.List()
		if _, err := s.Load(bytes.NewReader(data)); err != nil {
			after, _ := s.List()
			if len(after) != len(before) {
				t.Fatalf("failed load changed the image list: %d → %d", len(before), len(after))
			}
		}
	})
}

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func TestLoadCompressedArchivesAndLayers(t *testing.T) {
	src := openTest(t)
	layer := tarOf(t, map[string]string{"hello": "world"})
	img := testImage(t, src, "x", [][]byte{layer}, "gz:1")
	var saved bytes.Buffer
	if err := src.Save(&saved, []string{"gz:1"}); err != nil {
		t.Fatal(err)
	}
	// The whole archive gzipped, as `docker save | gzip` makes.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(saved.Bytes())
	zw.Close()
	dst := openTest(t)
	if _, err := dst.Load(&gz); err != nil {
		t.Fatalf("gzipped archive: %v", err)
	}
	if got, err := dst.Get("gz:1"); err != nil || got.ID != img.ID {
		t.Fatalf("gzipped archive loaded %v %v", got, err)
	}
	// A gzipped layer blob, as registries and containerd-backed saves hold them.
	var zl bytes.Buffer
	zw = gzip.NewWriter(&zl)
	zw.Write(layer)
	zw.Close()
	manifest, _ := json.Marshal([]manifestItem{{Config: "c.json", RepoTags: []string{"gz:2"}, Layers: []string{"l.tar.gz"}}})
	archive := rawTar(t, file("c.json", string(img.RawConfig)), file("l.tar.gz", zl.String()), file("manifest.json", string(manifest)))
	dst2 := openTest(t)
	if _, err := dst2.Load(bytes.NewReader(archive)); err != nil {
		t.Fatalf("gzipped layer: %v", err)
	}
	got, err := dst2.Get("gz:2")
	if err != nil || got.ID != img.ID {
		t.Fatalf("gzipped layer loaded %v %v", got, err)
	}
	dirs, _ := dst2.Layers(got)
	if b, _ := os.ReadFile(filepath.Join(dirs[0], "hello")); string(b) != "world" {
		t.Errorf("content %q", b)
	}
}
