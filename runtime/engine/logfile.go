package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/containerd/errdefs"
)

// maxLogLine is where Docker's json-file driver splits a line with no
// newline into partial entries.
const maxLogLine = 16 * 1024

// logEntry is one line of Docker's json-file log format.
type logEntry struct {
	Log    string    `json:"log"`
	Stream string    `json:"stream"`
	Time   time.Time `json:"time"`
}

// logWriter appends json-file entries for one container and wakes followers.
type logWriter struct {
	mu      sync.Mutex
	f       *os.File
	partial map[string][]byte
	changed chan struct{}
}

func openLogWriter(path string) (*logWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, err
	}
	return &logWriter{f: f, partial: map[string][]byte{}, changed: make(chan struct{})}, nil
}

// write splits p into lines; complete lines become entries at once, the
// rest waits for its newline (or for maxLogLine, or flush).
func (w *logWriter) write(stream string, p []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	buf := append(w.partial[stream], p...)
	var out bytes.Buffer
	now := time.Now().UTC()
	for {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			break
		}
		w.encode(&out, stream, buf[:i+1], now)
		buf = buf[i+1:]
	}
	for len(buf) >= maxLogLine {
		w.encode(&out, stream, buf[:maxLogLine], now)
		buf = buf[maxLogLine:]
	}
	w.partial[stream] = append([]byte(nil), buf...)
	w.append(out.Bytes())
}

// flush writes pending partial lines; called when the output ends.
func (w *logWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out bytes.Buffer
	now := time.Now().UTC()
	for _, stream := range []string{"stdout", "stderr"} {
		if len(w.partial[stream]) > 0 {
			w.encode(&out, stream, w.partial[stream], now)
			w.partial[stream] = nil
		}
	}
	w.append(out.Bytes())
}

func (w *logWriter) encode(out *bytes.Buffer, stream string, line []byte, t time.Time) {
	b, _ := json.Marshal(logEntry{Log: string(line), Stream: stream, Time: t})
	out.Write(b)
	out.WriteByte('\n')
}

func (w *logWriter) append(b []byte) {
	if len(b) == 0 {
		return
	}
	w.f.Write(b) // a full disk loses log lines, never the container
	close(w.changed)
	w.changed = make(chan struct{})
}

// waitChange returns a channel closed at the next append.
func (w *logWriter) waitChange() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.changed
}

func (w *logWriter) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.f.Close()
}

// LogsOptions are the query parameters of GET /containers/{id}/logs.
type LogsOptions struct {
	Stdout, Stderr bool
	Follow         bool
	Timestamps     bool
	Details        bool
	Since, Until   time.Time
	Tail           string // "all" or a number
}

// LogSink receives log lines for one stream ("stdout" or "stderr").
type LogSink func(stream string, p []byte) error

// Logs writes the container's logs to sink, following new output while the
// container runs when opts.Follow.
func (e *Engine) Logs(ctx context.Context, ref string, opts LogsOptions, sink LogSink) error {
	c, err := e.lookup(ref)
	if err != nil {
		return err
	}
	if !opts.Stdout && !opts.Stderr {
		return errdefs.ErrInvalidArgument.WithMessage("Bad parameters: you must choose at least one stream")
	}
	tail := -1
	if opts.Tail != "" && opts.Tail != "all" {
		n, err := strconv.Atoi(opts.Tail)
		if err == nil && n >= 0 {
			tail = n
		}
	}
	f, err := os.Open(c.logPath())
	if os.IsNotExist(err) {
		if !opts.Follow {
			return nil
		}
	} else if err != nil {
		return err
	} else {
		defer f.Close()
	}

	emit := func(ent logEntry) error {
		if ent.Stream == "stdout" && !opts.Stdout || ent.Stream == "stderr" && !opts.Stderr {
			return nil
		}
		if !opts.Since.IsZero() && ent.Time.Before(opts.Since) {
			return nil
		}
		if !opts.Until.IsZero() && ent.Time.After(opts.Until) {
			return nil
		}
		line := ent.Log
		if opts.Timestamps {
			line = ent.Time.Format("2006-01-02T15:04:05.000000000Z07:00") + " " + line
		}
		return sink(ent.Stream, []byte(line))
	}

	var r *logReader
	if f != nil {
		r = &logReader{f: f}
		entries, err := r.next()
		if err != nil {
			return err
		}
		if tail >= 0 && len(entries) > tail {
			entries = entries[len(entries)-tail:]
		}
		for _, ent := range entries {
			if err := emit(ent); err != nil {
				return err
			}
		}
	}
	if !opts.Follow {
		return nil
	}
	for {
		c.mu.Lock()
		st := c.streams
		exited := c.exited
		running := c.running() || c.rec.State.Status == StateRestarting
		c.mu.Unlock()
		if st == nil || !running {
			if r != nil {
				entries, _ := r.next()
				for _, ent := range entries {
					if err := emit(ent); err != nil {
						return err
					}
				}
			}
			return nil
		}
		changed := st.log.waitChange()
		if r == nil {
			if f, err = os.Open(c.logPath()); err == nil {
				defer f.Close()
				r = &logReader{f: f}
			}
		}
		if r != nil {
			entries, err := r.next()
			if err != nil {
				return err
			}
			for _, ent := range entries {
				if err := emit(ent); err != nil {
					return err
				}
			}
		}
		select {
		case <-changed:
		case <-exited:
		case <-ctx.Done():
			return nil
		}
	}
}

// logReader reads json-file entries as they are appended; a torn last
// line (being written) is kept until its newline arrives.
type logReader struct {
	f       *os.File
	pending []byte
}

// next returns the complete entries available now.
func (lr *logReader) next() ([]logEntry, error) {
	buf := make([]byte, 64*1024)
	for {
		n, err := lr.f.Read(buf)
		lr.pending = append(lr.pending, buf[:n]...)
		if err == io.EOF || n == 0 {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	var out []logEntry
	for {
		i := bytes.IndexByte(lr.pending, '\n')
		if i < 0 {
			break
		}
		var ent logEntry
		if err := json.Unmarshal(lr.pending[:i], &ent); err != nil {
			return out, fmt.Errorf("corrupt log line: %w", err)
		}
		out = append(out, ent)
		lr.pending = lr.pending[i+1:]
	}
	return out, nil
}

// parseTimeArg parses Docker's since/until values: unix seconds with an
// optional fraction ("1700000000.123456789"), as the CLI sends them.
func parseTimeArg(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	sec, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("invalid time value %q", s))
	}
	var nsec int64
	if frac != "" {
		frac = (frac + "000000000")[:9]
		nsec, err = strconv.ParseInt(frac, 10, 64)
		if err != nil {
			return time.Time{}, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("invalid time value %q", s))
		}
	}
	return time.Unix(n, nsec), nil
}

// ParseTimeArg is parseTimeArg for the API layer.
func ParseTimeArg(s string) (time.Time, error) { return parseTimeArg(s) }
