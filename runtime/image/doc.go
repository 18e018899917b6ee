// Package image is boxlab's content-addressed image store: layer tars and
// image configs stored by digest, image ids computed as Docker computes them
// (sha256 of the config JSON), tags, unpacked layers for overlayfs, and the
// built-in images made from the embedded toolbox binary with no download.
//
// Not here: building images from Dockerfiles, and the HTTP routes (runtime/api).
// Main types: Store and Image.
package image
