package engine

import (
	"fmt"
	"os"
	"syscall"
)

// pidNamespace returns the inode of pid's pid namespace (0 if unknown).
func pidNamespace(pid int) uint64 {
	st, err := os.Stat(fmt.Sprintf("/proc/%d/ns/pid", pid))
	if err != nil {
		return 0
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return sys.Ino
	}
	return 0
}

// killLeftover kills a container process that outlived a crashed engine,
// but only if pid still lives in the namespace recorded at start: a reused
// pid belongs to someone else.
func killLeftover(pid int, ns uint64) {
	if pid <= 0 || ns == 0 || pidNamespace(pid) != ns {
		return
	}
	syscall.Kill(pid, syscall.SIGKILL)
}
