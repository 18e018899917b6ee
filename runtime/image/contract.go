package image

import (
	"time"

	"github.com/containerd/errdefs"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
)

// Image is one image in the store.
type Image struct {
	ID          string // "sha256:<64 hex>", the digest of the config JSON
	RepoTags    []string
	RepoDigests []string
	Config      *dockerspec.DockerOCIImage
	Size        int64
	Parent      string
	Created     time.Time
}

// Store is the image store rooted at a directory.
type Store struct{ root string }

// Open opens (creating if needed) the store under root and recovers it.
func Open(root string) (*Store, error) { return &Store{root: root}, nil }

// EnsureBuiltins installs the built-in images made from the toolbox binary.
func (s *Store) EnsureBuiltins(toolbox []byte) error { return errdefs.ErrNotImplemented }

// Get resolves a reference (name[:tag], full or short id, name@digest).
func (s *Store) Get(ref string) (*Image, error) {
	return nil, errdefs.ErrNotFound.WithMessage("No such image: " + ref)
}

// List returns every image.
func (s *Store) List() ([]*Image, error) { return nil, nil }

// Layers returns the unpacked layer directories of img, topmost first.
func (s *Store) Layers(img *Image) ([]string, error) { return nil, errdefs.ErrNotImplemented }
