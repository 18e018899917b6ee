package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/distribution/reference"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
)

// Image is one image in the store. Callers must not modify it.
type Image struct {
	ID          string // "sha256:<64 hex>", the digest of the config JSON
	RepoTags    []string
	RepoDigests []string
	Config      *dockerspec.DockerOCIImage
	Size        int64
	Parent      string
	Created     time.Time
	// LastTagTime is when a tag was last added to the image (zero if never).
	LastTagTime time.Time
	// Comment and DockerVersion are the config's Docker-specific top-level
	// fields ("Imported from -", the builder's version), absent from the OCI spec.
	Comment       string
	DockerVersion string
	// RawConfig is the config JSON exactly as stored; its sha256 is ID.
	RawConfig []byte
}

// UsageChecker tells the store whether containers use an image, for the
// conflicts of image removal. The engine satisfies it.
type UsageChecker interface {
	// ImageInUse returns a container created from image id: a running one if
	// there is one (running true), else a stopped one; "" when none.
	ImageInUse(id string) (containerID string, running bool)
}

// ContainerCounter is an optional extra of a UsageChecker: the number of
// containers (in any state) created from image id, shown in image lists
// when shared sizes are requested.
type ContainerCounter interface {
	ImageContainers(id string) int
}

// Store is the image store rooted at a directory:
//
//	blobs/sha256/<hex>       image configs and uncompressed layer tars
//	layers/<chain hex>/      layer.json and diff/ (the unpacked layer, an overlayfs lowerdir)
//	images/<id hex>.json     one record per image; its presence makes the image exist
//	repositories.json        tags and digests → image ids
//
// Every file is written to a ".tmp-" name, synced and renamed; Open removes
// leftovers and anything no image refers to.
type Store struct {
	root string

	// wmu serialises writers (load, tag, delete, builtins) so that a long
	// load does not block readers, which only take mu.
	wmu sync.Mutex
	mu  sync.RWMutex

	images map[digest.Digest]*record
	refs   map[string]digest.Digest   // normalized reference string → image id
	named  map[string]reference.Named // the parsed keys of refs
	layers map[digest.Digest]*layerInfo
	leases map[string][]digest.Digest // holder → chain ids kept for it

	usage    UsageChecker
	registry *http.Client
}

// record is an image as held in memory.
type record struct {
	id          digest.Digest
	raw         []byte
	cfg         *dockerspec.DockerOCIImage
	parent      digest.Digest
	lastTagTime time.Time
	chain       []digest.Digest // chain ids, bottom layer first
	docker      dockerFields
}

// dockerFields are Docker's config fields outside the OCI image spec.
type dockerFields struct {
	Comment       string `json:"comment"`
	DockerVersion string `json:"docker_version"`
}

// imageMeta is the on-disk image record (the config itself lives in blobs).
type imageMeta struct {
	Parent      digest.Digest `json:"parent,omitempty"`
	LastTagTime time.Time     `json:"lastTagTime,omitzero"`
}

// reposFile is the on-disk tag index.
type reposFile struct {
	Refs map[string]digest.Digest `json:"refs"`
}

const tmpPrefix = ".tmp-"

// storeDirs are the directories of a store, relative to its root.
var storeDirs = []string{"", "blobs/sha256", "layers", "images", "leases", "tmp"}

