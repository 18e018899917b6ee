//go:build !linux

package linux

import (
	"fmt"
	"os"
	"syscall"
)

type sysProcess struct{}

// Start needs Linux.
func Start(spec *Spec, hook func(pid int) error) (*Process, error) { return nil, ErrNotLinux }

// Exec needs Linux.
func Exec(toolbox string, containerPid int, spec *ExecSpec) (*Process, error) {
	return nil, ErrNotLinux
}

// Pids needs Linux.
func Pids(containerPid int) ([]int, error) { return nil, ErrNotLinux }

// Wait needs Linux.
func (p *Process) Wait() ExitStatus { return ExitStatus{Code: 125} }

// Signal needs Linux.
func (p *Process) Signal(sig syscall.Signal) error { return ErrNotLinux }

// Resize needs Linux.
func (p *Process) Resize(width, height uint16) error { return ErrNotLinux }

// Pause needs Linux.
func (p *Process) Pause() error { return ErrNotLinux }

// Resume needs Linux.
func (p *Process) Resume() error { return ErrNotLinux }

// Release needs Linux.
func (p *Process) Release() error { return nil }

// Init needs Linux.
func Init(args []string) { notLinux(InitCommand) }

// ExecHelper needs Linux.
func ExecHelper(args []string) { notLinux(ExecCommand) }

// Reaper needs Linux.
func Reaper(args []string) { notLinux(ReaperCommand) }

func notLinux(name string) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", name, ErrNotLinux)
	os.Exit(125)
}

// Rootless is false: user namespaces are Linux's.
func Rootless() bool { return false }
