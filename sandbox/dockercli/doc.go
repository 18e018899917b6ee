// Package dockercli is boxlab's own docker-compatible command line client.
//
// It is what a learner runs as `docker` inside a sandbox (and as
// `boxlab docker`). It speaks only the Docker Engine API, through
// github.com/moby/moby/client, so it drives boxlab's embedded engine and a
// real dockerd alike. Its contract is parity with the real docker CLI v28:
// the same command tree, flags and --help texts, the same table layouts
// and --format templates, the same error texts and the same exit codes
// (125 for CLI and daemon errors around `run`, 126/127 for start failures,
// the container's own status for attached runs, 128+signal when
// interrupted). Docker commands it does not implement fail with a message
// saying so.
//
// It is not an engine, and it does not link the lesson UI: the learner's
// `docker` must start fast (a dependency test keeps it that way).
//
// Main is the single entry point. Inside: a cobra command tree built per
// call (newRootCommand), the per-invocation state with the streams and the
// lazily created API client (dockerCLI), the run/create flag parser that
// builds container.Config, HostConfig and NetworkingConfig exactly as the
// docker CLI does (containerOptions), the hijacked-stream plumbing for
// attach, run and exec with raw terminals, detach keys, resizing and
// signal forwarding (hijackedStreamer), the client side of `docker cp`
// (archive.go), and inspect's template view that prints new API types the
// way v28's did (templateView). Table and template rendering for ps and
// images lives in internal/formatter.
//
// Parity is tested three ways: request bodies and API call sequences are
// recorded on a fake engine and compared with the real docker CLI's
// (requests_test.go); output formatting is unit tested; and testscript
// scripts run each command with both CLIs against a reference dockerd
// and compare exit status, stdout and stderr (testdata/script).
package dockercli
