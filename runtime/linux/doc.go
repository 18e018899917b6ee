// Package linux runs one container process on Linux: new mount, pid, uts,
// ipc and network namespaces, an overlayfs root, pivot_root, /proc /dev /sys
// set up like Docker, Docker's default capabilities, no_new_privs and masked
// paths, a pty or pipes for stdio, and exec of extra processes into a
// running container.
//
// The namespace work happens in a re-exec of the lean toolbox binary
// (Init, dispatched as InitCommand), never by setns from the multithreaded
// engine. The engine side is Start and Exec; both return a *Process.
//
// Not here: images (runtime/image), container state and the API
// (runtime/engine, runtime/api), links and addresses (the engine's network
// code configures a container's network namespace from the Start hook).
package linux
