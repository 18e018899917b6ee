package image

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strings"
	"time"

	"github.com/distribution/reference"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	imagetypes "github.com/moby/moby/api/types/image"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/boxlab/boxlab/runtime/toolbox"
)

// builtinFormat versions how built-in images are generated; bump it when
// the generator changes so stores rebuild them.
const builtinFormat = "1"

// builtinCreated is the fixed creation time of built-in images: the same
// toolbox always gives the same image id.
var builtinCreated = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// builtinPath is the PATH of built-in images, Docker's default.
const builtinPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// toolboxPath is where the toolbox binary lives in built-in images; the
// applets are symlinks to it.
const toolboxPath = "bin/" + toolbox.Binary

// Builtin is one built-in image variant.
type Builtin struct {
	// Ref is the image's name, e.g. "boxlab/base:latest".
	Ref string
	// Pretty is the PRETTY_NAME of its /etc/os-release.
	Pretty string
	// Applets chooses, from every applet of the toolbox, those that get a
	// link in /bin.
	Applets func(all []string) []string
}

// Builtins lists the built-in images. Variants (slim, tiny) are more rows.
var Builtins = []Builtin{
	{Ref: "boxlab/base:latest", Pretty: "boxlab base", Applets: func(all []string) []string { return all }},
}

// builtinImage is a generated built-in image: its layer tar and config.
type builtinImage struct {
	ref    reference.NamedTagged
	layer  []byte
	config []byte
}

// buildBuiltin generates the layer and config of b from the toolbox binary.
// The output depends only on its inputs: fixed times, owner 0:0, sorted entries.
func buildBuiltin(b Builtin, bin []byte, applets []string) (*builtinImage, error) {
	named, err := reference.ParseNormalizedNamed(b.Ref)
	if err != nil {
		return nil, err
	}
	tagged, ok := reference.TagNameOnly(named).(reference.NamedTagged)
	if !ok {
		return nil, fmt.Errorf("built-in image %s: not a tag", b.Ref)
	}
	layer, err := builtinLayer(b, bin, b.Applets(applets))
	if err != nil {
		return nil, fmt.Errorf("built-in image %s: %w", b.Ref, err)
	}
	diffID := digest.FromBytes(layer)
	created := builtinCreated
	cfg := dockerspec.DockerOCIImage{
		Image: ocispec.Image{
			Created:  &created,
			Platform: ocispec.Platform{Architecture: goruntime.GOARCH, OS: "linux"},
			RootFS:   ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{diffID}},
			History: []ocispec.History{
				{Created: &created, CreatedBy: "/bin/sh -c #(nop) ADD file:" + diffID.Encoded() + " in / "},
				{Created: &created, CreatedBy: `/bin/sh -c #(nop)  CMD ["sh"]`, EmptyLayer: true},
			},
		},
	}
	cfg.Config.Env = []string{builtinPath}
	cfg.Config.Cmd = []string{"sh"}
	raw, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	return &builtinImage{ref: tagged, layer: layer, config: raw}, nil
}

