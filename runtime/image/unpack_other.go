//go:build !linux

package image

import (
	"archive/tar"
	"errors"
	"io/fs"
	"os"
)

// errNeedsLinux is returned where unpacking needs Linux (overlayfs whiteouts, devices).
var errNeedsLinux = errors.New("boxlab needs Linux to unpack image layers")

func makeWhiteout(*os.Root, string) error            { return errNeedsLinux }
func setOpaque(*os.Root, string) error               { return errNeedsLinux }
func makeDevice(*os.Root, string, *tar.Header) error { return errNeedsLinux }
func setXattrs(*os.File, map[string]string) error    { return nil }
func inodeOf(fs.FileInfo) (uint64, bool)             { return 0, false }
