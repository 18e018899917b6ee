package image

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"

	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
)

// maxJSONFile bounds the JSON files of an archive that are read into memory.
const maxJSONFile = 64 << 20

// LoadOption configures Load.
type LoadOption func(*loadOptions)

type loadOptions struct {
	progress func(LoadProgress)
}

// LoadProgress reports a layer being stored during Load, as Docker's
// "Loading layer" progress messages do.
type LoadProgress struct {
	ID      string // the layer's short diff id
	Current int64
	Total   int64
}

// WithLoadProgress calls f as layers are read.
func WithLoadProgress(f func(LoadProgress)) LoadOption {
	return func(o *loadOptions) { o.progress = f }
}

// Load reads a docker-archive (what `docker save` writes, from Docker 1.10
// through the OCI-layout archives of Docker 25+, optionally gzip- or
// bzip2-compressed) into the store. It returns the lines Docker prints:
// "Loaded image: name:tag", or "Loaded image ID: sha256:..." for untagged
// images. Archive paths cannot reach outside the archive, and a bad archive
// leaves no trace in the store.
func (s *Store) Load(r io.Reader, opts ...LoadOption) ([]string, error) {
	var o loadOptions
	for _, f := range opts {
		f(&o)
	}
	in, err := decompress(r)
	if err != nil {
		return nil, err
	}
	staging, err := os.MkdirTemp(filepath.Join(s.root, "tmp"), tmpPrefix+"load-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(staging)
	ar, err := readArchive(in, staging)
	if err != nil {
		return nil, err
	}

	s.wmu.Lock()
	defer s.wmu.Unlock()
	var created []digest.Digest
	lines, err := s.loadArchive(ar, &o, &created)
	if err != nil {
		s.dropUnusedLayers(created)
		return nil, err
	}
	return lines, nil
}

func (s *Store) loadArchive(ar *archive, o *loadOptions, created *[]digest.Digest) ([]string, error) {
	mf, err := ar.open(manifestFileName)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errInvalidArchive("invalid archive: does not contain a %s", manifestFileName)
		}
		return nil, errInvalidArchive("invalid archive: failed to load %s: %v", manifestFileName, err)
	}
	var manifest []manifestItem
	err = json.NewDecoder(io.LimitReader(mf, maxJSONFile)).Decode(&manifest)
	mf.Close()
	if err != nil {
		return nil, errInvalidArchive("invalid archive: failed to decode %s: %v", manifestFileName, err)
	}
	if manifest == nil {
		return nil, errInvalidArchive("invalid manifest, manifest cannot be null (but can be [])")
	}

	type parentLink struct{ id, parent digest.Digest }
	var lines, idLines []string
	var links []parentLink
	tagCount := 0
	for _, m := range manifest {
		config, err := ar.readAll(m.Config)
		if err != nil {
			return nil, err
		}
		rec, err := newRecord(config)
		if err != nil {
			return nil, errdefs.ErrInvalidArgument.WithMessage(err.Error())
		}
		if osName := rec.cfg.OS; osName != "" && osName != "linux" {
			return nil, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("cannot load %s image on linux", osName))
		}
		diffIDs := rec.cfg.RootFS.DiffIDs
		if len(m.Layers) != len(diffIDs) {
			return nil, errInvalidArchive("invalid manifest, layers length mismatch: expected %d, got %d", len(m.Layers), len(diffIDs))
		}
		var parent digest.Digest
		for i, diffID := range diffIDs {
			if err := s.loadLayer(ar, m.Layers[i], parent, diffID, i, o, created); err != nil {
				return nil, err
			}
			parent = chainID(parent, diffID)
		}
		rec, err = s.commitImage(config, "")
		if err != nil {
			return nil, err
		}
		idLines = append(idLines, "Loaded image ID: "+rec.id.String())
		tagCount = 0
		for _, repoTag := range m.RepoTags {
			named, err := reference.ParseNormalizedNamed(repoTag)
			if err != nil {
				return nil, errInvalidReference(err)
			}
			tagged, ok := named.(reference.NamedTagged)
			if !ok {
				return nil, errInvalidArchive("invalid tag %q", repoTag)
			}
			prev, err := s.addRef(tagged, rec.id)
			if err != nil {
				return nil, err
			}
			if prev != "" && prev != rec.id {
				lines = append(lines, fmt.Sprintf("The image %s already exists, renaming the old one with ID %s to empty string", reference.FamiliarString(tagged), prev))
			}
			lines = append(lines, "Loaded image: "+reference.FamiliarString(tagged))
			tagCount++
		}
		if err := s.saveRefs(); err != nil {
			return nil, err
		}
		links = append(links, parentLink{rec.id, m.Parent})
	}
	for _, l := range links {
		if l.parent == "" || l.parent == l.id {
			continue
		}
		inArchive := false
		for _, o := range links {
			if o.id == l.parent {
				inArchive = true
			}
		}
		if !inArchive {
			continue
		}
		if err := s.setParent(l.id, l.parent); err != nil {
			return nil, err
		}
	}
	// Docker prints the ids only when the last image had no tag, then all of them.
	if tagCount == 0 {
		lines = append(lines, idLines...)
	}
	return lines, nil
}

