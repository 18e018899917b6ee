package toolbox

import (
	"os"
	"path/filepath"
	"testing"
)

// The expected outputs in these tables were checked against busybox
// 1.35.0 (Debian build, the same as the reference image busybox:ref).

const textFile = "hello world\nfoo bar\nHello again\n\nlast" // no final newline
const sortFile = "b 2\na 10\nc 1\na 10\nB 3\n"

// inTextDir runs the test in a directory holding t.txt and s.txt.
func inTextDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"t.txt": textFile, "s.txt": sortFile})
	chdir(t, dir)
	return dir
}

func TestEcho(t *testing.T) {
	runCases(t, "echo", []appletCase{
		{args: []string{"hi", "there"}, want: "hi there\n"},
		{args: []string{"-n", "x"}, want: "x"},
		{args: []string{"-e", `a\tb\nc\x41\0101`}, want: "a\tb\ncAA\n"},
		{args: []string{"-e", `x\101y`}, want: "xAy\n"},
		{args: []string{"-e", "-n", `a\c b`}, want: "a"},
		{args: []string{"-ne", "x"}, want: "x"},
		{args: []string{"--", "-n"}, want: "-- -n\n"},
		{args: []string{"-E", `a\tb`}, want: "a\\tb\n"},
		{args: []string{"-x"}, want: "-x\n"},
		{args: nil, want: "\n"},
	})
}

func TestPrintf(t *testing.T) {
	runCases(t, "printf", []appletCase{
		{args: []string{`%s-%d-%5.2f|%x|%o|%c|%%|%b\n`, "a", "42", "3.14159", "255", "8", "xyz", `q\tr`}, want: "a-42- 3.14|ff|10|x|%|q\tr\n"},
		{args: []string{`%d\n`, "abc"}, want: "0\n", stderr: "printf: invalid number 'abc'\n", code: 1},
		{args: []string{`%s\n`, "a", "b", "c"}, want: "a\nb\nc\n"},
		{args: []string{`x\n`, "extra"}, want: "x\n"},
		{args: []string{`%5s|%-5s|\n`, "ab", "cd"}, want: "   ab|cd   |\n"},
		{args: []string{`%i %u %e %g %X\n`, "1", "2", "3.5", "0.0001", "255"}, want: "1 2 3.500000e+00 0.0001 FF\n"},
		{args: []string{`\x41\101\n`}, want: "AA\n"},
		{args: []string{`%d\n`, "0x10", "010", "'A"}, want: "16\n8\n65\n"},
		{args: []string{`%5.1s|%.3d|%+d|% d|%#x|%#o|%-4d|%04d\n`, "abc", "5", "3", "3", "255", "8", "7", "7"}, want: "    a|005|+3| 3|0xff|010|7   |0007\n"},
		{args: []string{`%s %s\n`, "a"}, want: "a \n"},
		{args: []string{`%b\n`, `a\0101\c`, "z"}, want: "aA"},
		{args: []string{`%s`, `a\nb`}, want: `a\nb`},
		{args: []string{`%*d|%-*d|\n`, "4", "1", "3", "2"}, want: "   1|2  |\n"},
		{args: []string{`%z\n`, "1"}, stderr: "printf: %z\\n: invalid format\n", code: 1},
		{args: nil, stderr: "boxlab-toolbox multi-call binary.\n\nUsage: printf FORMAT [ARG]...\n\nFormat and print ARG(s) according to FORMAT (a-la C printf)\n", code: 1},
	})
}

func TestCat(t *testing.T) {
	inTextDir(t)
	runCases(t, "cat", []appletCase{
		{args: []string{"t.txt"}, want: textFile},
		{args: []string{"-n", "t.txt"}, want: "     1\thello world\n     2\tfoo bar\n     3\tHello again\n     4\t\n     5\tlast\n"},
		{args: []string{"-b", "t.txt"}, want: "     1\thello world\n     2\tfoo bar\n     3\tHello again\n\n     4\tlast\n"},
		{args: []string{"-A", "t.txt"}, want: "hello world$\nfoo bar$\nHello again$\n$\nlast"},
		{args: []string{"-v"}, stdin: "a\x01\tb\x7f\n", want: "a^A\tb^?\n"},
		{args: []string{"-", "s.txt"}, stdin: "in\n", want: "in\n" + sortFile},
		{args: []string{"nosuch", "s.txt"}, want: sortFile, stderr: "cat: can't open 'nosuch': No such file or directory\n", code: 1},
	})
}

