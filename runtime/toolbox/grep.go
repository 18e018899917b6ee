package toolbox

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

func init() {
	Register(&Applet{
		Name:  "grep",
		Usage: "grep [-HhnlLoqvsrRiwxFEz] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...",
		Help: `Search for PATTERN in FILEs (or stdin)

	-H	Add 'filename:' prefix
	-h	Do not add 'filename:' prefix
	-n	Add 'line_no:' prefix
	-l	Show only names of files that match
	-L	Show only names of files that don't match
	-c	Show only count of matching lines
	-o	Show only the matching part of line
	-q	Quiet. Return 0 if PATTERN is found, 1 otherwise
	-v	Select non-matching lines
	-s	Suppress open and read errors
	-r	Recurse
	-R	Recurse and dereference symlinks
	-i	Ignore case
	-w	Match whole words only
	-x	Match whole lines only
	-F	PATTERN is a literal (not regexp)
	-E	PATTERN is an extended regexp
	-z	NUL terminated input
	-m N	Match up to N times per file
	-A N	Print N lines of trailing context
	-B N	Print N lines of leading context
	-C N	Same as '-A N -B N'
	-e PTRN	Pattern to match
	-f FILE	Read pattern from file

Patterns are POSIX regular expressions without back-references.`,
		Run: grep,
	})
	Register(&Applet{Name: "egrep", Usage: "egrep [OPTIONS] PATTERN [FILE]...", Help: "grep -E", Run: func(c *Context, args []string) int { return grep(c, append([]string{"-E"}, args...)) }})
	Register(&Applet{Name: "fgrep", Usage: "fgrep [OPTIONS] PATTERN [FILE]...", Help: "grep -F", Run: func(c *Context, args []string) int { return grep(c, append([]string{"-F"}, args...)) }})
}

// grepper is one grep run: the matcher and the output options.
type grepper struct {
	c        *Context
	o        *options
	res      []*regexp.Regexp
	fixed    []string
	multi    bool // prefix lines with the file name (several operands)
	matched  bool
	quietHit bool
}

func grep(c *Context, args []string) int {
	// --color is accepted like busybox's; output is never colored.
	o, operands, ok := c.getopt(args, "HhnlLcoqvsrRiwxFEzm:A:B:C:e:f:", map[string]byte{"color=?": 0x80})
	if !ok {
		return 2
	}
	patterns := o.all('e')
	for _, file := range o.all('f') {
		b, err := os.ReadFile(file)
		if err != nil {
			c.Errorf("%s", pathErr(file, err))
			return 2
		}
		patterns = append(patterns, strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")...)
	}
	if !o.on('e') && !o.on('f') {
		if len(operands) == 0 {
			c.Usage()
			return 2
		}
		patterns, operands = strings.Split(operands[0], "\n"), operands[1:]
	}
	g := &grepper{c: c, o: o}
	for _, p := range patterns {
		if o.on('F') {
			g.fixed = append(g.fixed, p)
			continue
		}
		expr := p
		if o.on('x') {
			// Anchor the whole pattern: leftmost-longest alone may pick a
			// shorter alternative than the whole line.
			if o.on('E') {
				expr = "^(" + p + ")$"
			} else {
				expr = `^\(` + p + `\)$`
			}
		}
		re, err := compileRegex(expr, o.on('E'), o.on('i'))
		if err != nil {
			if err == errBackref {
				c.Errorf("bad regex '%s': %s", p, err)
			} else {
				c.Errorf("bad regex '%s'", p)
			}
			return 2
		}
		g.res = append(g.res, re)
	}
	recursive := o.on('r') || o.on('R')
	g.multi = len(operands) > 1
	status := 0
	if len(operands) == 0 {
		g.file("-", c.Stdin, false)
	}
	for _, name := range operands {
		if name == "-" {
			g.file("-", c.Stdin, false)
			continue
		}
		st, err := os.Stat(name)
		if err == nil && st.IsDir() {
			if !recursive {
				continue // busybox skips directories without -r
			}
			if g.walk(name) {
				status = 2
			}
			continue
		}
		if g.open(name) {
			status = 2
		}
		if g.quietHit {
			return 0
		}
	}
	c.Flush()
	if g.quietHit || (g.matched && status == 0) {
		return 0
	}
	if g.matched && o.on('q') {
		return 0
	}
	if status != 0 {
		return status
	}
	return 1
}

// walk greps the files under dir; it reports whether an error happened.
func (g *grepper) walk(dir string) bool {
	failed := false
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			if !g.o.on('s') {
				g.c.Errorf("%s", pathErr(path, err))
			}
			failed = true
			return nil
		}
		if g.quietHit {
			return filepath.SkipAll
		}
		if d.IsDir() {
			return nil
		}
		if d.Type()&os.ModeSymlink != 0 {
			if !g.o.on('R') {
				return nil
			}
			if st, err := os.Stat(path); err != nil || st.IsDir() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			if !g.o.on('s') {
				g.c.Errorf("%s", pathErr(path, err))
			}
			failed = true
			return nil
		}
		if g.file(path, f, true) {
			failed = true
		}
		f.Close()
		return nil
	})
	return failed
}

