//go:build !linux

package image

import (
	"archive/tar"
	"errors"
	"io/fs"
	"os"
	"strings"
)

// errNeedsLinux is returned where unpacking needs Linux (overlayfs whiteouts, devices).
var errNeedsLinux = errors.New("boxlab needs Linux to unpack image layers")

func makeWhiteout(*os.Root, string) error            { return errNeedsLinux }
func setOpaque(*os.Root, string) error               { return errNeedsLinux }
func makeDevice(*os.Root, string, *tar.Header) error { return errNeedsLinux }
func inodeOf(fs.FileInfo) (uint64, bool)             { return 0, false }
func hostRoot() bool                                 { return os.Geteuid() == 0 }

func setXattrs(_ *os.File, pax map[string]string) error {
	for k := range pax {
		if strings.HasPrefix(k, "SCHILY.xattr.") {
			return errNeedsLinux
		}
	}
	return nil
}
