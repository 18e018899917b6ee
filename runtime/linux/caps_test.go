package linux

import (
	"slices"
	"testing"
)

func TestCapabilities(t *testing.T) {
	tests := []struct {
		name       string
		privileged bool
		add, drop  []string
		want       []string // nil: compare the mask only
		mask       uint64
		err        string
	}{
		{name: "Docker's default", mask: 0xa80425fb},
		{name: "add by short name", add: []string{"net_admin"}, mask: 0xa80435fb},
		{name: "add by full name", add: []string{"CAP_SYS_ADMIN"}, mask: 0xa82425fb},
		{name: "drop", drop: []string{"CHOWN", "cap_kill"}, mask: 0xa80425da},
		{name: "drop all, add some", add: []string{"chown", "kill"}, drop: []string{"ALL"}, want: []string{"CAP_CHOWN", "CAP_KILL"}},
		{name: "add all, drop some", add: []string{"all"}, drop: []string{"MKNOD"}, mask: 0x1fff7ffffff},
		{name: "privileged", privileged: true, drop: []string{"ALL"}, mask: 1<<41 - 1},
		{name: "unknown", add: []string{"foo"}, err: `unknown capability: "CAP_FOO"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Capabilities(tt.privileged, tt.add, tt.drop)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("got %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != nil && !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			if tt.want == nil && capMask(got) != tt.mask {
				t.Fatalf("got %#x, want %#x", capMask(got), tt.mask)
			}
		})
	}
}
