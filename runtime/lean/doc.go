// Package lean holds the embedded boxlab-toolbox binary: a static, cgo-free
// program built from ./cmd/boxlab-toolbox.
//
// boxlab itself links the terminal UI (glamour costs ≈35 ms at every process
// start), so the hot paths — the in-container init, the exec helper and the
// programs inside built-in images — run this lean binary instead. It is
// generated (go generate ./runtime/lean), committed, and a test proves that
// the committed bytes are what the current source builds.
//
// Main entry points: Toolbox returns the bytes, Install writes them once to a
// content-addressed path that the engine executes.
package lean

//go:generate go run ./gen
