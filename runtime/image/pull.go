package image

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
)

// Option configures a Store.
type Option func(*Store)

// WithRegistryTransport sets how the store reaches registries (tests use a
// transport that never leaves the machine).
func WithRegistryTransport(rt http.RoundTripper) Option {
	return func(s *Store) { s.registry = &http.Client{Transport: rt, Timeout: 15 * time.Second} }
}

// PullReference parses the fromImage and tag of a pull request as Docker
// does: a tag that is a digest pins it, no tag means "latest".
func PullReference(fromImage, tag string) (reference.Named, error) {
	named, err := reference.ParseNormalizedNamed(fromImage)
	if err != nil {
		return nil, errInvalidReference(err)
	}
	if tag != "" {
		if d, err := digest.Parse(tag); err == nil {
			named, err = reference.WithDigest(reference.TrimNamed(named), d)
			if err != nil {
				return nil, errInvalidReference(err)
			}
		} else if named, err = reference.WithTag(named, tag); err != nil {
			return nil, errInvalidReference(err)
		}
	}
	return reference.TagNameOnly(named), nil
}

// Pull would fetch ref from its registry. boxlab has no registry client
// yet (issue 4), but what a learner sees offline must be what Docker
// prints, so Pull first contacts the registry exactly as Docker's first
// request does and returns that error verbatim (e.g. `Get
// "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io
// ...: no such host`); with a reachable registry it says pulling is not
// supported.
func (s *Store) Pull(ctx context.Context, ref reference.Named) error {
	host := reference.Domain(ref)
	if host == "docker.io" {
		host = "registry-1.docker.io"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+host+"/v2/", nil)
	if err != nil {
		return err
	}
	resp, err := s.registry.Do(req)
	if err != nil {
		// An unclassified error: Docker answers 500 with the client's message.
		return errors.New(err.Error())
	}
	resp.Body.Close()
	return ErrPullUnsupported
}

// ErrImportUnsupported is returned for POST /images/create?fromSrc=
// (`docker import`), which issue 4 adds.
var ErrImportUnsupported = errdefs.ErrNotImplemented.WithMessage("importing images is not supported by boxlab yet")
