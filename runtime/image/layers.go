package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/opencontainers/go-digest"
)

// layerInfo is one unpacked layer, identified by its chain id.
type layerInfo struct {
	ChainID digest.Digest `json:"chainID"`
	DiffID  digest.Digest `json:"diffID"`
	Parent  digest.Digest `json:"parent,omitempty"`
	// Size is the layer's content size as Docker's overlay2 driver counts it:
	// the apparent size of every non-directory entry, hard links once.
	Size int64 `json:"size"`
	// TarSize is the length of the uncompressed layer tar.
	TarSize int64 `json:"tarSize"`
}

// chainIDs computes the chain id of each layer from the diff ids, as Docker
// does: the first is the diff id, then sha256("<parent chain> <diff id>").
func chainIDs(diffIDs []digest.Digest) []digest.Digest {
	out := make([]digest.Digest, 0, len(diffIDs))
	var parent digest.Digest
	for _, d := range diffIDs {
		parent = chainID(parent, d)
		out = append(out, parent)
	}
	return out
}

func chainID(parent, diffID digest.Digest) digest.Digest {
	if parent == "" {
		return diffID
	}
	return digest.FromString(parent.String() + " " + diffID.String())
}

func (s *Store) layerDir(chain digest.Digest) string {
	return filepath.Join(s.root, "layers", chain.Encoded())
}

func (s *Store) layerDiffDir(chain digest.Digest) string {
	return filepath.Join(s.layerDir(chain), "diff")
}

// removeLayerDir deletes a layer directory; the rename first makes a crash
// midway leave a ".tmp-" name that Open cleans up, never a half layer.
func (s *Store) removeLayerDir(chain digest.Digest) error {
	dir := s.layerDir(chain)
	gone := filepath.Join(s.root, "layers", tmpPrefix+"rm-"+chain.Encoded())
	if err := os.Rename(dir, gone); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	return os.RemoveAll(gone)
}

// errDiffIDMismatch is returned by putLayer when the content does not have
// the diff id the image config names.
type errDiffIDMismatch struct{ want, got digest.Digest }

func (e *errDiffIDMismatch) Error() string {
	return fmt.Sprintf("expected %q, got %q", e.want, e.got)
}

// putLayer stores an uncompressed layer tar on top of parent (a chain id or
// ""): the tar as a blob named by its diff id, and the unpacked tree once
// per chain id. When want is set the content must have that diff id; a
// present chain is reused without reading r. Callers hold wmu.
func (s *Store) putLayer(parent digest.Digest, want digest.Digest, r io.Reader) (*layerInfo, bool, error) {
	if want != "" {
		s.mu.RLock()
		li := s.layers[chainID(parent, want)]
		s.mu.RUnlock()
		if li != nil {
			return li, false, nil
		}
	}
	tmp, err := os.CreateTemp(filepath.Join(s.root, "blobs", "sha256"), tmpPrefix+"layer-")
	if err != nil {
		return nil, false, err
	}
	defer os.Remove(tmp.Name())
	dg := digest.SHA256.Digester()
	n, err := io.Copy(io.MultiWriter(tmp, dg.Hash()), r)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, false, err
	}
	diffID := dg.Digest()
	if want != "" && diffID != want {
		return nil, false, &errDiffIDMismatch{want: want, got: diffID}
	}
	chain := chainID(parent, diffID)
	s.mu.RLock()
	li := s.layers[chain]
	s.mu.RUnlock()
	if li != nil {
		return li, false, nil
	}
	if err := os.Rename(tmp.Name(), s.blobPath(diffID)); err != nil {
		return nil, false, err
	}
	li = &layerInfo{ChainID: chain, DiffID: diffID, Parent: parent, TarSize: n}
	if err := s.unpackLayer(li); err != nil {
		if !s.diffIDInUse(diffID) {
			os.Remove(s.blobPath(diffID))
		}
		return nil, false, err
	}
	s.mu.Lock()
	s.layers[chain] = li
	s.mu.Unlock()
	return li, true, nil
}

// unpackLayer unpacks li's tar blob into a temporary directory and renames it
// into place once complete, with its layer.json.
func (s *Store) unpackLayer(li *layerInfo) error {
	tmpDir, err := os.MkdirTemp(filepath.Join(s.root, "layers"), tmpPrefix+"unpack-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmpDir)
	diff := filepath.Join(tmpDir, "diff")
	if err := os.Mkdir(diff, 0o755); err != nil {
		return err
	}
	f, err := os.Open(s.blobPath(li.DiffID))
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unpackTar(diff, f); err != nil {
		return fmt.Errorf("unpack layer %s: %w", li.DiffID, err)
	}
	if li.Size, err = diskSize(diff); err != nil {
		return err
	}
	data, err := json.Marshal(li)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(tmpDir, "layer.json"), data, 0o600); err != nil {
		return err
	}
	if err := syncDir(tmpDir); err != nil {
		return err
	}
	return os.Rename(tmpDir, s.layerDir(li.ChainID))
}

// writeFileAtomic writes data to path through a synced temporary file and a
// rename, so readers and crashes see the old content or the new, never a mix.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tmpPrefix+filepath.Base(path)+"-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// diffIDInUse reports whether a stored layer has the tar blob diffID.
func (s *Store) diffIDInUse(diffID digest.Digest) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, li := range s.layers {
		if li.DiffID == diffID {
			return true
		}
	}
	return false
}
