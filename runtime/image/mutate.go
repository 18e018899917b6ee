package image

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
	imagetypes "github.com/moby/moby/api/types/image"
	"github.com/opencontainers/go-digest"
)

// commitImage records raw as an image whose layers are already stored.
// The image record file is written last: it is what makes the image exist.
// Callers hold wmu.
func (s *Store) commitImage(raw []byte, parent digest.Digest) (*record, error) {
	rec, err := newRecord(raw)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	old := s.images[rec.id]
	for _, c := range rec.chain {
		if s.layers[c] == nil {
			s.mu.RUnlock()
			return nil, fmt.Errorf("image %s: layer %s is not stored", rec.id, c)
		}
	}
	if parent != "" && s.images[parent] == nil {
		parent = ""
	}
	s.mu.RUnlock()
	if old != nil {
		if parent != "" && old.parent != parent {
			s.mu.Lock()
			old.parent = parent
			s.mu.Unlock()
			if err := s.saveMeta(old); err != nil {
				return nil, err
			}
		}
		return old, nil
	}
	if _, err := os.Stat(s.blobPath(rec.id)); err != nil {
		if err := writeFileAtomic(s.blobPath(rec.id), raw, 0o600); err != nil {
			return nil, err
		}
	}
	rec.parent = parent
	if err := s.saveMeta(rec); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.images[rec.id] = rec
	s.mu.Unlock()
	return rec, nil
}

// addRef points ref at id, moving it from another image if needed, and
// returns the id it pointed at before (""). Callers hold wmu and save refs.
func (s *Store) addRef(ref reference.Named, id digest.Digest) (digest.Digest, error) {
	if reference.FamiliarName(ref) == string(digest.Canonical) {
		return "", errdefs.ErrInvalidArgument.WithMessage("refusing to create an ambiguous tag using digest algorithm as name")
	}
	s.mu.Lock()
	rec := s.images[id]
	if rec == nil {
		s.mu.Unlock()
		return "", errNoSuchImageString(id.String())
	}
	key := ref.String()
	prev := s.refs[key]
	s.refs[key] = id
	s.named[key] = ref
	if _, tagged := ref.(reference.NamedTagged); tagged {
		rec.lastTagTime = time.Now().UTC()
	}
	s.mu.Unlock()
	if err := s.saveMeta(rec); err != nil {
		return "", err
	}
	return prev, nil
}

// Tag adds the tag repo:tag (tag defaults to "latest") to the image that
// source names, moving the tag if another image had it, as `docker tag` does.
func (s *Store) Tag(source, repo, tag string) error {
	ref, err := repoTagReference(repo, tag)
	if err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.RLock()
	rec, err := s.resolve(source)
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	if _, err := s.addRef(ref, rec.id); err != nil {
		return err
	}
	return s.saveRefs()
}

// repoTagReference builds the tag a tag request names, with Docker's errors.
func repoTagReference(repo, tag string) (reference.NamedTagged, error) {
	named, err := reference.ParseNormalizedNamed(repo)
	if err != nil {
		return nil, errInvalidReference(err)
	}
	if _, ok := named.(reference.Digested); ok {
		return nil, errdefs.ErrInvalidArgument.WithMessage("refusing to create a tag with a digest reference")
	}
	if tag == "" {
		named = reference.TagNameOnly(named)
	} else if named, err = reference.WithTag(named, tag); err != nil {
		return nil, errInvalidReference(err)
	}
	tagged, ok := named.(reference.NamedTagged)
	if !ok {
		return nil, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("unexpected reference: %q", named.String()))
	}
	if reference.FamiliarName(tagged) == string(digest.Canonical) {
		return nil, errdefs.ErrInvalidArgument.WithMessage("refusing to create an ambiguous tag using digest algorithm as name")
	}
	return tagged, nil
}

