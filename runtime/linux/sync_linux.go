package linux

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// The engine and its helper processes (init, exec helper) talk over a
// SOCK_SEQPACKET socketpair: one message per packet (codec_linux.go), file descriptors
// (the pty master) as SCM_RIGHTS. The helper's end is close-on-exec, so
// end-of-file tells the engine the helper exec'd the container's program
// (or died).
type message struct {
	Type   string
	Msg    string
	Code   int
	Daemon bool
	Pid    int
	Signal int
	Status int // a raw wait status
}

const (
	msgGo     = "go"     // engine → init: the hook is done, go on and exec
	msgPty    = "pty"    // init → engine: the pty master is attached
	msgExec   = "exec"   // init → engine: everything is set, execve is next
	msgError  = "error"  // helper → engine: could not start (Msg, Code, Daemon)
	msgPid    = "pid"    // exec helper → engine: the exec'd program's host pid
	msgSignal = "signal" // engine → exec helper: send Signal to the program
	msgExit   = "exit"   // exec helper → engine: the program ended with Status
)

// The fixed descriptors of a helper process.
const (
	fdSpec = 3 // the request, JSON, read to end-of-file
	fdSync = 4 // the sync socket
)

type syncConn struct {
	f   *os.File
	rc  syscall.RawConn
	buf []byte // one receive buffer per connection: recv is not concurrent
}

func newSyncConn(f *os.File) (*syncConn, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	return &syncConn{f: f, rc: rc}, nil
}

// socketPair returns the engine's end (non-blocking, polled by the Go
// runtime) and the helper's end (blocking, inherited as fdSync).
func socketPair() (*syncConn, *os.File, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("socketpair: %w", err)
	}
	if err := unix.SetNonblock(fds[1], false); err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return nil, nil, err
	}
	c, err := newSyncConn(os.NewFile(uintptr(fds[0]), "sync"))
	if err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return nil, nil, err
	}
	return c, os.NewFile(uintptr(fds[1]), "sync"), nil
}

func (c *syncConn) send(m message, fds ...int) error {
	var e encoder
	e.message(m)
	b := e.b
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	var serr error
	err := c.rc.Write(func(fd uintptr) bool {
		for {
			if serr = unix.Sendmsg(int(fd), b, oob, nil, 0); serr != unix.EINTR {
				return serr != unix.EAGAIN
			}
		}
	})
	if err != nil {
		return err
	}
	return serr
}

// recv returns the next message and the descriptors it carried, or io.EOF
// once the other end is closed.
func (c *syncConn) recv() (message, []int, error) {
	var m message
	if c.buf == nil {
		c.buf = make([]byte, 64<<10)
	}
	buf := c.buf
	oob := make([]byte, unix.CmsgSpace(4*4))
	var n, oobn int
	var rerr error
	err := c.rc.Read(func(fd uintptr) bool {
		for {
			if n, oobn, _, _, rerr = unix.Recvmsg(int(fd), buf, oob, unix.MSG_CMSG_CLOEXEC); rerr != unix.EINTR {
				return rerr != unix.EAGAIN
			}
		}
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		if errors.Is(err, unix.ECONNRESET) {
			return m, nil, io.EOF
		}
		return m, nil, err
	}
	if n == 0 && oobn == 0 {
		return m, nil, io.EOF
	}
	var fds []int
	if oobn > 0 {
		scms, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil {
			return m, nil, err
		}
		for _, scm := range scms {
			got, err := unix.ParseUnixRights(&scm)
			if err == nil {
				fds = append(fds, got...)
			}
		}
	}
	d := decoder{b: buf[:n]}
	m = d.message()
	if err := d.done(); err != nil {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return m, nil, fmt.Errorf("sync message: %w", err)
	}
	return m, fds, nil
}

func (c *syncConn) Close() error { return c.f.Close() }

// helperConn opens the inherited request and sync descriptors of a helper
// process and hands the request to decode.
func helperConn(decode func([]byte) error) (*syncConn, error) {
	unix.CloseOnExec(fdSpec)
	unix.CloseOnExec(fdSync)
	req := os.NewFile(fdSpec, "request")
	b, err := io.ReadAll(req)
	req.Close()
	if err == nil {
		err = decode(b)
	}
	c, cerr := newSyncConn(os.NewFile(fdSync, "sync"))
	if cerr != nil {
		return nil, cerr
	}
	if err != nil {
		return c, fmt.Errorf("read request: %w", err)
	}
	return c, nil
}

// startErr turns a helper's error message into a *StartError.
func startErr(m message) *StartError {
	return &StartError{Msg: m.Msg, ExitCode: m.Code, Daemon: m.Daemon}
}

// errMessage is the message reporting err from a helper.
func errMessage(err error, exec bool) message {
	m := message{Type: msgError, Msg: err.Error()}
	var se *StartError
	if errors.As(err, &se) {
		m.Msg, m.Code, m.Daemon = se.Msg, se.ExitCode, se.Daemon
	}
	switch {
	case m.Code != 0:
	case exec:
		m.Code = execExitCode(m.Msg)
	case m.Daemon:
		m.Code = 128
	default:
		m.Code = startExitCode(m.Msg)
	}
	return m
}
