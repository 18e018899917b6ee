package toolbox

import (
	"os"
	"testing"
)

// Expected outputs checked against busybox 1.35.0.
func TestSed(t *testing.T) {
	inTextDir(t)
	runCases(t, "sed", []appletCase{
		{args: []string{"s/o/0/", "t.txt"}, want: "hell0 world\nf0o bar\nHell0 again\n\nlast"},
		{args: []string{"s/o/0/g", "t.txt"}, want: "hell0 w0rld\nf00 bar\nHell0 again\n\nlast"},
		{args: []string{"-n", "2p", "t.txt"}, want: "foo bar\n"},
		{args: []string{"2d", "t.txt"}, want: "hello world\nHello again\n\nlast"},
		{args: []string{"-n", "/foo/p", "t.txt"}, want: "foo bar\n"},
		{args: []string{"/^$/d", "t.txt"}, want: "hello world\nfoo bar\nHello again\nlast"},
		{args: []string{"-e", "s/a/A/", "-e", "s/b/B/", "s.txt"}, want: "B 2\nA 10\nc 1\nA 10\nB 3\n"},
		{args: []string{`s/\(o\)\(.\)/[\2\1]/g`, "t.txt"}, want: "hell[ o]w[ro]ld\nf[oo] bar\nHell[ o]again\n\nlast"},
		{args: []string{"-E", `s/(l+)/<\1>/`, "t.txt"}, want: "he<ll>o world\nfoo bar\nHe<ll>o again\n\n<l>ast"},
		{args: []string{"s/o/0/2", "t.txt"}, want: "hello w0rld\nfo0 bar\nHello again\n\nlast"},
		{args: []string{"s|/|_|g"}, stdin: "/a/b\n", want: "_a_b\n"},
		{args: []string{"1,2s/^/> /", "t.txt"}, want: "> hello world\n> foo bar\nHello again\n\nlast"},
		{args: []string{"$d", "t.txt"}, want: "hello world\nfoo bar\nHello again\n\n"},
		{args: []string{"-n", "$p", "t.txt"}, want: "last\n"},
		{args: []string{"2,$d", "t.txt"}, want: "hello world\n"},
		{args: []string{"/foo/,/again/d", "t.txt"}, want: "hello world\n\nlast"},
		{args: []string{"y/abc/xyz/", "s.txt"}, want: "y 2\nx 10\nz 1\nx 10\nB 3\n"},
		{args: []string{`2i\inserted`, "s.txt"}, want: "b 2\ninserted\na 10\nc 1\na 10\nB 3\n"},
		{args: []string{"2a appended", "s.txt"}, want: "b 2\na 10\nappended\nc 1\na 10\nB 3\n"},
		{args: []string{`1c\changed`, "s.txt"}, want: "changed\na 10\nc 1\na 10\nB 3\n"},
		{args: []string{"=", "s.txt"}, want: "1\nb 2\n2\na 10\n3\nc 1\n4\na 10\n5\nB 3\n"},
		{args: []string{"s/o/&&/", "t.txt"}, want: "helloo world\nfooo bar\nHelloo again\n\nlast"},
		{args: []string{`s/hello/a\nb/`}, stdin: "hello world\n", want: "a\nb world\n"},
		{args: []string{"2q", "t.txt"}, want: "hello world\nfoo bar\n"},
		{args: []string{"/a/!d", "s.txt"}, want: "a 10\na 10\n"},
		{args: []string{"1!G;h;$!d", "s.txt"}, want: "B 3\na 10\nc 1\na 10\nb 2\n"},
		{args: []string{"-n", "/a/{p;p}", "s.txt"}, want: "a 10\na 10\na 10\na 10\n"},
		{args: []string{"2{s/a/X/;p}", "s.txt"}, want: "b 2\nX 10\nX 10\nc 1\na 10\nB 3\n"},
		{args: []string{`N;s/\n/+/`, "s.txt"}, want: "b 2+a 10\nc 1+a 10\nB 3\n"},
		{args: []string{"-e", "s/a/X/;t", "-e", "s/b/Y/", "s.txt"}, want: "Y 2\nX 10\nc 1\nX 10\nB 3\n"},
		{args: []string{"2,+1d", "s.txt"}, want: "b 2\na 10\nB 3\n"},
		{args: []string{"0d", "s.txt"}, want: ""},
		{args: []string{"s/A/x/I"}, stdin: "aAa\n", want: "xAa\n"},
		{args: []string{":a;s/^x//;ta"}, stdin: "xxxy\n", want: "y\n"},
		{args: []string{"s/x/a\tb/"}, stdin: "x\n", want: "a\tb\n"},
		{args: []string{"s/a", "t.txt"}, stderr: "sed: unmatched '/'\n", code: 1},
		{args: []string{"k", "t.txt"}, stderr: "sed: unsupported command k\n", code: 1},
		{args: []string{"s/a/b/x", "t.txt"}, stderr: "sed: bad option in substitution expression\n", code: 1},
		{args: []string{`s/\(a/b/`, "t.txt"}, stderr: "sed: bad regex '\\(a': Unmatched ( or \\(\n", code: 1},
		{args: []string{"p", "nosuch"}, stderr: "sed: nosuch: No such file or directory\n", code: 1},
	})
}

func TestSedInPlace(t *testing.T) {
	inTextDir(t)
	runCases(t, "sed", []appletCase{{args: []string{"-i.bak", "s/b/BEE/", "s.txt"}}})
	got, _ := os.ReadFile("s.txt")
	backup, _ := os.ReadFile("s.txt.bak")
	if string(got) != "BEE 2\na 10\nc 1\na 10\nB 3\n" || string(backup) != sortFile {
		t.Errorf("after sed -i: %q, backup %q", got, backup)
	}
}
