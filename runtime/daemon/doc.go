// Package daemon runs boxlab's engine as a server: it opens the engine on
// its state directory, listens on a unix socket, serves the Docker Engine
// API until asked to stop, and then shuts down cleanly (containers killed,
// socket removed).
//
// As an ordinary user the engine runs rootless: RunInUserNamespace starts
// boxlab again (the hidden UserNamespaceCommand, dispatched by
// internal/cli) in new user, mount and network namespaces, forwards
// signals to it and exits with it. Nothing it mounts or configures reaches
// the host; its socket and state directory are ordinary host paths. Start
// and Run refuse to run an engine in-process for an ordinary user
// (ErrNeedsUserNamespace).
//
// It also owns the default locations: DefaultRoot, DefaultSocket and
// DefaultHost. Not here: engine logic (runtime/engine) and HTTP routing
// (runtime/api). Main entry points: Run and Start.
package daemon
