package dockercli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// fdOf returns the file descriptor behind v when v is a terminal.
func fdOf(v any) (int, bool) {
	f, ok := v.(interface{ Fd() uintptr })
	if !ok {
		return -1, false
	}
	fd := int(f.Fd())
	return fd, term.IsTerminal(fd)
}

// inStream is the CLI's standard input, with the terminal handling the
// docker CLI does on it (raw mode for -t, the TTY check).
type inStream struct {
	r      io.Reader
	fd     int
	isTerm bool
	state  *term.State
}

func newInStream(r io.Reader) *inStream {
	if r == nil {
		r = eofReader{}
	}
	fd, isTerm := fdOf(r)
	return &inStream{r: r, fd: fd, isTerm: isTerm}
}

func (i *inStream) Read(p []byte) (int, error) { return i.r.Read(p) }

// Close closes the underlying reader when it can be closed, which unblocks
// a goroutine copying stdin to a hijacked connection.
func (i *inStream) Close() error {
	if c, ok := i.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// checkTTY refuses to attach a non-terminal stdin to a container TTY, as
// `docker run -it` does when stdin is a pipe.
func (i *inStream) checkTTY(attachStdin, tty bool) error {
	if tty && attachStdin && !i.isTerm {
		return errInputNotTTY
	}
	return nil
}

func (i *inStream) setRaw() error {
	if !i.isTerm || os.Getenv("NORAW") != "" {
		return nil
	}
	st, err := term.MakeRaw(i.fd)
	if err != nil {
		return err
	}
	i.state = st
	return nil
}

func (i *inStream) restore() {
	if i.state != nil {
		_ = term.Restore(i.fd, i.state)
		i.state = nil
	}
}

// outStream is stdout or stderr; it knows whether it is a terminal and its
// size (for -t and for console size on create).
type outStream struct {
	w      io.Writer
	fd     int
	isTerm bool
}

func newOutStream(w io.Writer) *outStream {
	if w == nil {
		w = io.Discard
	}
	fd, isTerm := fdOf(w)
	return &outStream{w: w, fd: fd, isTerm: isTerm}
}

func (o *outStream) Write(p []byte) (int, error) { return o.w.Write(p) }

// ttySize returns height and width, or zeros when not a terminal.
func (o *outStream) ttySize() (height, width uint) {
	if !o.isTerm {
		return 0, 0
	}
	w, h, err := term.GetSize(o.fd)
	if err != nil {
		return 0, 0
	}
	return uint(h), uint(w)
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
