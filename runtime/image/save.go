package image

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path"
	"slices"
	"time"

	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/boxlab/boxlab/runtime/toolbox"
)

// Names in a docker-archive ("docker save" output).
const (
	manifestFileName     = "manifest.json"
	repositoriesFileName = "repositories"
	containerdImageName  = "io.containerd.image.name"
)

// manifestItem is one image in manifest.json.
type manifestItem struct {
	Config       string
	RepoTags     []string
	Layers       []string
	Parent       digest.Digest                        `json:",omitempty"`
	LayerSources map[digest.Digest]ocispec.Descriptor `json:",omitempty"`
}

// exportImage is an image to write into an archive.
type exportImage struct {
	id      digest.Digest
	config  []byte
	created time.Time
	tags    []reference.NamedTagged
	layers  []exportLayer
	parent  digest.Digest
}

// exportLayer is one uncompressed layer tar to write.
type exportLayer struct {
	diffID digest.Digest
	size   int64
	open   func() (io.ReadCloser, error)
}

// Save writes the images refs name as a docker-archive, the format modern
// `docker save` writes: an OCI image layout (oci-layout, index.json,
// blobs/sha256/*) plus Docker's manifest.json and repositories, so both
// `docker load` (old and new) and OCI tools read it. A name without a tag
// saves every tag of that repository, as Docker does.
func (s *Store) Save(w io.Writer, refs []string) error {
	imgs, err := s.exportSet(refs)
	if err != nil {
		return err
	}
	return writeArchive(w, imgs)
}

// exportSet resolves save arguments with `docker save`'s rules.
func (s *Store) exportSet(names []string) ([]*exportImage, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var order []digest.Digest
	byID := map[digest.Digest]*exportImage{}
	add := func(id digest.Digest, ref reference.Named) error {
		ei := byID[id]
		if ei == nil {
			var err error
			if ei, err = s.exportImage(id); err != nil {
				return err
			}
			byID[id] = ei
			order = append(order, id)
		}
		if ref == nil {
			return nil
		}
		if _, canonical := ref.(reference.Canonical); canonical {
			return nil
		}
		tagged, ok := reference.TagNameOnly(ref).(reference.NamedTagged)
		if !ok {
			return nil
		}
		for _, t := range ei.tags {
			if t.String() == tagged.String() {
				return nil
			}
		}
		ei.tags = append(ei.tags, tagged)
		return nil
	}
	for _, name := range names {
		ref, err := reference.ParseAnyReference(name)
		if err != nil {
			return nil, errInvalidReference(err)
		}
		named, ok := ref.(reference.Named)
		if !ok {
			if err := add(ref.(reference.Digested).Digest(), nil); err != nil {
				return nil, err
			}
			continue
		}
		if reference.FamiliarName(named) == string(digest.Canonical) {
			rec := s.search(name)
			if rec == nil {
				return nil, errNoSuchImageString(name)
			}
			if err := add(rec.id, nil); err != nil {
				return nil, err
			}
			continue
		}
		if reference.IsNameOnly(named) {
			var assocs []reference.Named
			for _, r := range s.named {
				if r.Name() == named.Name() {
					assocs = append(assocs, r)
				}
			}
			slices.SortFunc(assocs, func(a, b reference.Named) int {
				return cmpString(reference.FamiliarString(a), reference.FamiliarString(b))
			})
			for _, r := range assocs {
				if err := add(s.refs[r.String()], r); err != nil {
					return nil, err
				}
			}
			if len(assocs) == 0 {
				rec := s.search(name)
				if rec == nil {
					return nil, errNoSuchImageString(name)
				}
				if err := add(rec.id, nil); err != nil {
					return nil, err
				}
			}
			continue
		}
		id, ok := s.refs[named.String()]
		if !ok {
			return nil, errReferenceNotExist
		}
		if err := add(id, named); err != nil {
			return nil, err
		}
	}
	out := make([]*exportImage, 0, len(order))
	for _, id := range order {
		out = append(out, byID[id])
	}
	return out, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// exportImage describes a stored image for writeArchive; callers hold mu.
func (s *Store) exportImage(id digest.Digest) (*exportImage, error) {
	rec := s.images[id]
	if rec == nil {
		return nil, errNoSuchImageString(id.String())
	}
	ei := &exportImage{id: id, config: rec.raw, parent: rec.parent}
	if rec.cfg.Created != nil {
		ei.created = *rec.cfg.Created
	}
	for i, c := range rec.chain {
		li := s.layers[c]
		p := s.blobPath(li.DiffID)
		ei.layers = append(ei.layers, exportLayer{
			diffID: rec.cfg.RootFS.DiffIDs[i],
			size:   li.TarSize,
			open:   func() (io.ReadCloser, error) { return os.Open(p) },
		})
	}
	return ei, nil
}

// SaveBuiltins writes the built-in images made from the toolbox binary as a
// docker-archive, without a store: what CI loads into a real Docker so the
// same images run on both engines.
func SaveBuiltins(w io.Writer, bin []byte) error {
	if len(bin) == 0 {
		return errors.New("save built-in images: no toolbox binary")
	}
	applets := toolbox.Names()
	var imgs []*exportImage
	for _, b := range Builtins {
		bi, err := buildBuiltin(b, bin, applets)
		if err != nil {
			return err
		}
		layer := bi.layer
		imgs = append(imgs, &exportImage{
			id:      digest.FromBytes(bi.config),
			config:  bi.config,
			created: builtinCreated,
			tags:    []reference.NamedTagged{bi.ref},
			layers: []exportLayer{{
				diffID: digest.FromBytes(layer),
				size:   int64(len(layer)),
				open:   func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(layer)), nil },
			}},
		})
	}
	return writeArchive(w, imgs)
}

