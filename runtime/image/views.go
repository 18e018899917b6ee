package image

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
	imagetypes "github.com/moby/moby/api/types/image"
	"github.com/opencontainers/go-digest"
)

// ListOptions are the options of GET /images/json.
type ListOptions struct {
	// All includes intermediate images (untagged images with children).
	All bool
	// Filters: dangling=true|false, label=key[=value], before=, since=
	// (images), reference=pattern.
	Filters map[string][]string
	// SharedSize computes SharedSize and Containers, as `docker system df`
	// asks; otherwise both are -1 ("not computed") as Docker reports.
	SharedSize bool
}

var acceptedListFilters = map[string]bool{"dangling": true, "label": true, "before": true, "since": true, "reference": true}

// invalidFilter is Docker's error for an unknown filter or a bad value.
func invalidFilter(name string, values []string) error {
	msg := "invalid filter '" + name
	if values != nil {
		msg += "=" + strings.Join(values, ",")
	}
	return errdefs.ErrInvalidArgument.WithMessage(msg + "'")
}

// Summaries lists images as GET /images/json does (newest first).
func (s *Store) Summaries(opts ListOptions) ([]imagetypes.Summary, error) {
	f := opts.Filters
	for name := range f {
		if !acceptedListFilters[name] {
			return nil, invalidFilter(name, nil)
		}
	}
	danglingOnly := false
	if vals, ok := f["dangling"]; ok {
		for _, v := range vals {
			switch strings.ToLower(v) {
			case "true", "1":
				danglingOnly = true
			case "false", "0":
			default:
				return nil, invalidFilter("dangling", vals)
			}
		}
	}
	var before, since *Image
	for _, v := range f["before"] {
		img, err := s.Get(v)
		if err != nil {
			return nil, err
		}
		before = img
	}
	for _, v := range f["since"] {
		img, err := s.Get(v)
		if err != nil {
			return nil, err
		}
		since = img
	}
	for _, p := range f["reference"] {
		if _, err := path.Match(p, ""); err != nil {
			return nil, errdefs.ErrInvalidArgument.WithMessage(err.Error())
		}
	}

	s.mu.RLock()
	children := map[digest.Digest]int{}
	for _, rec := range s.images {
		if rec.parent != "" {
			children[rec.parent]++
		}
	}
	var counter ContainerCounter
	if opts.SharedSize {
		counter, _ = s.usage.(ContainerCounter)
	}
	// The engine is asked for container counts after mu is released, so an
	// engine holding its own lock while calling the store cannot deadlock.
	var counted []int
	layerRefs := map[digest.Digest]int{}
	if opts.SharedSize {
		for _, rec := range s.images {
			for _, c := range rec.chain {
				layerRefs[c]++
			}
		}
	}
	out := []imagetypes.Summary{}
	for id, rec := range s.images {
		if danglingOnly && children[id] > 0 {
			continue
		}
		var created time.Time
		if rec.cfg.Created != nil {
			created = *rec.cfg.Created
		}
		if before != nil && !created.Before(before.Created) {
			continue
		}
		if since != nil && !created.After(since.Created) {
			continue
		}
		if _, ok := f["label"]; ok && !matchLabels(f["label"], rec.cfg.Config.Labels) {
			continue
		}
		tags, digests := []string{}, []string{}
		tagged := false
		for _, r := range s.references(id) {
			if pats, ok := f["reference"]; ok && !matchAny(pats, r) {
				continue
			}
			if _, ok := r.(reference.Canonical); ok {
				digests = append(digests, reference.FamiliarString(r))
			} else {
				tags = append(tags, reference.FamiliarString(r))
				tagged = true
			}
		}
		if danglingOnly && tagged {
			continue
		}
		if len(tags) == 0 && len(digests) == 0 {
			_, refFilter := f["reference"]
			if (!opts.All && children[id] > 0) || (f["dangling"] != nil && !danglingOnly) || refFilter {
				continue
			}
		}
		var size int64
		for _, c := range rec.chain {
			size += s.layers[c].Size
		}
		sum := imagetypes.Summary{
			Containers:  -1,
			Created:     created.Unix(),
			ID:          id.String(),
			Labels:      rec.cfg.Config.Labels,
			ParentID:    string(rec.parent),
			RepoDigests: digests,
			RepoTags:    tags,
			SharedSize:  -1,
			Size:        size,
		}
		if opts.SharedSize {
			sum.SharedSize = 0
			for _, c := range rec.chain {
				if layerRefs[c] > 1 {
					sum.SharedSize += s.layers[c].Size
				}
			}
			if counter != nil {
				counted = append(counted, len(out))
			}
		}
		out = append(out, sum)
	}
	s.mu.RUnlock()
	for _, i := range counted {
		out[i].Containers = int64(counter.ImageContainers(out[i].ID))
	}
	slices.SortStableFunc(out, func(a, b imagetypes.Summary) int {
		if a.Created != b.Created {
			return int(b.Created - a.Created)
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// matchLabels reports whether labels satisfy every "key" or "key=value" filter.
func matchLabels(filters []string, labels map[string]string) bool {
	for _, f := range filters {
		k, v, hasValue := strings.Cut(f, "=")
		got, ok := labels[k]
		if !ok || (hasValue && got != v) {
			return false
		}
	}
	return true
}

func matchAny(patterns []string, ref reference.Named) bool {
	for _, p := range patterns {
		if ok, _ := reference.FamiliarMatch(p, ref); ok {
			return true
		}
	}
	return false
}

// History returns the history of the image ref names, newest first, as
// `docker history` shows it: layers of ancestors not in the store are
// "<missing>".
func (s *Store) History(ref string) ([]imagetypes.HistoryResponseItem, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rec, err := s.resolve(ref)
	if err != nil {
		return nil, err
	}
	items := []imagetypes.HistoryResponseItem{}
	layer := 0
	for _, h := range rec.cfg.History {
		var size int64
		if !h.EmptyLayer {
			if layer >= len(rec.chain) {
				return nil, fmt.Errorf("too many non-empty layers in History section")
			}
			size = s.layers[rec.chain[layer]].Size
			layer++
		}
		item := imagetypes.HistoryResponseItem{ID: "<missing>", CreatedBy: h.CreatedBy, Comment: h.Comment, Size: size}
		if h.Created != nil {
			item.Created = h.Created.Unix()
		}
		items = append([]imagetypes.HistoryResponseItem{item}, items...)
	}
	cur := rec
	for i := range items {
		items[i].ID = cur.id.String()
		var tags []string
		for _, r := range s.references(cur.id) {
			if _, ok := r.(reference.NamedTagged); ok {
				tags = append(tags, reference.FamiliarString(r))
			}
		}
		items[i].Tags = tags
		if cur = s.images[cur.parent]; cur == nil {
			break
		}
	}
	return items, nil
}
