// Package api serves the Docker Engine API over HTTP for boxlab's engine.
//
// It routes /vX.Y/-prefixed and bare paths to handlers, decodes requests
// into github.com/moby/moby/api types, calls runtime/engine and
// runtime/image, and writes Docker's JSON, streams and error bodies. All
// mapping from error classes (github.com/containerd/errdefs) to HTTP status
// codes happens in errors.go.
//
// Not here: container logic (runtime/engine) and image storage
// (runtime/image). Main type: Server, an http.Handler.
package api
