// Package linux runs containers on Linux: new mount, pid, uts, ipc and
// network namespaces, an overlayfs root, pivot_root, /proc /dev /sys set up
// like Docker, Docker's default capabilities and masked paths, cgroups with
// limits and a freezer, a pty or pipes for stdio, exec of extra processes
// into a running container, and a tini-like reaper for docker run --init.
//
// The engine calls Start (a container's first process) and Exec (docker
// exec); both return a *Process to wait for, signal, resize, pause and
// release. StartError carries Docker's wording and exit code when a program
// cannot be started. Pids lists a container's processes (docker top) and
// RemoveStaleCgroups cleans up after an engine that crashed. ParseSignal,
// SignalName, ValidSignal and Capabilities apply Docker's rules to user
// input.
//
// The namespace work never runs in the multithreaded engine: Start re-execs
// the lean toolbox binary as Init (InitCommand), Exec as ExecHelper
// (ExecCommand), and --init mounts it as the container's Reaper
// (ReaperCommand); cmd/boxlab-toolbox dispatches the three. Per-thread
// kernel state (namespaces, credentials, capabilities) is set on one locked
// OS thread that then execs or forks the container's program.
//
// Rootless: an ordinary user's engine runs in user, mount and network
// namespaces of its own, where it is uid 0 (UserNamespace.Start re-executes
// it, EnterUserNamespace completes the setup; the engine's "host" network
// is that namespace, with only lo). Containers are then made the same way,
// without a user namespace of their own, with what the kernel forbids
// there done differently (see Rootless): overlay with userxattr, the host's
// standard devices bound in instead of mknod, no cgroups unless delegated
// (no limits; Pause gives ErrNoFreezer), and only mapped ids as container
// users: 0 alone when the engine maps only its user's own uid (no
// newuidmap, or no /etc/subuid range), 0-65536 with subordinate ids.
//
// Not here: images (runtime/image), container state and the API
// (runtime/engine, runtime/api), links and addresses (the engine's network
// code configures a container's network namespace from the Start hook).
package linux
