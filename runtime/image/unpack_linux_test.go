package image

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func isWhiteout(t *testing.T, p string) bool {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return fi.Mode()&os.ModeCharDevice != 0 && st.Rdev == 0
}

func opaqueXattr(t *testing.T, p string) string {
	t.Helper()
	buf := make([]byte, 16)
	name := overlayOpaque
	if os.Geteuid() != 0 {
		name = overlayOpaqueUser
	}
	n, err := unix.Lgetxattr(p, name, buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func TestUnpackWhiteoutsAsOverlay(t *testing.T) {
	layer := t.TempDir()
	err := unpackTar(layer, bytes.NewReader(tarOf(t, map[string]string{
		"bin/":           "",
		"bin/.wh.ls":     "",
		"d/":             "",
		"d/.wh..wh..opq": "",
		"d/b":            "",
	})))
	if err != nil {
		t.Fatal(err)
	}
	if !isWhiteout(t, filepath.Join(layer, "bin/ls")) {
		t.Error("bin/ls is not a whiteout device")
	}
	if _, err := os.Lstat(filepath.Join(layer, "bin/.wh.ls")); !os.IsNotExist(err) {
		t.Error(".wh.ls file kept")
	}
	if v := opaqueXattr(t, filepath.Join(layer, "d")); v != "y" {
		t.Errorf("d opaque xattr = %q", v)
	}
}

// FuzzUnpack checks that no layer tar, however hostile, writes outside the
// layer directory.
func FuzzUnpack(f *testing.F) {
	f.Add(tarOf(f, map[string]string{"a/": "", "a/b": "x", "l": "->a/b", ".wh.gone": "", "a/.wh..wh..opq": ""}))
	f.Add(rawTar(f, file("../../escape", "x"), link("up", "../.."), file("up/escape2", "y")))
	f.Add(rawTar(f, link("abs", "/"), file("abs/etc/escape3", "z"), link("loop", "loop"), file("loop/x", "1")))
	f.Fuzz(func(t *testing.T, data []byte) {
		parent := t.TempDir()
		layer := filepath.Join(parent, "layer")
		if err := os.Mkdir(layer, 0o755); err != nil {
			t.Fatal(err)
		}
		unpackTar(layer, bytes.NewReader(data))
		ents, _ := os.ReadDir(parent)
		if len(ents) != 1 || ents[0].Name() != "layer" {
			t.Fatalf("unpack wrote next to the layer: %v", ents)
		}
		for _, p := range []string{"/escape", "/escape2", "/etc/escape3"} {
			if _, err := os.Lstat(p); err == nil {
				t.Fatalf("unpack wrote %s", p)
			}
		}
	})
}
