// Package toolbox is the multi-call program inside boxlab's built-in images,
// like busybox: a POSIX shell on mvdan.cc/sh and the core utilities (ls,
// cat, grep, sed, ps, find, ...), each an applet chosen by the name it was
// invoked as. Applets behave like their busybox 1.35 counterparts: same
// output formats, exit statuses and "name: message" errors.
//
// It is linked into the lean, static boxlab-toolbox binary, so it stays free
// of heavy dependencies (no Docker client, no UI) and does no work at
// package init beyond registering applets. It is not the in-container init
// or exec helper (runtime/linux), and not the image builder (runtime/image),
// which lays out /bin/boxlab-toolbox with a link per name in Names.
//
// Main types: Applet, registered by each applet file's init with Register;
// Context, what an applet runs with; Main, the entry point, which also
// applies the kernel's PID 1 signal rule when an applet is a container's
// first process.
//
// The shell (sh, ash) extends mvdan.cc/sh the way it is meant to be: a call
// handler and exec-handler middleware run external commands as real child
// processes found through PATH, make `exec` a real execve (keeping the pid),
// start simple background commands as real processes ($! is a pid), add
// trap for real signals, and route ash's builtin applets (echo, printf,
// test, kill, umask) to the toolbox's own implementations.
package toolbox