func TestWc(t *testing.T) {
	inTextDir(t)
	runCases(t, "wc", []appletCase{
		{args: []string{"t.txt"}, want: "        4         7        37 t.txt\n"},
		{args: []string{"-l", "t.txt"}, want: "4 t.txt\n"},
		{args: []string{"-w"}, stdin: textFile, want: "7\n"},
		{args: []string{"-lw", "t.txt"}, want: "        4         7 t.txt\n"},
		{args: []string{"-L", "t.txt"}, want: "11 t.txt\n"},
		{args: []string{"-c"}, stdin: "abc\n", want: "4\n"},
		{args: []string{"t.txt", "t.txt"}, want: "        4         7        37 t.txt\n        4         7        37 t.txt\n        8        14        74 total\n"},
		{args: []string{"-l", "t.txt", "nosuch"}, want: "        4 t.txt\n        4 total\n", stderr: "wc: nosuch: No such file or directory\n", code: 1},
	})
}

func TestHead(t *testing.T) {
	inTextDir(t)
	runCases(t, "head", []appletCase{
		{args: []string{"-n", "2", "t.txt"}, want: "hello world\nfoo bar\n"},
		{args: []string{"-2", "t.txt"}, want: "hello world\nfoo bar\n"},
		{args: []string{"-c", "5", "t.txt"}, want: "hello"},
		{args: []string{"-n", "-3", "s.txt"}, want: "b 2\na 10\n"},
		{args: []string{"t.txt", "t.txt"}, want: "==> t.txt <==\n" + textFile + "\n==> t.txt <==\n" + textFile},
		{args: []string{"-n"}, stderr: "head: option requires an argument -- 'n'\n" + usageOf("head"), code: 1},
		{args: []string{"-n", "x", "t.txt"}, stderr: "head: invalid number 'x'\n", code: 1},
	})
}

// usageOf is what a usage error prints after the message.
func usageOf(name string) string {
	a, _ := Lookup(name)
	return Binary + " multi-call binary.\n\nUsage: " + a.Usage + "\n\n" + a.Help + "\n"
}

func TestTail(t *testing.T) {
	inTextDir(t)
	runCases(t, "tail", []appletCase{
		{args: []string{"-n", "2", "t.txt"}, want: "\nlast"},
		{args: []string{"-n", "+2", "t.txt"}, want: "foo bar\nHello again\n\nlast"},
		{args: []string{"-c", "4", "t.txt"}, want: "last"},
		{args: []string{"-1", "t.txt"}, want: "last"},
		{args: []string{"-2", "s.txt"}, want: "a 10\nB 3\n"},
		{args: []string{"+4", "s.txt"}, want: "a 10\nB 3\n"},
		{args: []string{"-n", "0", "s.txt"}, want: ""},
		{args: []string{"-n", "9", "s.txt"}, want: sortFile},
		{args: []string{"s.txt", "t.txt"}, want: "==> s.txt <==\n" + sortFile + "\n==> t.txt <==\n" + textFile},
	})
}

func TestTailFollow(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "log")
	writeFiles(t, dir, map[string]string{"log": "one\n"})
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c := &Context{Name: "tail", Stdin: os.Stdin, Stdout: w, Stderr: os.Stderr}
	go tail(c, []string{"-f", "-s", "0.05", path})
	buf := make([]byte, 64)
	n, _ := r.Read(buf)
	if got := string(buf[:n]); got != "one\n" {
		t.Fatalf("first read %q", got)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("two\n")
	f.Close()
	n, _ = r.Read(buf)
	if got := string(buf[:n]); got != "two\n" {
		t.Fatalf("followed %q, want the appended line", got)
	}
}

func TestSort(t *testing.T) {
	inTextDir(t)
	runCases(t, "sort", []appletCase{
		{args: []string{"s.txt"}, want: "B 3\na 10\na 10\nb 2\nc 1\n"},
		{args: []string{"-r", "s.txt"}, want: "c 1\nb 2\na 10\na 10\nB 3\n"},
		{args: []string{"-n", "-k2", "s.txt"}, want: "c 1\nb 2\nB 3\na 10\na 10\n"},
		{args: []string{"-k2,2n", "-t", " ", "s.txt"}, want: "c 1\nb 2\nB 3\na 10\na 10\n"},
		{args: []string{"-u", "s.txt"}, want: "B 3\na 10\nb 2\nc 1\n"},
		{args: []string{"-f", "s.txt"}, want: "a 10\na 10\nb 2\nB 3\nc 1\n"},
		{args: []string{"-n"}, stdin: "10\n9\n-1\nx\n", want: "-1\nx\n9\n10\n"},
		{args: []string{"-t", ":", "-k", "3n"}, stdin: "a:b:10\nc:d:2\n", want: "c:d:2\na:b:10\n"},
	})
}