// Delete removes a reference or an image as `docker rmi` does: a name
// untags (and deletes the image when that was its last reference); an id
// deletes the image. Running containers and child images block deletion;
// stopped containers and other tags block it unless force. With prune,
// untagged parents are deleted too.
func (s *Store) Delete(ref string, force, prune bool) ([]imagetypes.DeleteResponse, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.RLock()
	rec, err := s.resolve(ref)
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	records := []imagetypes.DeleteResponse{}
	id := rec.id
	refs := s.refsOf(id)
	removedRef := false
	if !isIDPrefix(id.String(), ref) {
		if !force && isSingleReference(refs) {
			if c, _ := s.inUse(id); c != "" {
				return nil, errdefs.ErrConflict.WithMessage(fmt.Sprintf("conflict: unable to remove repository reference %q (must force) - container %s is using its referenced image %s", ref, shortID(c), shortID(id.String())))
			}
		}
		parsed, err := reference.ParseNormalizedNamed(ref)
		if err != nil {
			return nil, errInvalidReference(err)
		}
		parsed = reference.TagNameOnly(parsed)
		s.removeRef(parsed)
		records = append(records, imagetypes.DeleteResponse{Untagged: reference.FamiliarString(parsed)})
		refs = s.refsOf(id)
		// Untagging the last tag of a repository also drops its digests.
		if _, canonical := parsed.(reference.Canonical); !canonical {
			tagLeft := false
			for _, r := range refs {
				if _, c := r.(reference.Canonical); !c && r.Name() == parsed.Name() {
					tagLeft = true
				}
			}
			if !tagLeft {
				var remaining []reference.Named
				for _, r := range refs {
					if _, c := r.(reference.Canonical); c && r.Name() == parsed.Name() {
						s.removeRef(r)
						records = append(records, imagetypes.DeleteResponse{Untagged: reference.FamiliarString(r)})
					} else {
						remaining = append(remaining, r)
					}
				}
				refs = remaining
			}
		}
		if err := s.saveRefs(); err != nil {
			return nil, err
		}
		if len(refs) > 0 {
			return records, nil
		}
		removedRef = true
	} else if isSingleReference(refs) {
		mask := conflictHard
		if !force {
			mask |= conflictStoppedContainer
		}
		if err := s.deleteConflict(id, mask); err != nil {
			return nil, err
		}
		for _, r := range refs {
			s.removeRef(r)
			records = append(records, imagetypes.DeleteResponse{Untagged: reference.FamiliarString(r)})
		}
		if err := s.saveRefs(); err != nil {
			return nil, err
		}
	}
	if err := s.deleteImage(id, &records, force, prune, removedRef); err != nil {
		return nil, err
	}
	return records, nil
}

type conflictType int

const (
	conflictDependentChild conflictType = 1 << iota
	conflictRunningContainer
	conflictActiveReference
	conflictStoppedContainer

	conflictHard = conflictDependentChild | conflictRunningContainer
	conflictSoft = conflictActiveReference | conflictStoppedContainer
)

// deleteImage deletes id and its unshared layers unless a conflict in mask
// stops it; quiet ignores conflicts of a still-referenced or used image (for
// parents being pruned and images untagged by name). Callers hold wmu.
func (s *Store) deleteImage(id digest.Digest, records *[]imagetypes.DeleteResponse, force, prune, quiet bool) error {
	mask := conflictHard
	if !force {
		mask |= conflictSoft
	}
	if err := s.deleteConflict(id, mask); err != nil {
		var ce *conflictError
		if quiet && errors.As(err, &ce) && (!s.dangling(id) || ce.used) {
			return nil
		}
		return err
	}
	s.mu.RLock()
	rec := s.images[id]
	s.mu.RUnlock()
	for _, r := range s.refsOf(id) {
		s.removeRef(r)
		*records = append(*records, imagetypes.DeleteResponse{Untagged: reference.FamiliarString(r)})
	}
	if err := s.saveRefs(); err != nil {
		return err
	}
	removed, err := s.removeImage(rec)
	if err != nil {
		return err
	}
	*records = append(*records, imagetypes.DeleteResponse{Deleted: id.String()})
	for _, c := range removed {
		*records = append(*records, imagetypes.DeleteResponse{Deleted: c.String()})
	}
	if !prune || rec.parent == "" {
		return nil
	}
	return s.deleteImage(rec.parent, records, false, true, true)
}

