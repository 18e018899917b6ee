package engine

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/events"
)

// AttachOptions are POST /containers/{id}/attach's query parameters.
type AttachOptions struct {
	Stdin, Stdout, Stderr bool
	Logs, Stream          bool
	DetachKeys            string // "ctrl-p,ctrl-q" by default
}

// ErrDetached ends an attach whose client typed the detach keys.
var ErrDetached = errdefs.ErrUnknown.WithMessage("read escape sequence")

// Attach connects a client to a container's stdio. in is the client's
// input (nil without stdin); out gets ("stdout"|"stderr", bytes). It
// returns when the container's output ends, the client goes away, or the
// client types the detach keys.
func (e *Engine) Attach(ctx context.Context, ref string, opts AttachOptions, in io.Reader, out func(stream string, p []byte) error) error {
	c, err := e.lookup(ref)
	if err != nil {
		return err
	}
	keys, err := parseDetachKeys(opts.DetachKeys)
	if err != nil {
		return err
	}
	if opts.Logs {
		err := e.Logs(ctx, ref, LogsOptions{Stdout: opts.Stdout, Stderr: opts.Stderr}, out)
		if err != nil {
			return err
		}
	}
	if !opts.Stream {
		return nil
	}
	filter := func(stream string, p []byte) error {
		if stream == "stdout" && !opts.Stdout || stream == "stderr" && !opts.Stderr {
			return nil
		}
		return out(stream, p)
	}
	sub := &subscriber{write: filter, done: make(chan struct{})}
	c.mu.Lock()
	st := c.streams
	started := c.started
	switch {
	case st != nil:
		st.add(sub)
	case c.rec.State.Status == StateRemoving || c.rec.State.Status == StateDead:
		c.mu.Unlock()
		return nil
	default:
		// Not running yet: the next start wires this client in.
		c.waiting[sub] = struct{}{}
	}
	e.emit(c, events.ActionAttach, nil)
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.waiting, sub)
		c.mu.Unlock()
		if st != nil {
			st.remove(sub)
		}
	}()
	done := (<-chan struct{})(sub.done)

	if st == nil {
		select {
		case <-started:
			c.mu.Lock()
			st = c.streams
			c.mu.Unlock()
		case <-done:
			return nil
		case <-ctx.Done():
			return nil
		}
	}
	inputDone := make(chan error, 1)
	if opts.Stdin && in != nil && st != nil {
		go func() { inputDone <- copyInput(st, in, keys, c.rec.Config.StdinOnce) }()
	}
	select {
	case <-done:
		return nil
	case err := <-inputDone:
		if err == ErrDetached {
			c.mu.Lock()
			e.emit(c, events.ActionDetach, nil)
			c.mu.Unlock()
			return err
		}
		// Input ended: keep streaming output until the container is done.
		select {
		case <-done:
		case <-ctx.Done():
		}
		return nil
	case <-ctx.Done():
		return nil
	}
}

// copyInput forwards client input to the container until EOF or the detach
// keys. When stdinOnce, EOF closes the container's stdin (docker run -i).
func copyInput(st *streams, in io.Reader, keys []byte, stdinOnce bool) error {
	buf := make([]byte, 32*1024)
	var held []byte // a possible start of the detach sequence
	for {
		n, err := in.Read(buf)
		if n > 0 {
			data := append(held, buf[:n]...)
			held = nil
			if len(keys) > 0 {
				if i := bytes.Index(data, keys); i >= 0 {
					if i > 0 {
						st.writeStdin(data[:i])
					}
					return ErrDetached
				}
				// Hold back a suffix that could begin the sequence.
				for k := min(len(keys)-1, len(data)); k > 0; k-- {
					if bytes.HasPrefix(keys, data[len(data)-k:]) {
						held = append([]byte(nil), data[len(data)-k:]...)
						data = data[:len(data)-k]
						break
					}
				}
			}
			if len(data) > 0 {
				if werr := st.writeStdin(data); werr != nil {
					return nil
				}
			}
		}
		if err != nil {
			if len(held) > 0 {
				st.writeStdin(held)
			}
			if stdinOnce {
				st.closeStdin()
			}
			return nil
		}
	}
}

// parseDetachKeys parses Docker's detach-key syntax: comma-separated
// single characters or ctrl-<char> (ctrl-a … ctrl-z, ctrl-@, ctrl-[, ctrl-\,
// ctrl-], ctrl-^, ctrl-_).
func parseDetachKeys(s string) ([]byte, error) {
	if s == "" {
		return []byte{16, 17}, nil // ctrl-p, ctrl-q
	}
	var out []byte
	for _, key := range strings.Split(s, ",") {
		if len(key) > 1 && strings.HasPrefix(key, "ctrl-") {
			k := strings.TrimPrefix(key, "ctrl-")
			if len(k) != 1 {
				return nil, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("Unknown character: '%s'", key))
			}
			ch := k[0]
			switch {
			case ch >= 'a' && ch <= 'z':
				out = append(out, ch-'a'+1)
			case ch == '@':
				out = append(out, 0)
			case ch >= '[' && ch <= '_':
				out = append(out, ch-'['+27)
			default:
				return nil, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("Unknown character: '%s'", key))
			}
			continue
		}
		if len(key) != 1 {
			return nil, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("Unknown character: '%s'", key))
		}
		out = append(out, key[0])
	}
	return out, nil
}
