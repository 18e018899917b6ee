package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/opencontainers/go-digest"
)

// A lease keeps an image's layers on disk for a holder (a container) even
// after the image is removed: `docker rmi -f` of an image a stopped
// container uses deletes the image, yet the container must still start, as
// in Docker, where the container's layer holds a reference to its parents.
type lease struct {
	Layers []digest.Digest `json:"layers"` // chain ids, bottom first
}

func (s *Store) leasePath(holder string) string {
	return filepath.Join(s.root, "leases", holder+".json")
}

func validHolder(holder string) error {
	if holder == "" || strings.ContainsAny(holder, `/\`) || strings.HasPrefix(holder, ".") {
		return fmt.Errorf("invalid lease holder %q", holder)
	}
	return nil
}

// Lease keeps the layers of img for holder until Release(holder). The
// engine leases its image's layers when it creates a container.
func (s *Store) Lease(holder string, img *Image) error {
	if err := validHolder(holder); err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.RLock()
	rec := s.images[digest.Digest(img.ID)]
	s.mu.RUnlock()
	if rec == nil {
		return errNoSuchImageString(img.ID)
	}
	data, err := json.Marshal(lease{Layers: rec.chain})
	if err != nil {
		return err
	}
	if err := writeFileAtomic(s.leasePath(holder), data, 0o600); err != nil {
		return fmt.Errorf("lease layers for %s: %w", holder, err)
	}
	s.mu.Lock()
	s.leases[holder] = rec.chain
	s.mu.Unlock()
	return nil
}

// LeasedLayers returns the layer directories leased to holder, topmost
// first, whether or not the image still exists.
func (s *Store) LeasedLayers(holder string) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	chain, ok := s.leases[holder]
	if !ok {
		return nil, fmt.Errorf("no layers leased to %s", holder)
	}
	dirs := make([]string, 0, len(chain))
	for i := len(chain) - 1; i >= 0; i-- {
		dirs = append(dirs, s.layerDiffDir(chain[i]))
	}
	return dirs, nil
}

// Release ends holder's lease and deletes the layers nothing else uses.
// Releasing an unknown holder does nothing.
func (s *Store) Release(holder string) error {
	if err := validHolder(holder); err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	chain, ok := s.leases[holder]
	delete(s.leases, holder)
	s.mu.Unlock()
	if !ok {
		return nil
	}
	if err := os.Remove(s.leasePath(holder)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	s.dropUnusedLayers(chain)
	return nil
}

func (s *Store) loadLeases() error {
	dir := filepath.Join(s.root, "leases")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		holder, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || validHolder(holder) != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		var l lease
		if err := json.Unmarshal(data, &l); err != nil {
			os.Remove(filepath.Join(dir, e.Name()))
			continue
		}
		s.leases[holder] = l.Layers
	}
	return nil
}

// usedLayers is every chain id an image or a lease needs; callers hold mu.
func (s *Store) usedLayers() map[digest.Digest]bool {
	used := map[digest.Digest]bool{}
	for _, rec := range s.images {
		for _, c := range rec.chain {
			used[c] = true
		}
	}
	for _, chain := range s.leases {
		for _, c := range chain {
			used[c] = true
		}
	}
	return used
}
