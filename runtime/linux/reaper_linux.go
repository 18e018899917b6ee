package linux

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Reaper is PID 1 of a container started with Spec.Init (docker run
// --init), run as `/sbin/docker-init -- ARGS...` like Docker's tini: it runs
// ARGS as its child in a process group of its own (in the foreground of
// the terminal, if any), forwards every signal it gets to the child, reaps
// every zombie, and exits with the child's status (128+n if signal n killed
// it). It never returns.
func Reaper(args []string) {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintf(os.Stderr, "[FATAL tini (%d)] no program to run: usage: %s -- PROGRAM [ARGS...]\n", os.Getpid(), ReaperPath)
		os.Exit(1)
	}
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs)
	path, err := execvpPath(args[0], os.Getenv("PATH"))
	var pid int
	if err == nil {
		_, ttyErr := unix.IoctlGetTermios(0, unix.TCGETS)
		pid, err = syscall.ForkExec(path, args, &syscall.ProcAttr{
			Env:   os.Environ(),
			Files: []uintptr{0, 1, 2},
			Sys:   &syscall.SysProcAttr{Setpgid: true, Foreground: ttyErr == nil, Ctty: 0},
		})
	}
	if err != nil {
		code := 1
		switch err {
		case syscall.ENOENT:
			code = 127
		case syscall.EACCES:
			code = 126
		}
		msg := err.Error()
		fmt.Fprintf(os.Stderr, "[FATAL tini (%d)] exec %s failed: %s\n", os.Getpid(), args[0], strings.ToUpper(msg[:1])+msg[1:])
		os.Exit(code)
	}
	for sig := range sigs {
		switch sig {
		case syscall.SIGCHLD:
			if code, done := reap(pid); done {
				os.Exit(code)
			}
		case syscall.SIGURG:
			// The Go runtime's own preemption signal.
		default:
			unix.Kill(pid, sig.(syscall.Signal))
		}
	}
}

// reap collects every exited child; done when child is one of them.
func reap(child int) (code int, done bool) {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return code, done
		}
		if pid == child {
			done = true
			code = ws.ExitStatus()
			if ws.Signaled() {
				code = 128 + int(ws.Signal())
			}
		}
	}
}

// execvpPath finds name as execvp(3) does: the first executable candidate
// in PATH; EACCES if only unusable ones exist, ENOENT if none.
func execvpPath(name, pathEnv string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	if pathEnv == "" {
		pathEnv = "/bin:/usr/bin"
	}
	err := syscall.ENOENT
	for _, dir := range strings.Split(pathEnv, ":") {
		if dir == "" {
			dir = "."
		}
		p := dir + "/" + name
		st, serr := os.Stat(p)
		if serr != nil {
			continue
		}
		if st.IsDir() || unix.Access(p, unix.X_OK) != nil {
			err = syscall.EACCES
			continue
		}
		return p, nil
	}
	return "", err
}
