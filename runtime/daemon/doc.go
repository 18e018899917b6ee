// Package daemon runs boxlab's engine as a server: it opens the engine on
// its state directory, listens on a unix socket, serves the Docker Engine
// API until asked to stop, and then shuts down cleanly (containers killed,
// socket removed).
//
// It also owns the default locations: DefaultRoot, DefaultSocket and
// DefaultHost. Not here: engine logic (runtime/engine) and HTTP routing
// (runtime/api). Main entry points: Run and Start.
package daemon