// Open opens (creating if needed) the store under root and recovers it from
// an interrupted write: temporary files and half-unpacked layers are
// removed, images whose content is incomplete are dropped, and layers and
// blobs no image refers to are deleted.
func Open(root string, opts ...Option) (*Store, error) {
	s := &Store{
		root:     root,
		images:   map[digest.Digest]*record{},
		refs:     map[string]digest.Digest{},
		named:    map[string]reference.Named{},
		layers:   map[digest.Digest]*layerInfo{},
		leases:   map[string][]digest.Digest{},
		registry: &http.Client{Timeout: 15 * time.Second},
	}
	for _, o := range opts {
		o(s)
	}
	for _, d := range storeDirs {
		if err := os.MkdirAll(filepath.Join(root, d), 0o700); err != nil {
			return nil, fmt.Errorf("open image store: %w", err)
		}
	}
	if err := s.removeTemps(); err != nil {
		return nil, fmt.Errorf("open image store: %w", err)
	}
	if err := s.loadLayers(); err != nil {
		return nil, fmt.Errorf("open image store: %w", err)
	}
	if err := s.loadImages(); err != nil {
		return nil, fmt.Errorf("open image store: %w", err)
	}
	if err := s.loadRefs(); err != nil {
		return nil, fmt.Errorf("open image store: %w", err)
	}
	if err := s.loadLeases(); err != nil {
		return nil, fmt.Errorf("open image store: %w", err)
	}
	if err := s.collectGarbage(); err != nil {
		return nil, fmt.Errorf("open image store: %w", err)
	}
	return s, nil
}

// SetUsageChecker installs the engine's view of which containers use which
// images; without one, no image counts as used.
func (s *Store) SetUsageChecker(u UsageChecker) {
	s.mu.Lock()
	s.usage = u
	s.mu.Unlock()
}

// Root returns the directory of the store.
func (s *Store) Root() string { return s.root }

func (s *Store) blobPath(d digest.Digest) string {
	return filepath.Join(s.root, "blobs", "sha256", d.Encoded())
}

func (s *Store) imagePath(id digest.Digest) string {
	return filepath.Join(s.root, "images", id.Encoded()+".json")
}

// removeTemps deletes every ".tmp-" entry an interrupted write left behind.
func (s *Store) removeTemps() error {
	for _, d := range storeDirs {
		dir := filepath.Join(s.root, d)
		ents, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), tmpPrefix) || d == "tmp" {
				if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s *Store) loadLayers() error {
	ents, err := os.ReadDir(filepath.Join(s.root, "layers"))
	if err != nil {
		return err
	}
	for _, e := range ents {
		chain, err := digest.Parse("sha256:" + e.Name())
		if err != nil {
			continue
		}
		dir := filepath.Join(s.root, "layers", e.Name())
		var li layerInfo
		data, err := os.ReadFile(filepath.Join(dir, "layer.json"))
		if err == nil {
			err = json.Unmarshal(data, &li)
		}
		if err != nil || li.ChainID != chain {
			// A layer directory only gets its name once complete, so a bad one
			// is damage; drop it and let images that need it be dropped too.
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
			continue
		}
		s.layers[chain] = &li
	}
	return nil
}

func (s *Store) loadImages() error {
	ents, err := os.ReadDir(filepath.Join(s.root, "images"))
	if err != nil {
		return err
	}
	for _, e := range ents {
		hex, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok {
			continue
		}
		id, err := digest.Parse("sha256:" + hex)
		if err != nil {
			continue
		}
		rec, err := s.readRecord(id)
		if err != nil {
			if err := os.Remove(s.imagePath(id)); err != nil {
				return err
			}
			continue
		}
		s.images[id] = rec
	}
	for _, rec := range s.images {
		if rec.parent != "" && s.images[rec.parent] == nil {
			rec.parent = ""
		}
	}
	return nil
}

// readRecord reads an image's record and config and checks its layers are present.
func (s *Store) readRecord(id digest.Digest) (*record, error) {
	data, err := os.ReadFile(s.imagePath(id))
	if err != nil {
		return nil, err
	}
	var meta imageMeta
	if err := json.Unmarshal(data, &meta); err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(s.blobPath(id))
	if err != nil {
		return nil, err
	}
	if digest.FromBytes(raw) != id {
		return nil, fmt.Errorf("config of image %s is corrupt", id)
	}
	rec, err := newRecord(raw)
	if err != nil {
		return nil, err
	}
	for _, c := range rec.chain {
		if s.layers[c] == nil {
			return nil, fmt.Errorf("image %s: layer %s missing", id, c)
		}
	}
	rec.parent = meta.Parent
	rec.lastTagTime = meta.LastTagTime
	return rec, nil
}