// archiveFile is one file of an archive being written.
type archiveFile struct {
	name  string
	size  int64
	mtime time.Time
	data  []byte
	open  func() (io.ReadCloser, error)
}

// writeArchive writes imgs as a docker-archive with sorted entries, so the
// same images always give the same bytes.
func writeArchive(w io.Writer, imgs []*exportImage) error {
	epoch := time.Unix(0, 0)
	files := map[string]*archiveFile{}
	blob := func(d digest.Digest) string {
		return path.Join(ocispec.ImageBlobsDir, d.Algorithm().String(), d.Encoded())
	}
	var manifest []manifestItem
	var index []ocispec.Descriptor
	repos := map[string]map[string]string{}
	inSet := map[digest.Digest]bool{}
	for _, ei := range imgs {
		inSet[ei.id] = true
	}
	for _, ei := range imgs {
		if len(ei.layers) == 0 {
			return errors.New("empty export - not implemented")
		}
		files[blob(ei.id)] = &archiveFile{name: blob(ei.id), size: int64(len(ei.config)), mtime: ei.created, data: ei.config}
		item := manifestItem{Config: blob(ei.id), RepoTags: []string{}}
		var layerDescs []ocispec.Descriptor
		for _, l := range ei.layers {
			name := blob(l.diffID)
			files[name] = &archiveFile{name: name, size: l.size, mtime: ei.created, open: l.open}
			item.Layers = append(item.Layers, name)
			layerDescs = append(layerDescs, ocispec.Descriptor{MediaType: ocispec.MediaTypeImageLayer, Digest: l.diffID, Size: l.size})
		}
		m, err := json.Marshal(ocispec.Manifest{
			Versioned: ocispecs.Versioned{SchemaVersion: 2},
			MediaType: ocispec.MediaTypeImageManifest,
			Config:    ocispec.Descriptor{MediaType: ocispec.MediaTypeImageConfig, Digest: ei.id, Size: int64(len(ei.config))},
			Layers:    layerDescs,
		})
		if err != nil {
			return err
		}
		md := digest.FromBytes(m)
		files[blob(md)] = &archiveFile{name: blob(md), size: int64(len(m)), mtime: epoch, data: m}
		desc := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: md, Size: int64(len(m))}
		if len(ei.tags) == 0 {
			index = append(index, desc)
			item.RepoTags = nil
		}
		for _, t := range ei.tags {
			fam := reference.FamiliarName(t)
			if repos[fam] == nil {
				repos[fam] = map[string]string{}
			}
			// Modern Docker writes the top layer's diff id here (older ones its
			// v1 id); no loader reads it.
			repos[fam][t.Tag()] = ei.layers[len(ei.layers)-1].diffID.Encoded()
			item.RepoTags = append(item.RepoTags, reference.FamiliarString(t))
			tagged := desc
			tagged.Annotations = map[string]string{containerdImageName: t.String(), ocispec.AnnotationRefName: t.Tag()}
			index = append(index, tagged)
		}
		if ei.parent != "" && inSet[ei.parent] {
			item.Parent = ei.parent
		}
		manifest = append(manifest, item)
	}
	add := func(name string, data []byte) {
		files[name] = &archiveFile{name: name, size: int64(len(data)), mtime: epoch, data: data}
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(manifest); err != nil {
		return err
	}
	add(manifestFileName, bytes.Clone(buf.Bytes()))
	if len(repos) > 0 {
		buf.Reset()
		if err := json.NewEncoder(&buf).Encode(repos); err != nil {
			return err
		}
		add(repositoriesFileName, bytes.Clone(buf.Bytes()))
	}
	add(ocispec.ImageLayoutFile, []byte(`{"imageLayoutVersion": "`+ocispec.ImageLayoutVersion+`"}`))
	idx, err := json.Marshal(ocispec.Index{
		Versioned: ocispecs.Versioned{SchemaVersion: 2},
		MediaType: ocispec.MediaTypeImageIndex,
		Manifests: index,
	})
	if err != nil {
		return err
	}
	add(ocispec.ImageIndexFile, idx)

	tw := tar.NewWriter(w)
	for _, d := range []string{ocispec.ImageBlobsDir + "/", ocispec.ImageBlobsDir + "/sha256/"} {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: 0o755, ModTime: epoch}); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		f := files[n]
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: n, Mode: 0o644, Size: f.size, ModTime: f.mtime}); err != nil {
			return err
		}
		if f.open == nil {
			if _, err := tw.Write(f.data); err != nil {
				return err
			}
			continue
		}
		rc, err := f.open()
		if err != nil {
			return err
		}
		_, err = io.Copy(tw, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return tw.Close()
}
