// Package engine is boxlab's container engine: it creates, starts, stops
// and removes containers, keeps their state (persisted atomically under the
// engine root, recovered on start), their logs (Docker's json-file format),
// attach streams, exec sessions and the event stream.
//
// It speaks in github.com/moby/moby/api types so runtime/api can serve them
// as they are. Processes and namespaces come from runtime/linux, images from
// runtime/image. Not here: HTTP (runtime/api) and the CLI (sandbox/dockercli).
//
// Main types: Engine (New, with functional options), Container, and the
// state machine in state.go.
package engine