// builtinLayer writes the root filesystem of a built-in image as a tar.
func builtinLayer(b Builtin, bin []byte, applets []string) ([]byte, error) {
	type entry struct {
		hdr  tar.Header
		data []byte
	}
	entries := map[string]*entry{}
	dir := func(name string, mode int64) {
		entries[name+"/"] = &entry{hdr: tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode}}
	}
	file := func(name string, mode int64, data []byte) {
		entries[name] = &entry{hdr: tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data))}, data: data}
	}
	for _, d := range []string{"bin", "dev", "etc", "home", "lib", "proc", "run", "sbin", "sys",
		"usr", "usr/bin", "usr/lib", "usr/local", "usr/local/bin", "usr/local/sbin", "usr/sbin",
		"var", "var/lib", "var/log", "var/spool", "var/www"} {
		dir(d, 0o755)
	}
	dir("root", 0o700)
	dir("tmp", 0o1777)
	dir("var/tmp", 0o1777)
	file(toolboxPath, 0o755, bin)
	for _, a := range applets {
		if a == toolbox.Binary || strings.ContainsAny(a, "/") {
			continue
		}
		entries["bin/"+a] = &entry{hdr: tar.Header{Typeflag: tar.TypeSymlink, Name: "bin/" + a, Linkname: toolbox.Binary, Mode: 0o777}}
	}
	file("etc/passwd", 0o644, []byte(
		"root:x:0:0:root:/root:/bin/sh\n"+
			"daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"+
			"bin:x:2:2:bin:/bin:/bin/false\n"+
			"sys:x:3:3:sys:/dev:/bin/false\n"+
			"www-data:x:33:33:www-data:/var/www:/bin/false\n"+
			"nobody:x:65534:65534:nobody:/home:/bin/false\n"))
	file("etc/group", 0o644, []byte(
		"root:x:0:\n"+
			"daemon:x:1:\n"+
			"bin:x:2:\n"+
			"sys:x:3:\n"+
			"tty:x:5:\n"+
			"www-data:x:33:\n"+
			"users:x:100:\n"+
			"nogroup:x:65534:\n"))
	file("etc/shadow", 0o640, []byte(
		"root:*::0:::::\n"+
			"daemon:*::0:::::\n"+
			"bin:*::0:::::\n"+
			"sys:*::0:::::\n"+
			"www-data:*::0:::::\n"+
			"nobody:*::0:::::\n"))
	file("etc/os-release", 0o644, []byte(
		"NAME=\"boxlab\"\n"+
			"ID=boxlab\n"+
			"PRETTY_NAME=\""+b.Pretty+"\"\n"+
			"HOME_URL=\"https://github.com/boxlab/boxlab\"\n"))
	file("etc/nsswitch.conf", 0o644, []byte("hosts: files dns\nnetworks: files\n"))

	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	slices.Sort(names)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		e := entries[n]
		e.hdr.ModTime = builtinCreated
		if err := tw.WriteHeader(&e.hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// builtinKey identifies the inputs of the built-in images, so EnsureBuiltins
// can tell without rebuilding whether the stored ones are current.
func builtinKey(bin []byte, applets []string) string {
	h := sha256.New()
	sum := sha256.Sum256(bin)
	fmt.Fprintf(h, "format %s\ntoolbox %x\narch %s\n", builtinFormat, sum, goruntime.GOARCH)
	for _, b := range Builtins {
		fmt.Fprintf(h, "image %s %s %s\n", b.Ref, b.Pretty, strings.Join(b.Applets(applets), ","))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// builtinState is what the store remembers of the built-in images it made.
type builtinState struct {
	Key    string                   `json:"key"`
	Images map[string]digest.Digest `json:"images"`
}

// EnsureBuiltins installs the built-in images made from the toolbox binary
// (the bytes of the static program). It is cheap when they are present and
// current; when the toolbox changed, the images are rebuilt, the tags move,
// and the old images are deleted unless containers still use them.
func (s *Store) EnsureBuiltins(bin []byte) error {
	if len(bin) == 0 {
		return errors.New("install built-in images: no toolbox binary")
	}
	applets := toolbox.Names()
	key := builtinKey(bin, applets)
	statePath := filepath.Join(s.root, "builtins.json")
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var old builtinState
	if data, err := os.ReadFile(statePath); err == nil {
		_ = json.Unmarshal(data, &old) // unreadable state just means a rebuild
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("install built-in images: %w", err)
	}
	if old.Key == key && s.builtinsPresent(old) {
		return s.retagBuiltins(old)
	}
	state := builtinState{Key: key, Images: map[string]digest.Digest{}}
	for _, b := range Builtins {
		bi, err := buildBuiltin(b, bin, applets)
		if err != nil {
			return err
		}
		if _, _, err := s.putLayer("", "", bytes.NewReader(bi.layer)); err != nil {
			return fmt.Errorf("install built-in image %s: %w", b.Ref, err)
		}
		rec, err := s.commitImage(bi.config, "")
		if err != nil {
			return fmt.Errorf("install built-in image %s: %w", b.Ref, err)
		}
		state.Images[b.Ref] = rec.id
	}
	data, err := json.Marshal(state)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(statePath, data, 0o600); err != nil {
		return fmt.Errorf("install built-in images: %w", err)
	}
	if err := s.retagBuiltins(state); err != nil {
		return err
	}
	current := map[digest.Digest]bool{}
	for _, id := range state.Images {
		current[id] = true
	}
	for _, id := range old.Images {
		s.mu.RLock()
		present := s.images[id] != nil
		s.mu.RUnlock()
		if current[id] || !present || !s.dangling(id) {
			continue
		}
		// Quiet: an old image a container still uses stays until it is free.
		var records []imagetypes.DeleteResponse
		if err := s.deleteImage(id, &records, false, false, true); err != nil {
			return fmt.Errorf("remove old built-in image %s: %w", shortID(id.String()), err)
		}
	}
	return nil
}

func (s *Store) builtinsPresent(st builtinState) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, b := range Builtins {
		id, ok := st.Images[b.Ref]
		if !ok || s.images[id] == nil {
			return false
		}
	}
	return true
}

// retagBuiltins points each built-in name at its image (a learner may have
// removed or moved the tag). Callers hold wmu.
func (s *Store) retagBuiltins(st builtinState) error {
	changed := false
	for _, b := range Builtins {
		named, err := reference.ParseNormalizedNamed(b.Ref)
		if err != nil {
			return err
		}
		named = reference.TagNameOnly(named)
		s.mu.RLock()
		cur := s.refs[named.String()]
		s.mu.RUnlock()
		if cur == st.Images[b.Ref] {
			continue
		}
		if _, err := s.addRef(named, st.Images[b.Ref]); err != nil {
			return err
		}
		changed = true
	}
	if changed {
		return s.saveRefs()
	}
	return nil
}