// newRecord parses a config the way Docker accepts one.
func newRecord(raw []byte) (*record, error) {
	var cfg dockerspec.DockerOCIImage
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, err
	}
	var probe struct {
		RootFS *json.RawMessage `json:"rootfs"`
		dockerFields
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, err
	}
	if probe.RootFS == nil {
		return nil, errors.New("invalid image JSON, no RootFS key")
	}
	for _, d := range cfg.RootFS.DiffIDs {
		if err := d.Validate(); err != nil {
			return nil, fmt.Errorf("invalid image JSON: %w", err)
		}
	}
	return &record{
		id:     digest.FromBytes(raw),
		raw:    raw,
		cfg:    &cfg,
		chain:  chainIDs(cfg.RootFS.DiffIDs),
		docker: probe.dockerFields,
	}, nil
}

func (s *Store) loadRefs() error {
	data, err := os.ReadFile(filepath.Join(s.root, "repositories.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var rf reposFile
	if err := json.Unmarshal(data, &rf); err != nil {
		return fmt.Errorf("repositories.json: %w", err)
	}
	for ref, id := range rf.Refs {
		named, err := reference.ParseNormalizedNamed(ref)
		if err != nil || s.images[id] == nil {
			continue
		}
		s.refs[ref] = id
		s.named[ref] = named
	}
	return nil
}

// collectGarbage removes layers and blobs that no image or lease refers to:
// what an interrupted load or a removal left behind.
func (s *Store) collectGarbage() error {
	usedLayers := s.usedLayers()
	usedBlobs := map[digest.Digest]bool{}
	for id := range s.images {
		usedBlobs[id] = true
	}
	for chain, li := range s.layers {
		if !usedLayers[chain] {
			if err := s.removeLayerDir(chain); err != nil {
				return err
			}
			delete(s.layers, chain)
			continue
		}
		usedBlobs[li.DiffID] = true
	}
	ents, err := os.ReadDir(filepath.Join(s.root, "blobs", "sha256"))
	if err != nil {
		return err
	}
	for _, e := range ents {
		d := digest.NewDigestFromEncoded(digest.SHA256, e.Name())
		if !usedBlobs[d] {
			if err := os.Remove(filepath.Join(s.root, "blobs", "sha256", e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// saveRefs persists the tag index; callers hold wmu.
func (s *Store) saveRefs() error {
	s.mu.RLock()
	rf := reposFile{Refs: make(map[string]digest.Digest, len(s.refs))}
	for k, v := range s.refs {
		rf.Refs[k] = v
	}
	s.mu.RUnlock()
	data, err := json.Marshal(rf)
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(s.root, "repositories.json"), data, 0o600)
}

func (s *Store) saveMeta(rec *record) error {
	data, err := json.Marshal(imageMeta{Parent: rec.parent, LastTagTime: rec.lastTagTime})
	if err != nil {
		return err
	}
	return writeFileAtomic(s.imagePath(rec.id), data, 0o600)
}

// Get resolves a reference the way Docker does: a full id ("sha256:<hex>" or
// 64 hex digits), a name with optional tag ("busybox" means busybox:latest,
// "docker.io/library/busybox:1"), name@sha256:<repo digest>, or an id prefix.
func (s *Store) Get(ref string) (*Image, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rec, err := s.resolve(ref)
	if err != nil {
		return nil, err
	}
	return s.image(rec), nil
}

// resolve finds the image ref names; callers hold mu.
func (s *Store) resolve(refOrID string) (*record, error) {
	ref, err := reference.ParseAnyReference(refOrID)
	if err != nil {
		return nil, errInvalidReference(err)
	}
	named, ok := ref.(reference.Named)
	if !ok {
		if d, ok := ref.(reference.Digested); ok {
			if rec := s.images[d.Digest()]; rec != nil {
				return rec, nil
			}
		}
		return nil, errNoSuchImage(ref)
	}
	if id, ok := s.refs[reference.TagNameOnly(named).String()]; ok {
		if rec := s.images[id]; rec != nil {
			return rec, nil
		}
	}
	if rec := s.search(refOrID); rec != nil {
		return rec, nil
	}
	return nil, errNoSuchImage(ref)
}

// search finds the one image whose id starts with prefix (with or without
// "sha256:"); nil when none or ambiguous, as Docker's digest set does.
func (s *Store) search(prefix string) *record {
	prefix = strings.TrimPrefix(prefix, "sha256:")
	if prefix == "" || strings.Trim(prefix, "0123456789abcdef") != "" {
		return nil
	}
	var found *record
	for id, rec := range s.images {
		if strings.HasPrefix(id.Encoded(), prefix) {
			if found != nil {
				return nil
			}
			found = rec
		}
	}
	return found
}

// references returns the refs naming id, sorted by familiar string as Docker
// lists them; callers hold mu.
func (s *Store) references(id digest.Digest) []reference.Named {
	var out []reference.Named
	for k, v := range s.refs {
		if v == id {
			out = append(out, s.named[k])
		}
	}
	slices.SortFunc(out, func(a, b reference.Named) int {
		return strings.Compare(reference.FamiliarString(a), reference.FamiliarString(b))
	})
	return out
}

// image builds the exported view of rec; callers hold mu.
func (s *Store) image(rec *record) *Image {
	img := &Image{
		ID:            rec.id.String(),
		Config:        rec.cfg,
		Parent:        string(rec.parent),
		LastTagTime:   rec.lastTagTime,
		RawConfig:     rec.raw,
		Comment:       rec.docker.Comment,
		DockerVersion: rec.docker.DockerVersion,
		RepoTags:      []string{},
		RepoDigests:   []string{},
	}
	if rec.cfg.Created != nil {
		img.Created = *rec.cfg.Created
	}
	for _, r := range s.references(rec.id) {
		if _, ok := r.(reference.Canonical); ok {
			img.RepoDigests = append(img.RepoDigests, reference.FamiliarString(r))
		} else {
			img.RepoTags = append(img.RepoTags, reference.FamiliarString(r))
		}
	}
	for _, c := range rec.chain {
		img.Size += s.layers[c].Size
	}
	return img
}

// List returns every image, newest first (as `docker images` orders them).
func (s *Store) List() ([]*Image, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*Image, 0, len(s.images))
	for _, rec := range s.images {
		out = append(out, s.image(rec))
	}
	slices.SortStableFunc(out, func(a, b *Image) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// Children returns the ids of images whose parent is id.
func (s *Store) Children(id string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	for _, rec := range s.images {
		if string(rec.parent) == id {
			out = append(out, rec.id.String())
		}
	}
	slices.Sort(out)
	return out
}

// Layers returns the unpacked layer directories of img, topmost first, for
// an overlayfs lowerdir. An image without layers has none.
func (s *Store) Layers(img *Image) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rec := s.images[digest.Digest(img.ID)]
	if rec == nil {
		return nil, errNoSuchImageString(img.ID)
	}
	dirs := make([]string, 0, len(rec.chain))
	for i := len(rec.chain) - 1; i >= 0; i-- {
		dirs = append(dirs, s.layerDiffDir(rec.chain[i]))
	}
	return dirs, nil
}

// LayerSizes returns the size of each layer of img (bottom first), as
// counted in Size, and its chain ids; for shared-size and disk usage.
func (s *Store) LayerSizes(img *Image) (chainIDs []string, sizes []int64, err error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rec := s.images[digest.Digest(img.ID)]
	if rec == nil {
		return nil, nil, errNoSuchImageString(img.ID)
	}
	for _, c := range rec.chain {
		chainIDs = append(chainIDs, c.String())
		sizes = append(sizes, s.layers[c].Size)
	}
	return chainIDs, sizes, nil
}

func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		id = id[:12]
	}
	return id
}