// loadLayer stores layer i of an image from the archive unless its chain is present.
func (s *Store) loadLayer(ar *archive, name string, parent, diffID digest.Digest, i int, o *loadOptions, created *[]digest.Digest) error {
	s.mu.RLock()
	present := s.layers[chainID(parent, diffID)] != nil
	s.mu.RUnlock()
	if present {
		return nil
	}
	f, err := ar.open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	if o.progress != nil {
		total := int64(0)
		if st, err := f.Stat(); err == nil {
			total = st.Size()
		}
		r = &progressReader{r: f, total: total, id: shortID(diffID.String()), report: o.progress}
	}
	layer, err := decompress(r)
	if err != nil {
		return err
	}
	li, isNew, err := s.putLayer(parent, diffID, layer)
	var mismatch *errDiffIDMismatch
	if errors.As(err, &mismatch) {
		return errInvalidArchive("invalid diffID for layer %d: %v", i, mismatch)
	}
	if err != nil {
		return err
	}
	if isNew {
		*created = append(*created, li.ChainID)
	}
	return nil
}

// setParent records parent as id's parent when it is a valid one: its
// history is id's minus the last entry, as Docker checks.
func (s *Store) setParent(id, parent digest.Digest) error {
	s.mu.Lock()
	rec, prec := s.images[id], s.images[parent]
	if rec == nil || prec == nil {
		s.mu.Unlock()
		return nil
	}
	if !validParent(rec, prec) {
		s.mu.Unlock()
		return fmt.Errorf("image %s is not a valid parent for %s", parent, id)
	}
	rec.parent = parent
	s.mu.Unlock()
	return s.saveMeta(rec)
}

func validParent(img, parent *record) bool {
	h, ph := img.cfg.History, parent.cfg.History
	if len(h) == 0 && len(ph) == 0 {
		return true
	}
	if len(h)-len(ph) != 1 {
		return false
	}
	for i := range ph {
		a, b := ph[i], h[i]
		if (a.Created == nil) != (b.Created == nil) || (a.Created != nil && !a.Created.Equal(*b.Created)) {
			return false
		}
		a.Created, b.Created = nil, nil
		if !reflect.DeepEqual(a, b) {
			return false
		}
	}
	return true
}

// dropUnusedLayers removes those of chains that no image or lease uses.
func (s *Store) dropUnusedLayers(chains []digest.Digest) {
	s.mu.Lock()
	used := s.usedLayers()
	var drop []*layerInfo
	for _, c := range chains {
		if li := s.layers[c]; li != nil && !used[c] {
			drop = append(drop, li)
			delete(s.layers, c)
		}
	}
	diffInUse := map[digest.Digest]bool{}
	for _, li := range s.layers {
		diffInUse[li.DiffID] = true
	}
	s.mu.Unlock()
	for _, li := range drop {
		_ = s.removeLayerDir(li.ChainID)
		if !diffInUse[li.DiffID] {
			_ = os.Remove(s.blobPath(li.DiffID))
		}
	}
}

type progressReader struct {
	r       io.Reader
	id      string
	current int64
	total   int64
	report  func(LoadProgress)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.current += int64(n)
	if n > 0 || err == io.EOF {
		p.report(LoadProgress{ID: p.id, Current: p.current, Total: p.total})
	}
	return n, err
}

