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
