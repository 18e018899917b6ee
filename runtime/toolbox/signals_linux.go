package toolbox

import (
	"strconv"
	"strings"
	"syscall"
)

// signalNames are Linux's signal names by number, as busybox lists them.
var signalNames = [...]string{
	1: "HUP", 2: "INT", 3: "QUIT", 4: "ILL", 5: "TRAP", 6: "ABRT", 7: "BUS",
	8: "FPE", 9: "KILL", 10: "USR1", 11: "SEGV", 12: "USR2", 13: "PIPE",
	14: "ALRM", 15: "TERM", 16: "STKFLT", 17: "CHLD", 18: "CONT", 19: "STOP",
	20: "TSTP", 21: "TTIN", 22: "TTOU", 23: "URG", 24: "XCPU", 25: "XFSZ",
	26: "VTALRM", 27: "PROF", 28: "WINCH", 29: "POLL", 30: "PWR", 31: "SYS",
}

// signalAliases are other names busybox accepts.
var signalAliases = map[string]syscall.Signal{"IO": syscall.SIGIO, "IOT": syscall.SIGABRT, "CLD": syscall.SIGCHLD}

const (
	sigRTMin = 34
	sigRTMax = 64
)

// signalName is the name of sig without "SIG", or its number.
func signalName(sig syscall.Signal) string {
	if int(sig) > 0 && int(sig) < len(signalNames) {
		return signalNames[sig]
	}
	switch {
	case sig == sigRTMin:
		return "RTMIN"
	case sig == sigRTMax:
		return "RTMAX"
	}
	return strconv.Itoa(int(sig))
}

// parseSignal reads a signal given as a number or as a name with or
// without "SIG", in any case.
func parseSignal(s string) (syscall.Signal, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		if n >= 0 && n <= sigRTMax {
			return syscall.Signal(n), true
		}
		return 0, false
	}
	name := strings.ToUpper(s)
	name = strings.TrimPrefix(name, "SIG")
	for i, n := range signalNames {
		if n != "" && n == name {
			return syscall.Signal(i), true
		}
	}
	if sig, ok := signalAliases[name]; ok {
		return sig, true
	}
	switch {
	case name == "RTMIN":
		return sigRTMin, true
	case name == "RTMAX":
		return sigRTMax, true
	case strings.HasPrefix(name, "RTMIN+"):
		if n, err := strconv.Atoi(name[6:]); err == nil && sigRTMin+n <= sigRTMax {
			return syscall.Signal(sigRTMin + n), true
		}
	case strings.HasPrefix(name, "RTMAX-"):
		if n, err := strconv.Atoi(name[6:]); err == nil && sigRTMax-n >= sigRTMin {
			return syscall.Signal(sigRTMax - n), true
		}
	}
	return 0, false
}
