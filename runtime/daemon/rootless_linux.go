package daemon

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"

	"github.com/boxlab/boxlab/runtime/linux"
)

// UserNamespaceCommand is the hidden boxlab subcommand that runs the engine
// inside its user namespace: RunInUserNamespace starts the running program
// as `boxlab engine-userns ARGS...`, which internal/cli dispatches to
// EnterUserNamespace and then to the engine with ARGS.
const UserNamespaceCommand = "engine-userns"

// NeedsUserNamespace reports whether the engine must be started through
// RunInUserNamespace: the caller is an ordinary user (root inside a user
// namespace counts as root).
func NeedsUserNamespace() bool { return os.Geteuid() != 0 }

// checkPrivileges refuses to run the engine in-process as an ordinary
// user: a multithreaded Go process cannot enter a user namespace.
func checkPrivileges() error {
	if NeedsUserNamespace() {
		return ErrNeedsUserNamespace
	}
	return nil
}

// RunInUserNamespace runs the engine rootless: it starts this program
// again as UserNamespaceCommand with args in new user, mount and network
// namespaces (the caller's uid and gid are root inside, see
// linux.NewUserNamespace), forwards SIGINT, SIGTERM and SIGHUP to it, and
// returns its exit status. Everything the engine mounts or configures lives
// and dies in those namespaces; its socket and state directory are the
// host paths it is given, so the user reaches it as usual.
func RunInUserNamespace(args []string, stdout, stderr io.Writer) int {
	ns := linux.NewUserNamespace()
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "boxlab engine: %v\n", err)
		return 1
	}
	cmd := &exec.Cmd{
		Path:   self,
		Args:   append([]string{os.Args[0], UserNamespaceCommand}, args...),
		Stdout: stdout,
		Stderr: stderr,
		// A process group of its own: a terminal's ^C reaches the
		// engine once, forwarded from here.
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true},
	}
	// Signals that arrive while the engine starts are forwarded once it
	// runs.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	if err := ns.Start(cmd); err != nil {
		fmt.Fprintf(stderr, "boxlab engine: %v\n", err)
		return 1
	}
	if ns.Fallback != nil {
		fmt.Fprintf(stderr, "boxlab engine: %v\n", ns.Fallback)
	}
	if len(ns.UIDs) == 1 {
		fmt.Fprintln(stderr, "boxlab engine: rootless with only your own uid and gid mapped (to root): containers cannot run as other users. Install newuidmap and newgidmap (package uidmap) and give your user ranges in /etc/subuid and /etc/subgid for more.")
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	cmd.Wait()
	close(done)
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

// logRootless says, for a rootless engine, which ids containers can use.
func logRootless(log *slog.Logger) {
	if !linux.Rootless() {
		return
	}
	maps := func(file string) string {
		b, _ := os.ReadFile(file)
		return strings.Join(strings.Fields(string(b)), " ")
	}
	log.Info("rootless: in user, mount and network namespaces of its own", "uid_map", maps("/proc/self/uid_map"), "gid_map", maps("/proc/self/gid_map"))
}

// EnterUserNamespace finishes the setup inside the namespaces made by
// RunInUserNamespace; the caller then runs the engine. In the first start
// of the process it does not return: it executes the program again once
// the ids are mapped (see linux.EnterUserNamespace).
func EnterUserNamespace() error { return linux.EnterUserNamespace() }
