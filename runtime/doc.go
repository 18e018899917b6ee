// Package runtime is the root of boxlab's embedded container engine.
//
// The engine serves a subset of the Docker Engine API on a unix socket and
// runs real Linux containers. Its parts live in sub-packages:
//
//   - engine:  containers, their state machine, logs, exec, events
//   - api:     the HTTP router that maps Docker Engine API calls onto engine
//   - image:   the content-addressed image store and the built-in images
//   - linux:   namespaces, rootfs, pivot_root, the in-container init
//   - toolbox: the multi-call program inside built-in images
//   - lean:    the embedded, generated static toolbox binary
//
// Nothing here renders a UI; see lessons/ and sandbox/ for that.
package runtime
