package engine

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
)

func TestParseDetachKeys(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []byte
		ok   bool
	}{
		{"", []byte{16, 17}, true},
		{"ctrl-p,ctrl-q", []byte{16, 17}, true},
		{"ctrl-a", []byte{1}, true},
		{"ctrl-@", []byte{0}, true},
		{"ctrl-[,x", []byte{27, 'x'}, true},
		{"ctrl-_", []byte{31}, true},
		{"a,b", []byte{'a', 'b'}, true},
		{"ctrl-", nil, false},
		{"ctrl-ab", nil, false},
		{"ab", nil, false},
		{"ctrl-1", nil, false},
	} {
		got, err := parseDetachKeys(tc.in)
		if (err == nil) != tc.ok || tc.ok && !bytes.Equal(got, tc.want) {
			t.Errorf("parseDetachKeys(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestCopyInputStopsAtDetachKeys(t *testing.T) {
	for _, tc := range []struct {
		name     string
		chunks   []string
		wantIn   string
		detached bool
	}{
		{"plain input", []string{"abc", "def"}, "abcdef", false},
		{"keys in one chunk", []string{"ab\x10\x11cd"}, "ab", true},
		{"keys split over chunks", []string{"ab\x10", "\x11cd"}, "ab", true},
		{"half sequence is input", []string{"ab\x10", "x"}, "ab\x10x", false},
		{"held byte at EOF is flushed", []string{"ab\x10"}, "ab\x10", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got bytes.Buffer
			st := newStreams(nil, false, nopWriteCloser{&got})
			err := copyInput(st, &chunkReader{chunks: tc.chunks}, []byte{16, 17}, false)
			if (err == ErrDetached) != tc.detached {
				t.Fatalf("detached = %v, want %v", err == ErrDetached, tc.detached)
			}
			if got.String() != tc.wantIn {
				t.Errorf("container got %q, want %q", got.String(), tc.wantIn)
			}
		})
	}
}

type chunkReader struct{ chunks []string }

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.chunks) == 0 {
		return 0, os.ErrClosed
	}
	n := copy(p, r.chunks[0])
	r.chunks = r.chunks[1:]
	return n, nil
}

type nopWriteCloser struct{ *bytes.Buffer }

func (nopWriteCloser) Close() error { return nil }

func TestStatusString(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		st   stateRecord
		want string
	}{
		{stateRecord{Status: StateCreated}, "Created"},
		{stateRecord{Status: StateRunning, StartedAt: now.Add(-3 * time.Second)}, "Up 3 seconds"},
		{stateRecord{Status: StatePaused, StartedAt: now.Add(-2 * time.Minute)}, "Up 2 minutes (Paused)"},
		{stateRecord{Status: StateExited, ExitCode: 137, FinishedAt: now.Add(-90 * time.Second)}, "Exited (137) About a minute ago"},
		{stateRecord{Status: StateRestarting, ExitCode: 1, FinishedAt: now.Add(-time.Second)}, "Restarting (1) 1 second ago"},
		{stateRecord{Status: StateDead}, "Dead"},
		{stateRecord{Status: StateRemoving}, "Removal In Progress"},
	} {
		if got := statusString(&record{State: tc.st}, now); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.st.Status, got, tc.want)
		}
	}
}

func TestParsePS(t *testing.T) {
	out := []byte(`UID          PID    PPID  C STIME TTY          TIME CMD
root           1       0  0 10:00 ?        00:00:01 /sbin/init
root         100       1  0 10:01 ?        00:00:00 sleep 100
root         101     100  0 10:01 pts/0    00:00:00 sh -c echo a b
`)
	got, err := parsePS(out, []int{100, 101})
	if err != nil {
		t.Fatal(err)
	}
	want := container.TopResponse{
		Titles: []string{"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"},
		Processes: [][]string{
			{"root", "100", "1", "0", "10:01", "?", "00:00:00", "sleep 100"},
			{"root", "101", "100", "0", "10:01", "pts/0", "00:00:00", "sh -c echo a b"},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
	if _, err := parsePS([]byte("USER COMMAND\nroot x\n"), []int{1}); err == nil {
		t.Error("expected an error without a PID column")
	}
}

func TestParseUntil(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"24h", now.Add(-24 * time.Hour), true},
		{"2026-11-01T00:00:00Z", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), true},
		{"1700000000", time.Unix(1700000000, 0), true},
		{"yesterday", time.Time{}, false},
	} {
		got, err := parseUntil(tc.in, now)
		if (err == nil) != tc.ok || tc.ok && !got.Equal(tc.want) {
			t.Errorf("parseUntil(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestLogWriterAndReader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	w, err := openLogWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	w.write("stdout", []byte("one\ntw"))
	w.write("stderr", []byte("err\n"))
	w.write("stdout", []byte("o\nthree"))
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := &logReader{f: f}
	got := func() string {
		ents, err := r.next()
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, e := range ents {
			b.WriteString(e.Stream + ":" + e.Log)
		}
		return b.String()
	}
	if s := got(); s != "stdout:one\nstderr:err\nstdout:two\n" {
		t.Errorf("first read %q", s)
	}
	w.flush() // the partial "three" becomes an entry without newline, as Docker writes it
	if s := got(); s != "stdout:three" {
		t.Errorf("after flush %q", s)
	}
	long := bytes.Repeat([]byte("x"), maxLogLine+10)
	w.write("stdout", long)
	w.flush()
	ents, _ := r.next()
	if len(ents) != 2 || len(ents[0].Log) != maxLogLine {
		t.Errorf("a long line must split at %d bytes, got %d entries", maxLogLine, len(ents))
	}
	w.close()
}

func TestResolvConfOverrides(t *testing.T) {
	got := resolvConf([]string{"1.1.1.1"}, []string{"example.com"}, []string{"ndots:2"})
	want := "nameserver 1.1.1.1\nsearch example.com\noptions ndots:2\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
