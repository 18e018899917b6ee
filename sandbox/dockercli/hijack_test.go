package dockercli

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func TestDetachKeyBytes(t *testing.T) {
	for keys, want := range map[string][]byte{
		"ctrl-p,ctrl-q": {16, 17},
		"ctrl-a,x":      {1, 'x'},
		"ctrl-@":        {0},
		"ctrl-[,ctrl-_": {27, 31},
		"DEL":           {127},
	} {
		got, err := detachKeyBytes(keys)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%q: got %v, %v; want %v", keys, got, err, want)
		}
	}
	if _, err := detachKeyBytes("bogus-key"); err == nil || err.Error() != "Unknown character: 'bogus-key'" {
		t.Errorf("got %v", err)
	}
}

func TestEscapeProxy(t *testing.T) {
	keys := []byte{16, 17}
	cases := []struct {
		name     string
		input    []byte
		oneByte  bool
		want     string
		detached bool
	}{
		{"plain input passes", []byte("hello\n"), false, "hello\n", false},
		{"sequence detaches and keeps what came before", []byte("ab\x10\x11cd"), false, "ab", true},
		{"sequence across reads", []byte("ab\x10\x11"), true, "ab", true},
		{"a lone first key is delivered", []byte("a\x10b"), false, "a\x10b", false},
		{"first key at EOF is delivered", []byte("a\x10"), true, "a\x10", false},
		{"repeated first key", []byte("\x10\x10\x11"), true, "\x10", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r io.Reader = bytes.NewReader(tc.input)
			if tc.oneByte {
				r = iotest.OneByteReader(r)
			}
			got, err := io.ReadAll(&escapeProxy{r: r, keys: keys})
			if string(got) != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if errors.Is(err, errDetached) != tc.detached {
				t.Errorf("err %v, detached want %v", err, tc.detached)
			}
		})
	}
}

func TestEscapeProxySmallBuffer(t *testing.T) {
	// A broken sequence may release more bytes than the caller's buffer
	// holds; nothing may be lost.
	p := &escapeProxy{r: iotest.OneByteReader(bytes.NewReader([]byte("\x10x\x10y"))), keys: []byte{16, 17}}
	var out []byte
	buf := make([]byte, 1)
	for {
		n, err := p.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			break
		}
	}
	if string(out) != "\x10x\x10y" {
		t.Errorf("got %q", out)
	}
}
