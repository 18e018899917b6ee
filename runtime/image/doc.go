// Package image is boxlab's content-addressed image store.
//
// Configs and uncompressed layer tars are blobs named by sha256; each layer
// is unpacked once per chain id into a directory used as an overlayfs lower
// layer (whiteouts become overlay whiteouts). Image ids, diff ids and chain
// ids are computed exactly as Docker computes them, so images move between
// boxlab and Docker with `docker save`/`docker load` (Store.Save, Store.Load,
// SaveBuiltins) and keep their ids. Tags and repo digests resolve with
// Docker's reference rules and error messages. Writes are crash consistent:
// temp file + fsync + rename, and Open recovers from interrupted writes.
//
// The built-in images (Builtins: boxlab/base, ...) are made from the lean
// toolbox binary with no download: a deterministic layer, so the same
// toolbox always gives the same image id.
//
// Containers are not here: runtime/engine tells the store which images are
// in use (UsageChecker) and leases the layers of the image a container was
// created from (Lease, LeasedLayers, Release), so `docker rmi -f` cannot
// pull layers from under a container. Also not here: building images from
// Dockerfiles, and the HTTP routes (runtime/api). Main types: Store and Image.
package image
