package lessons

import (
	"testing"
	"testing/fstest"
)

func TestListBuiltins(t *testing.T) {
	list, err := List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) < 6 {
		t.Fatalf("got %d lessons, want at least 6", len(list))
	}
	seen := map[string]bool{}
	for i, l := range list {
		if seen[l.ID] {
			t.Errorf("duplicate lesson id %q", l.ID)
		}
		seen[l.ID] = true
		if i > 0 && list[i-1].Order > l.Order {
			t.Errorf("lessons out of order at %q", l.ID)
		}
	}
}

func TestLoadRejectsBadFrontMatter(t *testing.T) {
	for name, src := range map[string]string{
		"no id":     "---\ntitle: T\n---\n# T\n",
		"no title":  "---\nid: x\n---\n# T\n",
		"bad yaml":  "---\nid: [x\n---\n# T\n",
		"no matter": "# T\n",
	} {
		fsys := fstest.MapFS{"l/a.md": {Data: []byte(src)}}
		if _, err := Load(fsys, "l"); err == nil {
			t.Errorf("%s: expected an error", name)
		}
	}
}
