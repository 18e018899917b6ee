package image

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/distribution/reference"
	imagetypes "github.com/moby/moby/api/types/image"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// childImage commits an image one layer above parent, recorded as its child
// (as the builder's intermediate images are).
func childImage(t *testing.T, s *Store, parent *Image, layer []byte, created time.Time, tags ...string) *Image {
	t.Helper()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	cfg := *parent.Config
	cfg.Created = &created
	chains, _, _ := s.LayerSizes(parent)
	li, _, err := s.putLayer(digest.Digest(chains[len(chains)-1]), "", bytes.NewReader(layer))
	if err != nil {
		t.Fatal(err)
	}
	cfg.RootFS.DiffIDs = append(slices.Clone(cfg.RootFS.DiffIDs), li.DiffID)
	cfg.History = append(slices.Clone(cfg.History), ocispec.History{Created: &created, CreatedBy: "/bin/sh -c #(nop) COPY file in /"})
	raw, _ := json.Marshal(cfg)
	rec, err := s.commitImage(raw, digest.Digest(parent.ID))
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range tags {
		named, _ := reference.ParseNormalizedNamed(tag)
		s.addRef(reference.TagNameOnly(named), rec.id)
	}
	s.saveRefs()
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.image(rec)
}

type counter map[string]int

func (c counter) ImageInUse(string) (string, bool) { return "", false }
func (c counter) ImageContainers(id string) int    { return c[id] }

func TestSummariesFiltersLikeDockerImages(t *testing.T) {
	s := openTest(t)
	l1 := tarOf(t, map[string]string{"a": "12345"})
	l2 := tarOf(t, map[string]string{"b": "123"})
	base := testImage(t, s, "base", [][]byte{l1}, "base:1")
	mid := childImage(t, s, base, l2, time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC))
	top := childImage(t, s, mid, tarOf(t, map[string]string{"c": "1"}), time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), "app:1", "app:2")
	old := childImage(t, s, base, tarOf(t, map[string]string{"d": "1"}), time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC), "moved:1")
	// Moving the tag leaves "old" dangling.
	if err := s.Tag(top.ID, "moved", "1"); err != nil {
		t.Fatal(err)
	}
	ids := func(sums []imagetypes.Summary) []string {
		var out []string
		for _, s := range sums {
			out = append(out, s.ID)
		}
		return out
	}
	tests := []struct {
		name    string
		opts    ListOptions
		want    []string
		wantErr string
	}{
		{name: "default hides intermediates", opts: ListOptions{}, want: []string{top.ID, old.ID, base.ID}},
		{name: "all", opts: ListOptions{All: true}, want: []string{top.ID, mid.ID, old.ID, base.ID}},
		{name: "dangling", opts: ListOptions{Filters: map[string][]string{"dangling": {"true"}}}, want: []string{old.ID}},
		{name: "not dangling", opts: ListOptions{Filters: map[string][]string{"dangling": {"false"}}}, want: []string{top.ID, base.ID}},
		{name: "reference", opts: ListOptions{Filters: map[string][]string{"reference": {"ap*"}}}, want: []string{top.ID}},
		{name: "reference tag", opts: ListOptions{Filters: map[string][]string{"reference": {"base:1"}}}, want: []string{base.ID}},
		{name: "label", opts: ListOptions{Filters: map[string][]string{"label": {"comment=base"}}}, want: []string{top.ID, old.ID, base.ID}},
		{name: "label missing", opts: ListOptions{Filters: map[string][]string{"label": {"nope"}}}, want: nil},
		{name: "before", opts: ListOptions{Filters: map[string][]string{"before": {"app:1"}}}, want: []string{old.ID, base.ID}},
		{name: "since", opts: ListOptions{Filters: map[string][]string{"since": {"base:1"}}}, want: []string{top.ID, old.ID}},
		{name: "bad filter", opts: ListOptions{Filters: map[string][]string{"foo": {"x"}}}, wantErr: "invalid filter 'foo'"},
		{name: "bad dangling", opts: ListOptions{Filters: map[string][]string{"dangling": {"maybe"}}}, wantErr: "invalid filter 'dangling=maybe'"},
		{name: "before unknown", opts: ListOptions{Filters: map[string][]string{"before": {"nosuch"}}}, wantErr: "No such image: nosuch:latest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sums, err := s.Summaries(tt.opts)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(sums); !slices.Equal(got, tt.want) {
				t.Errorf("ids = %v, want %v", got, tt.want)
			}
		})
	}
	sums, _ := s.Summaries(ListOptions{Filters: map[string][]string{"reference": {"app:2"}}})
	if len(sums) != 1 || !slices.Equal(sums[0].RepoTags, []string{"app:2"}) {
		t.Errorf("reference filter keeps only matching tags: %+v", sums)
	}
	sums, _ = s.Summaries(ListOptions{})
	for _, sum := range sums {
		if sum.Containers != -1 || sum.SharedSize != -1 || sum.RepoTags == nil || sum.RepoDigests == nil {
			t.Errorf("summary %+v: want Containers/SharedSize -1 and non-null arrays", sum)
		}
		if sum.ID == top.ID && (sum.ParentID != mid.ID || sum.Size != 5+3+1 || !slices.Equal(sum.RepoTags, []string{"app:1", "app:2", "moved:1"})) {
			t.Errorf("top summary = %+v", sum)
		}
	}
	s.SetUsageChecker(counter{top.ID: 2})
	sums, _ = s.Summaries(ListOptions{SharedSize: true})
	for _, sum := range sums {
		switch sum.ID {
		case top.ID:
			if sum.SharedSize != 5+3 || sum.Containers != 2 {
				t.Errorf("top shared %d containers %d", sum.SharedSize, sum.Containers)
			}
		case base.ID:
			if sum.SharedSize != 5 || sum.Containers != 0 {
				t.Errorf("base shared %d containers %d", sum.SharedSize, sum.Containers)
			}
		}
	}
}

func TestHistoryLikeDocker(t *testing.T) {
	s := openTest(t)
	if err := s.EnsureBuiltins(fakeToolbox); err != nil {
		t.Fatal(err)
	}
	base, _ := s.Get("boxlab/base")
	child := childImage(t, s, base, tarOf(t, map[string]string{"app": "12"}), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), "app:1")
	h, err := s.History("app:1")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 3 {
		t.Fatalf("history = %+v", h)
	}
	if h[0].ID != child.ID || !slices.Equal(h[0].Tags, []string{"app:1"}) || h[0].Size != 2 || h[0].CreatedBy != "/bin/sh -c #(nop) COPY file in /" {
		t.Errorf("row 0 = %+v", h[0])
	}
	if h[1].ID != base.ID || !slices.Equal(h[1].Tags, []string{"boxlab/base:latest"}) || h[1].Size != 0 || h[1].CreatedBy != `/bin/sh -c #(nop)  CMD ["sh"]` {
		t.Errorf("row 1 = %+v", h[1])
	}
	if h[2].ID != "<missing>" || h[2].Tags != nil || h[2].Size != base.Size || h[2].Created != builtinCreated.Unix() {
		t.Errorf("row 2 = %+v", h[2])
	}
	if _, err := s.History("nosuch"); err == nil || err.Error() != "No such image: nosuch:latest" {
		t.Errorf("err = %v", err)
	}
}
