package toolbox

import (
	"os"
	"os/signal"
	"syscall"
)

// catchTerminatingSignals applies the kernel's rule for a namespace's init to the Go
// runtime: the kernel never delivers a signal to PID 1 whose action is the
// default one (only SIGKILL and SIGSTOP from an ancestor namespace get
// through), so `docker stop` on a container whose PID 1 ignores SIGTERM
// waits and then kills it. Go installs handlers for every signal and exits
// with status 2 on the terminating ones, which would make every applet
// stoppable by SIGTERM and killed by SIGPIPE when it is PID 1.
//
// The signals are caught into a channel nobody reads rather than set to
// SIG_IGN: caught signals are reset to the default in children and across
// execve (exec "$@"), ignored ones would be inherited. A caught SIGPIPE also
// makes writes to a closed pipe fail with EPIPE, as for a C init.
func catchTerminatingSignals() {
	signal.Notify(make(chan os.Signal, 1), pid1Dropped()...)
}

// pid1Dropped lists the signals whose default action terminates the process.
func pid1Dropped() []os.Signal {
	sigs := []os.Signal{
		syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGILL,
		syscall.SIGTRAP, syscall.SIGABRT, syscall.SIGBUS, syscall.SIGFPE,
		syscall.SIGUSR1, syscall.SIGSEGV, syscall.SIGUSR2, syscall.SIGPIPE,
		syscall.SIGALRM, syscall.SIGTERM, syscall.SIGSTKFLT, syscall.SIGXCPU,
		syscall.SIGXFSZ, syscall.SIGVTALRM, syscall.SIGPROF, syscall.SIGIO,
		syscall.SIGPWR, syscall.SIGSYS,
	}
	for s := 34; s <= 64; s++ { // SIGRTMIN..SIGRTMAX
		sigs = append(sigs, syscall.Signal(s))
	}
	return sigs
}
