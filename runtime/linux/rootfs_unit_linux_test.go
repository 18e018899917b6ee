package linux

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseMountOptions(t *testing.T) {
	tests := []struct {
		opts        []string
		flags, prop uintptr
		data        string
	}{
		{[]string{"ro"}, unix.MS_RDONLY, 0, ""},
		{[]string{"rbind", "ro", "rprivate"}, unix.MS_BIND | unix.MS_REC | unix.MS_RDONLY, unix.MS_PRIVATE | unix.MS_REC, ""},
		{[]string{"ro", "rw"}, 0, 0, ""},
		{[]string{"nosuid", "nodev", "noexec", "size=64m", "mode=1777"}, unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, 0, "size=64m,mode=1777"},
		{[]string{"rslave"}, 0, unix.MS_SLAVE | unix.MS_REC, ""},
	}
	for _, tt := range tests {
		f, p, d := parseMountOptions(tt.opts)
		if f != tt.flags || p != tt.prop || d != tt.data {
			t.Errorf("%v: got %#x %#x %q", tt.opts, f, p, d)
		}
	}
}

func TestOverlayOptions(t *testing.T) {
	got := overlayOptions([]string{"/l/a", "/l/b,c", "/l/d:e"}, "/u", "/w")
	want := `lowerdir=/l/a:/l/b\,c:/l/d\:e,upperdir=/u,workdir=/w`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got := commonDir([]string{"/x/layers/a", "/x/layers/b", "/x/c/upper", "/x/c/work"}); got != "/x" {
		t.Errorf("commonDir = %s", got)
	}
}

// A mount destination cannot escape the rootfs through the image's links.
func TestSecurePath(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "real/dir"), 0o755)
	os.Symlink("/real", filepath.Join(root, "abs"))
	os.Symlink("../../../../real", filepath.Join(root, "rel"))
	os.Symlink("/etc/..", filepath.Join(root, "up"))
	os.Symlink("loop", filepath.Join(root, "loop"))
	tests := map[string]string{
		"/real/dir":      "/real/dir",
		"/abs/dir":       "/real/dir",
		"/rel/dir":       "/real/dir",
		"/../../etc":     "/etc",
		"/up/x":          "/x",
		"/missing/a/b":   "/missing/a/b",
		"real/../abs/..": "/",
	}
	for in, want := range tests {
		got, err := securePath(root, in)
		if err != nil || got != filepath.Join(root, want) {
			t.Errorf("securePath(%q) = %q, %v; want %q", in, got, err, filepath.Join(root, want))
		}
	}
	if _, err := securePath(root, "/loop/x"); err == nil {
		t.Error("a symlink loop resolved")
	}
}

func TestParseMountinfo(t *testing.T) {
	in := "36 35 98:0 /mnt1 /mnt\\040with\\040space rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n" +
		"40 25 0:35 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory\n"
	got := parseMountinfo([]byte(in))
	if len(got) != 2 || got[0].point != "/mnt with space" || got[1].fstype != "cgroup" || got[1].super != "rw,memory" {
		t.Fatalf("got %+v", got)
	}
}