// removeImage deletes an image record, then its config and the layers no
// other image or lease uses, and returns those layers' chain ids, topmost first.
func (s *Store) removeImage(rec *record) ([]digest.Digest, error) {
	if err := os.Remove(s.imagePath(rec.id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	s.mu.Lock()
	delete(s.images, rec.id)
	used := s.usedLayers()
	var removed []digest.Digest
	for i := len(rec.chain) - 1; i >= 0; i-- {
		if c := rec.chain[i]; !used[c] && s.layers[c] != nil {
			removed = append(removed, c)
		}
	}
	diffInUse := map[digest.Digest]bool{}
	for c, li := range s.layers {
		if !containsDigest(removed, c) {
			diffInUse[li.DiffID] = true
		}
	}
	var blobs []digest.Digest
	for _, c := range removed {
		if d := s.layers[c].DiffID; !diffInUse[d] {
			blobs = append(blobs, d)
		}
		delete(s.layers, c)
	}
	s.mu.Unlock()
	if err := os.Remove(s.blobPath(rec.id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	for _, c := range removed {
		if err := s.removeLayerDir(c); err != nil {
			return nil, err
		}
	}
	for _, d := range blobs {
		if err := os.Remove(s.blobPath(d)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	return removed, nil
}

func containsDigest(list []digest.Digest, d digest.Digest) bool {
	for _, x := range list {
		if x == d {
			return true
		}
	}
	return false
}

// deleteConflict reports the first conflict in mask that blocks deleting id.
func (s *Store) deleteConflict(id digest.Digest, mask conflictType) error {
	if mask&conflictDependentChild != 0 && len(s.Children(id.String())) > 0 {
		return &conflictError{hard: true, id: id.String(), message: "image has dependent child images"}
	}
	c, running := s.inUse(id)
	if mask&conflictRunningContainer != 0 && c != "" && running {
		return &conflictError{hard: true, used: true, id: id.String(), message: "image is being used by running container " + shortID(c)}
	}
	if mask&conflictActiveReference != 0 && len(s.refsOf(id)) > 0 {
		return &conflictError{id: id.String(), message: "image is referenced in multiple repositories"}
	}
	if mask&conflictStoppedContainer != 0 && c != "" && !running {
		return &conflictError{used: true, id: id.String(), message: "image is being used by stopped container " + shortID(c)}
	}
	return nil
}

func (s *Store) inUse(id digest.Digest) (string, bool) {
	s.mu.RLock()
	u := s.usage
	s.mu.RUnlock()
	if u == nil {
		return "", false
	}
	return u.ImageInUse(id.String())
}

// dangling reports whether id has no references and no children.
func (s *Store) dangling(id digest.Digest) bool {
	return len(s.refsOf(id)) == 0 && len(s.Children(id.String())) == 0
}

func (s *Store) refsOf(id digest.Digest) []reference.Named {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.references(id)
}

func (s *Store) removeRef(ref reference.Named) {
	s.mu.Lock()
	delete(s.refs, ref.String())
	delete(s.named, ref.String())
	s.mu.Unlock()
}

// isSingleReference reports whether refs hold at most one tag and every
// reference is in one repository; false when there are none.
func isSingleReference(refs []reference.Named) bool {
	if len(refs) <= 1 {
		return len(refs) == 1
	}
	var single reference.Named
	canonical := map[string]bool{}
	for _, r := range refs {
		if _, c := r.(reference.Canonical); c {
			canonical[r.Name()] = true
		} else if single == nil {
			single = r
		} else {
			return false
		}
	}
	if single == nil {
		single = refs[0]
	}
	return len(canonical) == 1 && canonical[single.Name()]
}

// isIDPrefix reports whether s is a prefix of the image id, with or
// without "sha256:".
func isIDPrefix(id, s string) bool {
	return strings.HasPrefix(id, s) || strings.HasPrefix(strings.TrimPrefix(id, "sha256:"), s)
}