func TestUniq(t *testing.T) {
	sorted := "B 3\na 10\na 10\nb 2\nc 1\n"
	runCases(t, "uniq", []appletCase{
		{stdin: sortFile, want: sortFile},
		{args: []string{"-c"}, stdin: sorted, want: "      1 B 3\n      2 a 10\n      1 b 2\n      1 c 1\n"},
		{args: []string{"-d"}, stdin: sorted, want: "a 10\n"},
		{args: []string{"-u"}, stdin: sorted, want: "B 3\nb 2\nc 1\n"},
		{args: []string{"-i"}, stdin: "a\nA\nb\n", want: "a\nb\n"},
		{args: []string{"-f", "1"}, stdin: "x 1\ny 1\nz 2\n", want: "x 1\nz 2\n"},
	})
}

func TestCut(t *testing.T) {
	inTextDir(t)
	runCases(t, "cut", []appletCase{
		{args: []string{"-d", " ", "-f2", "s.txt"}, want: "2\n10\n1\n10\n3\n"},
		{args: []string{"-c1-3", "t.txt"}, want: "hel\nfoo\nHel\n\nlas\n"},
		{args: []string{"-f1", "s.txt"}, want: sortFile},
		{args: []string{"-d:", "-f1,3"}, stdin: "root:x:0:0\n", want: "root:0\n"},
		{args: []string{"-d:", "-f2-"}, stdin: "a:b:c\n", want: "b:c\n"},
		{args: []string{"-s", "-d:", "-f1"}, stdin: "a:b\nnodelim\n", want: "a\n"},
		{args: []string{"s.txt"}, stderr: "cut: expected a list of bytes, characters, or fields\n", code: 1},
	})
}

func TestTr(t *testing.T) {
	runCases(t, "tr", []appletCase{
		{args: []string{"a-z", "A-Z"}, stdin: "hello\n", want: "HELLO\n"},
		{args: []string{"-d", "l"}, stdin: "hello\n", want: "heo\n"},
		{args: []string{"-s", "a-c"}, stdin: "aabbcc\n", want: "abc\n"},
		{args: []string{"-c", `a-z\n`, "X"}, stdin: "hello\n", want: "hello\n"},
		{args: []string{"-cd", "[:digit:]"}, stdin: "a1b2\n", want: "12"},
		{args: []string{"[:lower:]", "[:upper:]"}, stdin: "hello\n", want: "HELLO\n"},
		{args: []string{"abc", "x"}, stdin: "abcd\n", want: "xxxd\n"},
		{args: []string{" ", `\n`}, stdin: "a b\n", want: "a\nb\n"},
	})
}

func TestTee(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	runCases(t, "tee", []appletCase{
		{args: []string{"x1", "/nonexist/x"}, stdin: "hi\n", want: "hi\n", stderr: "tee: /nonexist/x: No such file or directory\n", code: 1},
		{args: []string{"-a", "x1"}, stdin: "more\n", want: "more\n"},
	})
	if b, _ := os.ReadFile(filepath.Join(dir, "x1")); string(b) != "hi\nmore\n" {
		t.Errorf("x1 = %q", b)
	}
}

func TestBase64AndSums(t *testing.T) {
	inTextDir(t)
	runCases(t, "base64", []appletCase{
		{stdin: "hi\n", want: "aGkK\n"},
		{args: []string{"-d"}, stdin: "aGkK\n", want: "hi\n"},
		{args: []string{"-w", "4"}, stdin: "hello", want: "aGVs\nbG8=\n"},
	})
	runCases(t, "md5sum", []appletCase{
		{stdin: "hi\n", want: "764efa883dda1e11db47671c4a3bbd9e  -\n"},
		{args: []string{"t.txt", "nosuch"}, want: "21c50deeed1e00e7b9a7eab5342aacbd  t.txt\n", stderr: "md5sum: can't open 'nosuch': No such file or directory\n", code: 1},
	})
	runCases(t, "sha256sum", []appletCase{
		{stdin: "hi\n", want: "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4  -\n"},
	})
	writeFiles(t, ".", map[string]string{"sums": "21c50deeed1e00e7b9a7eab5342aacbd  t.txt\n00000000000000000000000000000000  s.txt\n"})
	runCases(t, "md5sum", []appletCase{
		{args: []string{"-c", "sums"}, want: "t.txt: OK\ns.txt: FAILED\n", stderr: "md5sum: WARNING: 1 of 1 computed checksums did NOT match\n", code: 1},
	})
}

