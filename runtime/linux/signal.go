package linux

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
)

// signals are Docker's signal names (without "SIG") and their Linux numbers.
var signals = map[string]syscall.Signal{
	"ABRT": 6, "ALRM": 14, "BUS": 7, "CHLD": 17, "CLD": 17, "CONT": 18, "FPE": 8,
	"HUP": 1, "ILL": 4, "INT": 2, "IO": 29, "IOT": 6, "KILL": 9, "PIPE": 13,
	"POLL": 29, "PROF": 27, "PWR": 30, "QUIT": 3, "SEGV": 11, "STKFLT": 16,
	"STOP": 19, "SYS": 31, "TERM": 15, "TRAP": 5, "TSTP": 20, "TTIN": 21,
	"TTOU": 22, "URG": 23, "USR1": 10, "USR2": 12, "VTALRM": 26, "WINCH": 28,
	"XCPU": 24, "XFSZ": 25,
}

// sigRTMin and sigRTMax bound Linux's real-time signals as Docker names them.
const (
	sigRTMin = 34
	sigRTMax = 64
)

func init() {
	signals["RTMIN"] = sigRTMin
	signals["RTMAX"] = sigRTMax
	for i := 1; i <= 15; i++ {
		signals["RTMIN+"+strconv.Itoa(i)] = syscall.Signal(sigRTMin + i)
		signals["RTMAX-"+strconv.Itoa(i)] = syscall.Signal(sigRTMax - i)
	}
}

// canonical names the numbers that have several names.
var canonical = map[syscall.Signal]string{6: "ABRT", 17: "CHLD", 29: "IO"}

// ParseSignal reads a signal as Docker does: "SIGTERM", "TERM", "term",
// "RTMIN+3" or a number. Any non-zero number is accepted here; ValidSignal
// says whether Linux has it.
func ParseSignal(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n == 0 {
			return -1, fmt.Errorf("Invalid signal: %s", s)
		}
		return syscall.Signal(n), nil
	}
	sig, ok := signals[strings.TrimPrefix(strings.ToUpper(s), "SIG")]
	if !ok {
		return -1, fmt.Errorf("Invalid signal: %s", s)
	}
	return sig, nil
}

// ValidSignal reports whether Linux has sig. Docker refuses others with
// "The linux daemon does not support signal N".
func ValidSignal(sig syscall.Signal) bool { return sig >= 1 && sig <= sigRTMax }

// SignalName is sig's name as Docker prints it ("SIGTERM", "SIGRTMIN+3"), or
// its number when it has none.
func SignalName(sig syscall.Signal) string {
	if name, ok := canonical[sig]; ok {
		return "SIG" + name
	}
	switch {
	case sig == sigRTMin:
		return "SIGRTMIN"
	case sig == sigRTMax:
		return "SIGRTMAX"
	case sig > sigRTMin && sig <= sigRTMin+15:
		return "SIGRTMIN+" + strconv.Itoa(int(sig-sigRTMin))
	case sig > sigRTMin+15 && sig < sigRTMax:
		return "SIGRTMAX-" + strconv.Itoa(int(sigRTMax-sig))
	}
	for name, s := range signals {
		if s == sig {
			return "SIG" + name
		}
	}
	return strconv.Itoa(int(sig))
}
