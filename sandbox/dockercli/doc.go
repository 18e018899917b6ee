// Package dockercli is boxlab's own docker-compatible command line client.
//
// It is what a learner runs as `docker` inside a sandbox (and as
// `boxlab docker`). It speaks only the Docker Engine API, through
// github.com/moby/moby/client, so it drives boxlab's embedded engine and a
// real dockerd alike. Its contract is parity with the real docker CLI v28:
// the same command tree and flags, the same table layouts and --format
// templates, the same error texts and the same exit codes (125 for CLI and
// daemon errors around `run`, 126/127 for start failures, the container's
// own exit status for attached runs).
//
// It is not an engine, and it does not link the UI (glamour, survey): the
// learner's `docker` must start fast.
//
// Main is the single entry point. Everything else is internal: a cobra
// command tree built per call (newRootCommand), the CLI state holding the
// streams and the lazily created API client (dockerCLI), the run/create
// option parser that turns flags into container.Config, HostConfig and
// NetworkingConfig exactly as the docker CLI does (containerOptions), the
// formatter that renders tables and Go templates (formatContext), and the
// hijacked-stream plumbing for attach, run and exec (hijackedStreamer).
package dockercli
