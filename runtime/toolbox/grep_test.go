package toolbox

import "testing"

// Expected outputs checked against busybox 1.35.0.
func TestGrep(t *testing.T) {
	inTextDir(t)
	writeFiles(t, ".", map[string]string{"gd/a.txt": "foo here\n", "gd/b.txt": "nothing\n", "gd/sub/c.txt": "Foo sub\n"})
	runCases(t, "grep", []appletCase{
		{args: []string{"foo", "t.txt"}, want: "foo bar\n"},
		{args: []string{"-i", "hello", "t.txt"}, want: "hello world\nHello again\n"},
		{args: []string{"-v", "o", "t.txt"}, want: "\nlast\n"},
		{args: []string{"-c", "o", "t.txt"}, want: "3\n"},
		{args: []string{"-n", "o", "t.txt"}, want: "1:hello world\n2:foo bar\n3:Hello again\n"},
		{args: []string{"-l", "hello", "t.txt", "s.txt"}, want: "t.txt\n"},
		{args: []string{"-L", "foo", "t.txt", "s.txt"}, want: "s.txt\n"},
		{args: []string{"-q", "hello", "t.txt"}},
		{args: []string{"-E", "wor|bar", "t.txt"}, want: "hello world\nfoo bar\n"},
		{args: []string{"wor\\|bar", "t.txt"}, want: "hello world\nfoo bar\n"},
		{args: []string{"-F", ".", "t.txt"}, code: 1},
		{args: []string{"-w", "foo", "t.txt"}, want: "foo bar\n"},
		{args: []string{"-w", "fo", "t.txt"}, code: 1},
		{args: []string{"-o", "o.", "t.txt"}, want: "o \nor\noo\no \n"},
		{args: []string{"-x", "foo bar", "t.txt"}, want: "foo bar\n"},
		{args: []string{"hello", "t.txt", "s.txt"}, want: "t.txt:hello world\n"},
		{args: []string{"-h", "hello", "t.txt", "s.txt"}, want: "hello world\n"},
		{args: []string{"-c", "foo", "t.txt", "s.txt"}, want: "t.txt:1\ns.txt:0\n"},
		{args: []string{"-e", "foo", "-e", "last", "t.txt"}, want: "foo bar\nlast\n"},
		{args: []string{"-A1", "foo", "t.txt"}, want: "foo bar\nHello again\n"},
		{args: []string{"-B1", "again", "t.txt"}, want: "foo bar\nHello again\n"},
		{args: []string{"-m1", "o", "t.txt"}, want: "hello world\n"},
		{args: []string{"xyz", "t.txt"}, code: 1},
		{args: []string{"--color=auto", "foo", "t.txt"}, want: "foo bar\n"},
		{args: []string{"a.b"}, stdin: "a.b\naxb\n", want: "a.b\naxb\n"},
		{args: []string{"^[[:upper:]]"}, stdin: "abc\nAbc\n", want: "Abc\n"},
		{args: []string{"a\\{2\\}"}, stdin: "a\naa\n", want: "aa\n"},
		{args: []string{"-r", "foo", "gd"}, want: "gd/a.txt:foo here\n"},
		{args: []string{"-ri", "foo", "gd"}, want: "gd/a.txt:foo here\ngd/sub/c.txt:Foo sub\n"},
		{args: []string{"-rn", "foo", "gd/a.txt"}, want: "1:foo here\n"},
		{args: []string{"foo", "nosuch"}, stderr: "grep: nosuch: No such file or directory\n", code: 2},
		{args: []string{"-s", "foo", "nosuch"}, code: 2},
		{args: []string{"a\\(b", "t.txt"}, stderr: "grep: bad regex 'a\\(b'\n", code: 2},
		{args: []string{"-E", "a(", "t.txt"}, stderr: "grep: bad regex 'a('\n", code: 2},
		// RE2 has no back-references: said plainly instead of a wrong answer.
		{args: []string{"\\(a\\)\\1"}, stdin: "aa\n", stderr: "grep: bad regex '\\(a\\)\\1': back-references are not supported\n", code: 2},
	})
}

func TestTranslateRegex(t *testing.T) {
	tests := []struct {
		in       string
		extended bool
		want     string
	}{
		{`a\(b\)*`, false, `a(b)*`},
		{`a(b)+?`, false, `a\(b\)\+\?`},
		{`*a`, false, `\*a`},
		{`^*a`, false, `^\*a`},
		{`[]a]`, false, `[\]a]`},
		{`[a\]`, false, `[a\\]`},
		{`[[:alpha:]_]`, false, `[[:alpha:]_]`},
		{`\<w\>`, false, `\bw\b`},
		{`a{2}`, true, `a{2}`},
		{`a{x`, true, `a\{x`},
		{`a|b`, true, `a|b`},
	}
	for _, tc := range tests {
		got, err := translateRegex(tc.in, tc.extended)
		if err != nil || got != tc.want {
			t.Errorf("translateRegex(%q, %v) = %q, %v; want %q", tc.in, tc.extended, got, err, tc.want)
		}
	}
	// POSIX matching is leftmost-longest.
	re, err := compileRegex(`a\|ab`, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := re.FindString("abc"); got != "ab" {
		t.Errorf("leftmost-longest match %q, want ab", got)
	}
}
