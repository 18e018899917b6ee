package ctrarchive

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"io"

	"github.com/containerd/errdefs"
)

// decompress returns the archive in r uncompressed. Docker accepts gzip,
// bzip2, xz and zstd archives, known by their first bytes; boxlab has the
// first two (Go's standard library) and says so for the others.
func decompress(r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(6)
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b, 0x08}):
		return gzip.NewReader(br)
	case bytes.HasPrefix(head, []byte("BZh")):
		return io.NopCloser(bzip2.NewReader(br)), nil
	case bytes.HasPrefix(head, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}):
		return nil, errdefs.ErrNotImplemented.WithMessage("boxlab cannot extract xz-compressed archives yet: send it uncompressed or gzip-compressed")
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return nil, errdefs.ErrNotImplemented.WithMessage("boxlab cannot extract zstd-compressed archives yet: send it uncompressed or gzip-compressed")
	}
	return io.NopCloser(br), nil
}
