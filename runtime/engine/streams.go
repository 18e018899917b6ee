package engine

import (
	"io"
	"os"
	"sync"
)

// streams carries one running container's stdio: output goes to the log
// and to every attached client; input comes from attached clients.
type streams struct {
	log *logWriter
	tty bool

	mu    sync.Mutex
	subs  map[*subscriber]struct{}
	stdin io.WriteCloser // nil when the container has no open stdin
	ended bool

	drained chan struct{} // closed when every output source reached EOF
}

// subscriber is one attached client. write gets "stdout"/"stderr" chunks;
// an error detaches it. done is closed when the output ends.
type subscriber struct {
	write func(stream string, p []byte) error
	done  chan struct{}
}

func newStreams(log *logWriter, tty bool, stdin io.WriteCloser) *streams {
	return &streams{log: log, tty: tty, subs: map[*subscriber]struct{}{}, stdin: stdin, drained: make(chan struct{})}
}

// pump copies the container's outputs until EOF, then marks the end.
// Each source is read by its own goroutine so stdout and stderr interleave
// as produced.
func (s *streams) pump(sources map[string]io.Reader) {
	var wg sync.WaitGroup
	for name, r := range sources {
		wg.Add(1)
		go func(name string, r io.Reader) {
			defer wg.Done()
			buf := make([]byte, 32*1024)
			for {
				n, err := r.Read(buf)
				if n > 0 {
					s.publish(name, buf[:n])
				}
				if err != nil {
					return // EOF, or EIO from a pty master once the slave side closed
				}
			}
		}(name, r)
	}
	go func() {
		wg.Wait()
		s.log.flush()
		s.mu.Lock()
		s.ended = true
		for sub := range s.subs {
			close(sub.done)
			delete(s.subs, sub)
		}
		s.mu.Unlock()
		close(s.drained)
	}()
}

func (s *streams) publish(stream string, p []byte) {
	s.log.write(stream, p)
	s.mu.Lock()
	defer s.mu.Unlock()
	for sub := range s.subs {
		if err := sub.write(stream, p); err != nil {
			close(sub.done)
			delete(s.subs, sub)
		}
	}
}

// add attaches a subscriber; when the output already ended it is closed
// at once.
func (s *streams) add(sub *subscriber) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		close(sub.done)
		return
	}
	s.subs[sub] = struct{}{}
}

// remove detaches a subscriber that is still attached.
func (s *streams) remove(sub *subscriber) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.subs[sub]; ok {
		close(sub.done)
		delete(s.subs, sub)
	}
}

// writeStdin forwards client input to the container.
func (s *streams) writeStdin(p []byte) error {
	s.mu.Lock()
	w := s.stdin
	s.mu.Unlock()
	if w == nil {
		return io.ErrClosedPipe
	}
	_, err := w.Write(p)
	return err
}

// closeStdin closes the container's stdin (docker run -i: input ended), but
// never a pty, whose master also carries the output.
func (s *streams) closeStdin() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stdin != nil && !s.tty {
		s.stdin.Close()
		s.stdin = nil
	}
}

// nopCloser keeps a pty master open when used as stdin.
type nopCloser struct{ *os.File }

func (nopCloser) Close() error { return nil }
