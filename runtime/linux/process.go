package linux

import (
	"io"
	"os"
)

// Process is a container's init (from Start) or a process started in a
// running container (from Exec). The stream fields are the engine's ends;
// Release closes them, so drain the output before calling it.
type Process struct {
	Pid     int            // host pid (the exec'd program itself for Exec)
	Console *os.File       // pty master when Tty
	Stdin   io.WriteCloser // when Stdin && !Tty
	Stdout  io.ReadCloser  // when !Tty
	Stderr  io.ReadCloser  // when !Tty

	sys *sysProcess
}
