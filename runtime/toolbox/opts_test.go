package toolbox

import (
	"bytes"
	"strings"
	"testing"
)

func TestGetopt(t *testing.T) {
	longs := map[string]byte{"full-time": 0x80, "color=?": 0x81, "target=": 't'}
	tests := []struct {
		args     []string
		spec     string
		flags    string // flags given, with counts as repeats
		vals     map[byte]string
		operands []string
		err      string
	}{
		{args: []string{"-la", "x"}, spec: "la", flags: "la", operands: []string{"x"}},
		{args: []string{"x", "-l", "y"}, spec: "l", flags: "l", operands: []string{"x", "y"}},
		{args: []string{"x", "-l"}, spec: "+l", operands: []string{"x", "-l"}},
		{args: []string{"-n5", "f"}, spec: "n:", flags: "n", vals: map[byte]string{'n': "5"}, operands: []string{"f"}},
		{args: []string{"-n", "-5"}, spec: "n:", flags: "n", vals: map[byte]string{'n': "-5"}},
		{args: []string{"-vv", "--", "-x"}, spec: "v", flags: "vv", operands: []string{"-x"}},
		{args: []string{"-"}, spec: "v", operands: []string{"-"}},
		{args: []string{"--full-time", "--col"}, spec: "l", flags: "\x80\x81"},
		{args: []string{"--target", "d", "--target=e"}, spec: "", flags: "tt", vals: map[byte]string{'t': "e"}},
		// Messages as glibc's getopt prints them for busybox.
		{args: []string{"-z"}, spec: "l", err: "x: invalid option -- 'z'\n"},
		{args: []string{"-n"}, spec: "n:", err: "x: option requires an argument -- 'n'\n"},
		{args: []string{"--bogus"}, spec: "l", err: "x: unrecognized option '--bogus'\n"},
		{args: []string{"--full-time=3"}, spec: "l", err: "x: option '--full-time' doesn't allow an argument\n"},
	}
	for _, tc := range tests {
		var stderr bytes.Buffer
		c := &Context{Name: "x", Stdout: &bytes.Buffer{}, Stderr: &stderr, applet: &Applet{Name: "x", Usage: "x"}}
		o, operands, ok := c.getopt(tc.args, tc.spec, longs)
		if tc.err != "" {
			if ok || !strings.HasPrefix(stderr.String(), tc.err) {
				t.Errorf("getopt(%q): ok=%v stderr %q, want %q", tc.args, ok, stderr.String(), tc.err)
			}
			continue
		}
		if !ok {
			t.Errorf("getopt(%q) failed: %s", tc.args, stderr.String())
			continue
		}
		for _, f := range []byte(tc.flags) {
			if o.n(f) != strings.Count(tc.flags, string([]byte{f})) {
				t.Errorf("getopt(%q): flag %q counted %d", tc.args, f, o.n(f))
			}
		}
		for f, v := range tc.vals {
			if o.val(f) != v {
				t.Errorf("getopt(%q): value of %q = %q, want %q", tc.args, f, o.val(f), v)
			}
		}
		if strings.Join(operands, "|") != strings.Join(tc.operands, "|") {
			t.Errorf("getopt(%q): operands %q, want %q", tc.args, operands, tc.operands)
		}
	}
}
