package api

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
)

// Stream ids of Docker's multiplexed stream framing.
const (
	streamStdout = 1
	streamStderr = 2
)

// muxWriter writes Docker's multiplexed frames: an 8-byte header (stream
// id, three zero bytes, big-endian payload length) then the payload. With
// raw set (a tty), bytes go out unframed. Safe for concurrent use.
type muxWriter struct {
	mu  sync.Mutex
	w   io.Writer
	raw bool
}

func (m *muxWriter) write(stream string, p []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.raw {
		_, err := m.w.Write(p)
		return err
	}
	id := byte(streamStdout)
	if stream == "stderr" {
		id = streamStderr
	}
	var hdr [8]byte
	hdr[0] = id
	binary.BigEndian.PutUint32(hdr[4:], uint32(len(p)))
	if _, err := m.w.Write(hdr[:]); err != nil {
		return err
	}
	_, err := m.w.Write(p)
	return err
}

// hijack takes over the connection for an attach or exec stream and writes
// Docker's upgrade response: 101 when the client asked to upgrade, 200
// otherwise. It returns the connection and a reader that includes bytes the
// server had already buffered.
func hijack(w http.ResponseWriter, r *http.Request, tty bool) (net.Conn, *bufio.Reader, error) {
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, nil, fmt.Errorf("hijack connection: %w", err)
	}
	contentType := "application/vnd.docker.raw-stream"
	if !tty {
		contentType = "application/vnd.docker.multiplexed-stream"
	}
	if r.Header.Get("Upgrade") != "" {
		fmt.Fprintf(conn, "HTTP/1.1 101 UPGRADED\r\nContent-Type: %s\r\nConnection: Upgrade\r\nUpgrade: %s\r\n\r\n", contentType, r.Header.Get("Upgrade"))
	} else {
		fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n\r\n", contentType)
	}
	return conn, rw.Reader, nil
}

// closeWrite half-closes the connection so the client sees the end of the
// output while it may still be sending input.
func closeWrite(conn net.Conn) {
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
		return
	}
	conn.Close()
}

// flushWriter flushes after every write, for streamed responses.
type flushWriter struct {
	w  io.Writer
	rc *http.ResponseController
}

func (f flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err == nil {
		err = f.rc.Flush()
	}
	return n, err
}

// serveStream hijacks the connection and runs one attach-like stream:
// run gets the client's input (nil without stdin) and a writer that frames
// output as Docker does (raw for a tty). An error from run is shown to the
// client on stderr, since the HTTP status is already sent.
func serveStream(w http.ResponseWriter, r *http.Request, tty, stdin bool, run func(ctx context.Context, in io.Reader, out func(string, []byte) error) error) error {
	conn, in, err := hijack(w, r, tty)
	if err != nil {
		return err
	}
	defer conn.Close()
	// A hijacked stream outlives r.Context(), which ends when the client
	// half-closes its side (docker run without -i does so at once); the
	// connection itself says when the client is really gone.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	defer cancel()
	out := &muxWriter{w: conn, raw: tty}
	var input io.Reader
	if stdin {
		input = in
	} else {
		go watchClient(in, cancel)
	}
	if err := run(ctx, input, out.write); err != nil {
		out.write("stderr", []byte(err.Error()+"\n"))
	}
	closeWrite(conn)
	return nil
}
