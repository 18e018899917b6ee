package linux

import (
	"fmt"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// openPty opens a new pty through ptmx, the multiplexer of the container's
// own devpts instance, so that the program sees /dev/pts/N of its own
// /dev (as with runc) rather than a host pty it cannot name. It returns
// both ends, close-on-exec, and the slave's path relative to the devpts.
func openPty(ptmx string) (master, slave int, name string, err error) {
	master, err = unix.Open(ptmx, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, -1, "", fmt.Errorf("open %s: %w", ptmx, err)
	}
	fail := func(what string, err error) (int, int, string, error) {
		unix.Close(master)
		return -1, -1, "", fmt.Errorf("%s: %w", what, err)
	}
	if err := unix.IoctlSetPointerInt(master, unix.TIOCSPTLCK, 0); err != nil {
		return fail("unlockpt", err)
	}
	n, err := unix.IoctlGetUint32(master, unix.TIOCGPTN)
	if err != nil {
		return fail("ptsname", err)
	}
	name = strconv.FormatUint(uint64(n), 10)
	// TIOCGPTPEER opens the slave from the master itself, immune to
	// whatever is mounted at the path.
	r, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(master), unix.TIOCGPTPEER, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC)
	if e != 0 {
		s, err := unix.Open(filepath.Join(filepath.Dir(ptmx), name), unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fail("open the pty slave", err)
		}
		r = uintptr(s)
	}
	return master, int(r), name, nil
}

// setWinsize sets a pty's [height, width]; zero leaves it alone.
func setWinsize(fd int, size [2]uint16) error {
	if size == [2]uint16{} {
		return nil
	}
	return unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Row: size[0], Col: size[1]})
}

// becomeTerminal makes slave the calling process's stdin, stdout, stderr
// and controlling terminal (the process is a session leader already).
func becomeTerminal(slave int) error {
	for fd := 0; fd <= 2; fd++ {
		if err := unix.Dup3(slave, fd, 0); err != nil {
			return err
		}
	}
	if err := unix.IoctlSetInt(0, unix.TIOCSCTTY, 0); err != nil {
		return fmt.Errorf("set the controlling terminal: %w", err)
	}
	return nil
}