func (g *grepper) open(name string) bool {
	f, err := os.Open(name)
	if err != nil {
		if !g.o.on('s') {
			g.c.Errorf("%s", pathErr(name, err))
		}
		return true
	}
	defer f.Close()
	return g.file(name, f, false)
}

// match reports whether line matches and where (for -o).
func (g *grepper) matches(line string) [][]int {
	var spans [][]int
	icase := g.o.on('i')
	for _, fx := range g.fixed {
		hay, needle := line, fx
		if icase {
			hay, needle = strings.ToLower(line), strings.ToLower(fx)
		}
		for start := 0; start <= len(hay); {
			i := strings.Index(hay[start:], needle)
			if i < 0 {
				break
			}
			spans = append(spans, []int{start + i, start + i + len(needle)})
			start += i + max(len(needle), 1)
		}
	}
	for _, re := range g.res {
		spans = append(spans, re.FindAllStringIndex(line, -1)...)
	}
	var ok [][]int
	for _, s := range spans {
		if g.o.on('x') && (s[0] != 0 || s[1] != len(line)) {
			continue
		}
		if g.o.on('w') && !wordBounded(line, s[0], s[1]) {
			continue
		}
		ok = append(ok, s)
	}
	return ok
}

func isWordByte(b byte) bool {
	return b == '_' || (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')
}

func wordBounded(line string, start, end int) bool {
	return (start == 0 || !isWordByte(line[start-1])) && (end == len(line) || !isWordByte(line[end]))
}

// file greps one input; it reports whether reading it failed. Lines get
// the file name with several operands or inside a recursed directory.
func (g *grepper) file(name string, r io.Reader, inDir bool) bool {
	o := g.o
	prefix := (g.multi || inDir || o.on('H')) && !o.on('h')
	label := name
	if name == "-" {
		label = "(standard input)"
	}
	after, before := -1, -1
	if v := o.val('C'); v != "" {
		n, _ := strconv.Atoi(v)
		after, before = n, n
	}
	if v := o.val('A'); v != "" {
		after, _ = strconv.Atoi(v)
	}
	if v := o.val('B'); v != "" {
		before, _ = strconv.Atoi(v)
	}
	maxCount := -1
	if v := o.val('m'); v != "" {
		maxCount, _ = strconv.Atoi(v)
	}
	sep := byte('\n')
	if o.on('z') {
		sep = 0
	}
	br := bufio.NewReaderSize(r, 64<<10)
	var (
		lineNo, count, afterLeft int
		lastPrinted              = 0
		context                  []string // leading context lines
		contextStart             int
		printedAny               bool
	)
	w := g.c.Stdout
	emit := func(n int, line string, delim byte) {
		if printedAny && (before > 0 || after > 0) && lastPrinted != 0 && n > lastPrinted+1 {
			io.WriteString(w, "--\n")
		}
		if prefix {
			io.WriteString(w, label+string(delim))
		}
		if o.on('n') {
			io.WriteString(w, strconv.Itoa(n)+string(delim))
		}
		io.WriteString(w, line)
		w.Write([]byte{sep})
		lastPrinted = n
		printedAny = true
	}
	listOnly := o.on('l') || o.on('L') || o.on('c') || o.on('q')
	for {
		raw, err := br.ReadString(sep)
		if raw == "" && err != nil {
			if err != io.EOF {
				if !o.on('s') {
					g.c.Errorf("%s: %s", name, errText(err))
				}
				return true
			}
			break
		}
		line := strings.TrimSuffix(raw, string(sep))
		lineNo++
		spans := g.matches(line)
		hit := (len(spans) > 0) != o.on('v')
		if !hit {
			if afterLeft > 0 && !listOnly {
				emit(lineNo, line, '-')
				afterLeft--
			} else if before > 0 {
				if len(context) == before {
					context = context[1:]
					contextStart++
				}
				if len(context) == 0 {
					contextStart = lineNo
				}
				context = append(context, line)
			}
			if err != nil {
				break
			}
			continue
		}
		count++
		g.matched = true
		if o.on('q') {
			g.quietHit = true
			return false
		}
		if listOnly {
			if o.on('l') || o.on('L') {
				break
			}
		} else {
			for i, cl := range context {
				emit(contextStart+i, cl, '-')
			}
			context = context[:0]
			if o.on('o') && !o.on('v') {
				for _, s := range spans {
					if s[1] > s[0] {
						emit(lineNo, line[s[0]:s[1]], ':')
					}
				}
			} else {
				emit(lineNo, line, ':')
			}
			afterLeft = max(after, 0)
		}
		if maxCount >= 0 && count >= maxCount {
			// Trailing context after the last match is still printed.
			for afterLeft > 0 {
				raw, err := br.ReadString(sep)
				if raw == "" {
					break
				}
				lineNo++
				emit(lineNo, strings.TrimSuffix(raw, string(sep)), '-')
				afterLeft--
				if err != nil {
					break
				}
			}
			break
		}
		if err != nil {
			break
		}
	}
	switch {
	case o.on('c'):
		if prefix {
			fmt.Fprintf(w, "%s:%d\n", label, count)
		} else {
			fmt.Fprintf(w, "%d\n", count)
		}
	case o.on('l') && count > 0:
		fmt.Fprintln(w, label)
	case o.on('L') && count == 0:
		fmt.Fprintln(w, label)
	}
	return false
}
