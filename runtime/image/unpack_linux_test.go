package image

import (
	"os"
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
	n, err := unix.Lgetxattr(p, overlayOpaque, buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}