// decompress returns r uncompressed: gzip and bzip2 are recognised by their
// magic numbers, as Docker does; anything else is read as is.
func decompress(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	magic, err := br.Peek(6)
	if err != nil && err != io.EOF {
		return nil, err
	}
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b, 0x08}):
		return gzip.NewReader(br)
	case bytes.HasPrefix(magic, []byte("BZh")):
		return bzip2.NewReader(br), nil
	case bytes.HasPrefix(magic, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}),
		bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return nil, errdefs.ErrNotImplemented.WithMessage("xz and zstd compressed archives are not supported by boxlab yet")
	}
	return br, nil
}

// archive is an unpacked docker-archive: its files are staged on disk under
// numbered names and its tree is kept in memory, so no archive path or
// symlink ever touches the real filesystem.
type archive struct {
	dir   string
	nodes map[string]*archiveNode // cleaned path → node
}

type archiveNode struct {
	dir  bool
	file string // staged content
	link string // symlink target
}

// readArchive stages every regular file of a tar stream.
func readArchive(r io.Reader, staging string) (*archive, error) {
	ar := &archive{dir: staging, nodes: map[string]*archiveNode{"": {dir: true}}}
	tr := tar.NewReader(r)
	n := 0
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return ar, nil
		}
		if err != nil {
			return nil, errdefs.ErrInvalidArgument.WithMessage(err.Error())
		}
		name := cleanName(hdr.Name)
		if name == "" {
			continue
		}
		// Entries under a symlinked directory land where it points, as when
		// Docker extracts the archive (confined to the archive's root).
		parent, err := ar.resolve(path.Dir(name), 0)
		if err != nil {
			return nil, err
		}
		name = path.Join(parent, path.Base(name))
		switch hdr.Typeflag {
		case tar.TypeDir:
			ar.nodes[name] = &archiveNode{dir: true}
		case tar.TypeReg, tar.TypeRegA:
			n++
			file := filepath.Join(staging, strconv.Itoa(n))
			f, err := os.OpenFile(file, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
			if err != nil {
				return nil, err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return nil, errdefs.ErrInvalidArgument.WithMessage(err.Error())
			}
			ar.nodes[name] = &archiveNode{file: file}
		case tar.TypeSymlink:
			ar.nodes[name] = &archiveNode{link: hdr.Linkname}
		case tar.TypeLink:
			target, err := ar.resolve(cleanName(hdr.Linkname), 0)
			if err != nil {
				return nil, err
			}
			if t := ar.nodes[target]; t != nil && t.file != "" {
				ar.nodes[name] = &archiveNode{file: t.file}
			}
		}
	}
}

// resolve follows symlinks in p within the archive root, like Docker's
// FollowSymlinkInScope: ".." and absolute targets stop at the root.
func (ar *archive) resolve(p string, depth int) (string, error) {
	if depth > 255 {
		return "", errdefs.ErrInvalidArgument.WithMessage("invalid archive: too many levels of symbolic links")
	}
	p = cleanName(p)
	if p == "" || p == "." {
		return "", nil
	}
	cur := ""
	parts := strings.Split(p, "/")
	for i, part := range parts {
		next := path.Join(cur, part)
		node := ar.nodes[next]
		if node == nil || node.link == "" {
			cur = next
			continue
		}
		target := node.link
		if !path.IsAbs(target) {
			target = path.Join("/", cur, target)
		}
		rest := strings.Join(parts[i+1:], "/")
		return ar.resolve(path.Join(target, rest), depth+1)
	}
	return cur, nil
}

// open opens the file at p (relative to the archive root).
func (ar *archive) open(p string) (*os.File, error) {
	resolved, err := ar.resolve(p, 0)
	if err != nil {
		return nil, err
	}
	node := ar.nodes[resolved]
	if node == nil || node.file == "" {
		return nil, &os.PathError{Op: "open", Path: "/" + resolved, Err: syscall.ENOENT}
	}
	return os.Open(node.file)
}

// readAll reads a (JSON) file of the archive.
func (ar *archive) readAll(p string) ([]byte, error) {
	f, err := ar.open(p)
	if err != nil {
		return nil, errdefs.ErrInvalidArgument.WithMessage(err.Error())
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxJSONFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxJSONFile {
		return nil, errInvalidArchive("invalid archive: %s is too large", p)
	}
	return data, nil
}
