package dockercli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
)

// demuxStream splits a multiplexed (non-TTY) attach or logs stream into
// stdout and stderr.
func demuxStream(stdout, stderr io.Writer, src io.Reader) (int64, error) {
	return stdcopy.StdCopy(stdout, stderr, src)
}

// defaultDetachKeys is ctrl-p,ctrl-q.
var defaultDetachKeys = []byte{16, 17}

// hijackedStreamer copies the CLI's streams to and from a hijacked
// attach/exec connection: stdin in, output out (demultiplexed unless the
// container has a TTY), with raw terminal mode and the detach key
// sequence handled on the client in TTY mode, as the docker CLI does.
type hijackedStreamer struct {
	c          *dockerCLI
	in         io.Reader
	out, err   io.Writer
	resp       client.HijackedResponse
	tty        bool
	detachKeys string
}

// stream runs until output ends, the user detaches or ctx is cancelled.
func (h *hijackedStreamer) stream(ctx context.Context) error {
	restore, err := h.setupInput()
	if err != nil {
		return fmt.Errorf("unable to setup input stream: %s", err)
	}
	defer restore()

	outputDone := h.beginOutput(restore)
	inputDone, detached := h.beginInput(restore)

	select {
	case err := <-outputDone:
		return err
	case <-inputDone:
		if h.out != nil || h.err != nil {
			select {
			case err := <-outputDone:
				return err
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	case err := <-detached:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *hijackedStreamer) setupInput() (func(), error) {
	if h.in == nil || !h.tty {
		return func() {}, nil
	}
	if err := h.c.in.setRaw(); err != nil {
		return nil, fmt.Errorf("unable to set IO streams as raw terminal: %s", err)
	}
	restore := sync.OnceFunc(func() {
		h.c.in.restore()
		// Closing stdin unblocks the goroutine copying it; the CLI exits
		// right after, as the docker CLI does.
		_ = h.c.in.Close()
	})
	keys := defaultDetachKeys
	if h.detachKeys != "" {
		custom, err := detachKeyBytes(h.detachKeys)
		if err != nil {
			fmt.Fprintf(h.c.err, "WARNING: invalid detach escape keys, using default: %s\n", err)
		} else {
			keys = custom
		}
	}
	h.in = &escapeProxy{r: h.in, keys: keys}
	return restore, nil
}

func (h *hijackedStreamer) beginOutput(restore func()) <-chan error {
	if h.out == nil && h.err == nil {
		return nil
	}
	done := make(chan error, 1)
	go func() {
		var err error
		if h.out != nil && h.tty {
			_, err = io.Copy(h.out, h.resp.Reader)
			restore()
		} else {
			_, err = demuxStream(orDiscard(h.out), orDiscard(h.err), h.resp.Reader)
		}
		done <- err
	}()
	return done
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

func (h *hijackedStreamer) beginInput(restore func()) (<-chan struct{}, <-chan error) {
	inputDone := make(chan struct{})
	detached := make(chan error, 1)
	go func() {
		if h.in != nil {
			_, err := io.Copy(h.resp.Conn, h.in)
			restore()
			if errors.Is(err, errDetached) {
				detached <- err
				return
			}
		}
		_ = h.resp.CloseWrite()
		close(inputDone)
	}()
	return inputDone, detached
}

// escapeProxy passes input through until the detach key sequence is
// typed; it then returns errDetached. Bytes that start the sequence but do
// not complete it are delivered unchanged.
type escapeProxy struct {
	r        io.Reader
	keys     []byte
	matched  int
	pending  []byte
	err      error
	detached bool
}

func (p *escapeProxy) Read(buf []byte) (int, error) {
	if len(p.pending) > 0 {
		n := copy(buf, p.pending)
		p.pending = p.pending[n:]
		return n, nil
	}
	if p.detached {
		return 0, errDetached
	}
	if p.err != nil {
		return 0, p.err
	}
	tmp := make([]byte, len(buf))
	n, err := p.r.Read(tmp)
	var out []byte
	for _, b := range tmp[:n] {
		if b == p.keys[p.matched] {
			p.matched++
			if p.matched == len(p.keys) {
				p.detached = true
				p.matched = 0
				break
			}
			continue
		}
		if p.matched > 0 {
			out = append(out, p.keys[:p.matched]...)
			p.matched = 0
			if b == p.keys[0] {
				p.matched = 1
				continue
			}
		}
		out = append(out, b)
	}
	if err != nil && p.matched > 0 {
		out = append(out, p.keys[:p.matched]...)
		p.matched = 0
	}
	c := copy(buf, out)
	p.pending = append(p.pending, out[c:]...)
	switch {
	case len(p.pending) > 0:
		p.err = err
		return c, nil
	case p.detached:
		return c, errDetached
	}
	return c, err
}

// detachKeyBytes parses a --detach-keys value such as "ctrl-p,ctrl-q".
func detachKeyBytes(keys string) ([]byte, error) {
	var codes []byte
	for _, key := range strings.Split(keys, ",") {
		if len(key) == 1 {
			codes = append(codes, key[0])
			continue
		}
		if key == "DEL" {
			codes = append(codes, 127)
			continue
		}
		code, ok := ctrlKeyCode(key)
		if !ok {
			return nil, fmt.Errorf("Unknown character: '%s'", key)
		}
		codes = append(codes, code)
	}
	return codes, nil
}

// ctrlKeyCode maps "ctrl-@", "ctrl-a" ... "ctrl-z", "ctrl-[", "ctrl-\",
// "ctrl-]", "ctrl-^", "ctrl-_" to their ASCII control codes.
func ctrlKeyCode(key string) (byte, bool) {
	name, ok := strings.CutPrefix(key, "ctrl-")
	if !ok || len(name) != 1 {
		return 0, false
	}
	ch := name[0]
	switch {
	case ch >= 'a' && ch <= 'z':
		return ch - 'a' + 1, true
	case ch == '@':
		return 0, true
	case ch >= '[' && ch <= '_':
		return ch - '[' + 27, true
	}
	return 0, false
}
