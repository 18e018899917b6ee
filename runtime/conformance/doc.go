// Package conformance proves boxlab's engine behaves like Docker: each
// scenario runs the same real docker CLI commands against boxlab's engine
// and against a real dockerd, then compares exit codes and normalized
// output. It has only tests.
//
// The reference engine comes from BOXLAB_REF_DOCKER_HOST (set by .ci/run);
// without one, or without root, the tests skip and say why.
package conformance
