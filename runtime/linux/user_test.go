package linux

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestLookupUser(t *testing.T) {
	dir := t.TempDir()
	passwd := filepath.Join(dir, "passwd")
	group := filepath.Join(dir, "group")
	os.WriteFile(passwd, []byte("root:x:0:0:root:/root:/bin/sh\n# a comment\n\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\nbob:x:1001:100::/home/bob:/bin/sh\n"), 0o644)
	os.WriteFile(group, []byte("root:x:0:\nusers:x:100:\nstaff:x:50:alice,bob\nwheel:x:10:alice\nalice:x:1000:\n"), 0o644)
	missing := filepath.Join(dir, "missing")
	tests := []struct {
		spec     string
		groupAdd []string
		files    bool // false: no passwd and group files at all
		want     execUser
		err      string
	}{
		{"", nil, true, execUser{0, 0, []int{0}, "/root"}, ""},
		{"root", nil, true, execUser{0, 0, []int{0}, "/root"}, ""},
		{"alice", nil, true, execUser{1000, 1000, []int{1000, 50, 10}, "/home/alice"}, ""},
		{"1000", nil, true, execUser{1000, 1000, []int{1000, 50, 10}, "/home/alice"}, ""},
		{"bob:wheel", nil, true, execUser{1001, 10, []int{10}, "/home/bob"}, ""},
		{"alice:0", nil, true, execUser{1000, 0, []int{0}, "/home/alice"}, ""},
		{"4242", nil, true, execUser{4242, 0, []int{0}, "/"}, ""},
		{"4242:4343", nil, true, execUser{4242, 4343, []int{4343}, "/"}, ""},
		{"", []string{"staff", "77", "0"}, true, execUser{0, 0, []int{0, 50, 77}, "/root"}, ""},
		{"nosuch", nil, true, execUser{}, "unable to find user nosuch: no matching entries in passwd file"},
		{"alice:nosuch", nil, true, execUser{}, "unable to find group nosuch: no matching entries in group file"},
		{"", []string{"nosuch"}, true, execUser{}, "Unable to find group nosuch: no matching entries in group file"},
		{"-1", nil, true, execUser{}, "uids and gids must be in range 0-2147483647"},
		{"", nil, false, execUser{0, 0, []int{0}, "/"}, ""},
		{"1000:1000", nil, false, execUser{1000, 1000, []int{1000}, "/"}, ""},
		{"alice", nil, false, execUser{}, "unable to find user alice: no matching entries in passwd file"},
	}
	for _, tt := range tests {
		p, g := passwd, group
		if !tt.files {
			p, g = missing, missing
		}
		got, err := lookupUser(tt.spec, tt.groupAdd, p, g)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%q: got %v, want %q", tt.spec, err, tt.err)
			}
			continue
		}
		if err != nil || got.UID != tt.want.UID || got.GID != tt.want.GID || got.Home != tt.want.Home || !slices.Equal(got.Groups, tt.want.Groups) {
			t.Errorf("%q %v: got %+v, %v; want %+v", tt.spec, tt.groupAdd, got, err, tt.want)
		}
	}
}

func TestWithHome(t *testing.T) {
	if got := withHome([]string{"A=1"}, "/root"); !slices.Equal(got, []string{"A=1", "HOME=/root"}) {
		t.Errorf("got %v", got)
	}
	if got := withHome([]string{"HOME=/x"}, "/root"); !slices.Equal(got, []string{"HOME=/x"}) {
		t.Errorf("got %v", got)
	}
	if got := envValue([]string{"PATH=/a", "PATH=/b"}, "PATH"); got != "/b" {
		t.Errorf("envValue = %q", got)
	}
}

func TestStartExitCode(t *testing.T) {
	tests := []struct {
		msg           string
		run, execCode int
	}{
		{`exec: "x": executable file not found in $PATH`, 127, 127},
		{`exec: "/x": stat /x: no such file or directory`, 127, 127},
		{`exec: "/etc/passwd": permission denied`, 126, 126},
		{`exec: "/etc": is a directory`, 126, 126},
		{"unable to apply caps: operation not permitted", 128, 126},
	}
	for _, tt := range tests {
		if got := startExitCode(tt.msg); got != tt.run {
			t.Errorf("run %q: %d, want %d", tt.msg, got, tt.run)
		}
		if got := execExitCode(tt.msg); got != tt.execCode {
			t.Errorf("exec %q: %d, want %d", tt.msg, got, tt.execCode)
		}
	}
}