func TestSeq(t *testing.T) {
	runCases(t, "seq", []appletCase{
		{args: []string{"3"}, want: "1\n2\n3\n"},
		{args: []string{"2", "4"}, want: "2\n3\n4\n"},
		{args: []string{"1", "2", "7"}, want: "1\n3\n5\n7\n"},
		{args: []string{"-s,", "3"}, want: "1,2,3\n"},
		{args: []string{"-w", "8", "10"}, want: "08\n09\n10\n"},
		{args: []string{"1.5", "3"}, want: "1.5\n2.5\n"},
		{args: []string{"5", "1"}, want: ""},
		{args: []string{"3", "-1", "1"}, want: "3\n2\n1\n"},
		{args: []string{"x"}, stderr: "seq: invalid number 'x'\n", code: 1},
	})
}

func TestBasenameDirname(t *testing.T) {
	runCases(t, "basename", []appletCase{
		{args: []string{"/a/b/c.txt", ".txt"}, want: "c\n"},
		{args: []string{"/a/b/"}, want: "b\n"},
		{args: []string{"/"}, want: "/\n"},
		{args: []string{"-s", ".c", "a.c", "b.c"}, want: "a\nb\n"},
		{args: []string{".txt", ".txt"}, want: ".txt\n"},
	})
	runCases(t, "dirname", []appletCase{
		{args: []string{"/a/b/c"}, want: "/a/b\n"},
		{args: []string{"a"}, want: ".\n"},
		{args: []string{"/"}, want: "/\n"},
		{args: []string{"///"}, want: "/\n"},
		{args: []string{"a/b//"}, want: "a\n"},
	})
}

func TestMorePassesThroughWithoutTerminal(t *testing.T) {
	inTextDir(t)
	runCases(t, "more", []appletCase{{args: []string{"s.txt"}, want: sortFile}})
	runCases(t, "less", []appletCase{{stdin: "x\n", want: "x\n"}})
}

func TestHumanSize(t *testing.T) {
	tests := []struct {
		n, block uint64
		want     string
	}{
		{0, 1, "0"}, {6, 1, "6"}, {2000, 1, "2.0K"}, {4096, 1, "4.0K"},
		{157792, 1024, "154.1M"}, {24683620, 1024, "23.5G"}, {20, 1024, "20.0K"},
	}
	for _, tc := range tests {
		if got := humanSize(tc.n, tc.block); got != tc.want {
			t.Errorf("humanSize(%d, %d) = %q, want %q", tc.n, tc.block, got, tc.want)
		}
	}
	if got := humanSizeWhole(12 * 1024); got != "12K" {
		t.Errorf("humanSizeWhole = %q", got)
	}
}

// Checked against busybox 1.35.0.
func TestTacCmp(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	writeFiles(t, dir, map[string]string{"c1": "a\nb\n", "c2": "a\nc\n", "c3": "a\n"})
	runCases(t, "tac", []appletCase{
		{args: []string{"c1", "c2"}, want: "c\na\nb\na\n"},
		{stdin: "1\n2\n3", want: "32\n1\n"},
	})
	runCases(t, "cmp", []appletCase{
		{args: []string{"c1", "c2"}, want: "c1 c2 differ: char 3, line 2\n", code: 1},
		{args: []string{"-s", "c1", "c2"}, code: 1},
		{args: []string{"-l", "c1", "c2"}, want: "3 142 143\n", code: 1},
		{args: []string{"c1", "c1"}},
		{args: []string{"c1", "c3"}, stderr: "cmp: EOF on c3\n", code: 1},
		{args: []string{"c1", "nosuch"}, stderr: "cmp: nosuch: No such file or directory\n", code: 2},
		{args: []string{"c1", "-"}, stdin: "a\nb\n"},
	})
}
