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
		Name:  "sed",
		Usage: "sed [-i[SFX]] [-nrE] [-f FILE]... [-e CMD]... [FILE]...\nor: sed [-i[SFX]] [-nrE] CMD [FILE]...",
		Help: `	-e CMD	Add CMD to sed commands to be executed
	-f FILE	Add FILE contents to sed commands to be executed
	-i[SFX]	Edit files in-place (otherwise write to stdout)
		Optionally back files up, appending SFX
	-n	Suppress automatic printing of pattern space
	-r,-E	Use extended regex syntax
	-s	Treat FILEs separately ($ is the last line of each)

If no -e or -f, the first non-option argument is the sed command string.
Remaining arguments are input files (stdin if none).

Commands: s y p P d D n N g G h H x b t T : = a i c r w q Q { } !
Addresses: N, $, /RE/, \cREc, ADDR1,ADDR2, ADDR,+N. Regular expressions
are POSIX (without back-references in patterns; \1..\9 work in the
replacement).`,
		Run: sed,
	})
}

// sedAddr is one address: a line number, $, a regex (nil: the last one
// used) or, as the second address, +N lines.
type sedAddr struct {
	kind byte // 'n' line, '$', '/' regex, '+'
	line int
	re   *regexp.Regexp
}

type sedCmd struct {
	a1, a2 *sedAddr
	negate bool
	name   byte

	re      *regexp.Regexp // s
	repl    string
	global  bool
	nth     int
	printS  bool
	wfile   string
	from    []rune // y
	to      []rune
	text    string // a i c; label for b t T :; file for r w
	blockTo int    // { : index of the matching }

	inRange bool
	rangeTo int // line where a numeric or +N range ends
}

// sedScript is a parsed script; lastRE is the regex an empty // means.
type sedScript struct {
	cmds     []*sedCmd
	extended bool
	lastRE   *regexp.Regexp
}

type sedParser struct {
	s   string
	pos int
	sc  *sedScript
}

func (p *sedParser) peek() byte {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

func (p *sedParser) skipSpace() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

// delimited reads up to the unescaped delim; "\delim" becomes delim and
// "\n" a newline (in patterns both keep their regex meaning otherwise).
func (p *sedParser) delimited(delim byte, isRegex bool) (string, error) {
	var b strings.Builder
	for p.pos < len(p.s) {
		ch := p.s[p.pos]
		if ch == '\\' && p.pos+1 < len(p.s) {
			next := p.s[p.pos+1]
			switch {
			case next == delim && delim != '\n':
				b.WriteByte(delim)
			case next == 'n' && !isRegex:
				b.WriteByte('\n')
			case next == '\n':
				b.WriteByte('\n')
			default:
				b.WriteByte('\\')
				b.WriteByte(next)
			}
			p.pos += 2
			continue
		}
		if isRegex && ch == '[' {
			if end := bracketEnd(p.s, p.pos); end > 0 {
				b.WriteString(p.s[p.pos : end+1])
				p.pos = end + 1
				continue
			}
		}
		if ch == delim {
			p.pos++
			return b.String(), nil
		}
		b.WriteByte(ch)
		p.pos++
	}
	return "", fmt.Errorf("unmatched '%c'", delim)
}

func (p *sedParser) regex(delim byte) (*regexp.Regexp, error) {
	pat, err := p.delimited(delim, true)
	if err != nil {
		return nil, err
	}
	flags := ""
	for p.peek() == 'I' || p.peek() == 'M' {
		if p.peek() == 'I' {
			flags = "(?i)"
		}
		p.pos++
	}
	return p.compile(pat, flags)
}

func (p *sedParser) compile(pat, flags string) (*regexp.Regexp, error) {
	if pat == "" {
		return nil, nil // the last regex used
	}
	expr, err := translateRegex(pat, p.sc.extended)
	if err != nil {
		return nil, fmt.Errorf("bad regex '%s': %s", pat, err)
	}
	re, err := regexp.Compile("(?s)" + flags + expr)
	if err != nil {
		return nil, fmt.Errorf("bad regex '%s': %s", pat, regexErrText(err))
	}
	re.Longest()
	return re, nil
}

// regexErrText words Go's regexp errors like glibc's regcomp.
func regexErrText(err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "missing closing )"):
		return "Unmatched ( or \\("
	case strings.Contains(s, "unexpected )"):
		return "Unmatched ) or \\)"
	case strings.Contains(s, "missing closing ]"):
		return "Unmatched [, [^, [:, [., or [="
	case strings.Contains(s, "invalid repeat count"), strings.Contains(s, "missing argument to repetition"):
		return "Invalid preceding regular expression"
	}
	return s
}

func (p *sedParser) address() (*sedAddr, error) {
	ch := p.peek()
	switch {
	case ch >= '0' && ch <= '9':
		start := p.pos
		for p.peek() >= '0' && p.peek() <= '9' {
			p.pos++
		}
		n, _ := strconv.Atoi(p.s[start:p.pos])
		if p.peek() == '~' {
			return nil, fmt.Errorf("unsupported command ~")
		}
		return &sedAddr{kind: 'n', line: n}, nil
	case ch == '$':
		p.pos++
		return &sedAddr{kind: '$'}, nil
	case ch == '/' || ch == '\\':
		delim := byte('/')
		if ch == '\\' {
			p.pos++
			delim = p.peek()
		}
		p.pos++
		re, err := p.regex(delim)
		if err != nil {
			return nil, err
		}
		return &sedAddr{kind: '/', re: re}, nil
	}
	return nil, nil
}

// text reads the argument of a, i and c: "a text", "a\" newline "text",
// or GNU's "a\text"; backslash-newline continues it.
func (p *sedParser) text() string {
	p.skipSpace()
	if p.peek() == '\\' {
		p.pos++
		if p.peek() == '\n' {
			p.pos++
		}
	}
	var b strings.Builder
	for p.pos < len(p.s) {
		ch := p.s[p.pos]
		if ch == '\\' && p.pos+1 < len(p.s) {
			b.WriteByte(p.s[p.pos+1])
			p.pos += 2
			continue
		}
		if ch == '\n' {
			break
		}
		b.WriteByte(ch)
		p.pos++
	}
	return b.String()
}

// word reads a label or file name: to the end of line (or ; for labels).
func (p *sedParser) word(semicolonEnds bool) string {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] != '\n' && !(semicolonEnds && (p.s[p.pos] == ';' || p.s[p.pos] == '}')) {
		p.pos++
	}
	return strings.TrimRight(p.s[start:p.pos], " \t")
}

func parseSed(script string, extended bool) (*sedScript, error) {
	sc := &sedScript{extended: extended}
	p := &sedParser{s: script, sc: sc}
	var blocks []int
	for {
		for p.pos < len(p.s) && strings.IndexByte(" \t\n;", p.s[p.pos]) >= 0 {
			p.pos++
		}
		if p.pos >= len(p.s) {
			break
		}
		if p.peek() == '#' {
			for p.pos < len(p.s) && p.s[p.pos] != '\n' {
				p.pos++
			}
			continue
		}
		cmd := &sedCmd{}
		var err error
		if cmd.a1, err = p.address(); err != nil {
			return nil, err
		}
		if cmd.a1 != nil && p.peek() == ',' {
			p.pos++
			p.skipSpace()
			if p.peek() == '+' {
				p.pos++
				start := p.pos
				for p.peek() >= '0' && p.peek() <= '9' {
					p.pos++
				}
				n, _ := strconv.Atoi(p.s[start:p.pos])
				cmd.a2 = &sedAddr{kind: '+', line: n}
			} else if cmd.a2, err = p.address(); err != nil {
				return nil, err
			} else if cmd.a2 == nil {
				return nil, fmt.Errorf("unexpected ','")
			}
		}
		p.skipSpace()
		for p.peek() == '!' {
			cmd.negate = true
			p.pos++
			p.skipSpace()
		}
		if p.pos >= len(p.s) {
			return nil, fmt.Errorf("missing command")
		}
		cmd.name = p.s[p.pos]
		p.pos++
		switch cmd.name {
		case '{':
			blocks = append(blocks, len(sc.cmds))
		case '}':
			if len(blocks) == 0 {
				return nil, fmt.Errorf("unexpected '}'")
			}
			sc.cmds[blocks[len(blocks)-1]].blockTo = len(sc.cmds)
			blocks = blocks[:len(blocks)-1]
		case 's':
			delim := p.peek()
			if delim == 0 || delim == '\n' || delim == '\\' {
				return nil, fmt.Errorf("unmatched 's'")
			}
			p.pos++
			pat, err := p.delimited(delim, true)
			if err != nil {
				return nil, err
			}
			if cmd.repl, err = p.delimited(delim, false); err != nil {
				return nil, err
			}
			flags := ""
		flagLoop:
			for p.pos < len(p.s) {
				switch ch := p.s[p.pos]; {
				case ch == 'g':
					cmd.global = true
				case ch == 'p':
					cmd.printS = true
				case ch == 'i' || ch == 'I':
					flags = "(?i)"
				case ch >= '0' && ch <= '9':
					start := p.pos
					for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
						p.pos++
					}
					cmd.nth, _ = strconv.Atoi(p.s[start:p.pos])
					continue
				case ch == 'w':
					p.pos++
					cmd.wfile = p.word(false)
					break flagLoop
				case ch == ' ' || ch == '\t' || ch == ';' || ch == '\n' || ch == '}' || ch == '#':
					break flagLoop
				default:
					return nil, fmt.Errorf("bad option in substitution expression")
				}
				p.pos++
			}
			if cmd.re, err = p.compile(pat, flags); err != nil {
				return nil, err
			}
		case 'y':
			delim := p.peek()
			p.pos++
			from, err := p.delimited(delim, false)
			if err != nil {
				return nil, err
			}
			to, err := p.delimited(delim, false)
			if err != nil {
				return nil, err
			}
			cmd.from, cmd.to = []rune(from), []rune(to)
			if len(cmd.from) != len(cmd.to) {
				return nil, fmt.Errorf("strings for y command are different lengths")
			}
		case 'a', 'i', 'c':
			cmd.text = p.text()
		case 'b', 't', 'T', ':':
			cmd.text = p.word(true)
			if cmd.name == ':' && cmd.text == "" {
				return nil, fmt.Errorf("\":\" lacks a label")
			}
		case 'r', 'w':
			cmd.text = p.word(false)
		case 'p', 'P', 'd', 'D', 'n', 'N', 'g', 'G', 'h', 'H', 'x', '=', 'q', 'Q', 'l', 'z':
		default:
			return nil, fmt.Errorf("unsupported command %c", cmd.name)
		}
		sc.cmds = append(sc.cmds, cmd)
	}
	if len(blocks) > 0 {
		return nil, fmt.Errorf("missing '}'")
	}
	return sc, nil
}

// sedInput reads lines across the input files with one line of lookahead,
// so that $ is known.
type sedInput struct {
	c       *Context
	names   []string
	cur     *bufio.Reader
	closer  io.Closer
	next    string
	hasNext bool
	noNL    bool // the line in next had no newline
	status  int
}

func (in *sedInput) open() bool {
	for len(in.names) > 0 {
		name := in.names[0]
		in.names = in.names[1:]
		if name == "-" {
			in.cur, in.closer = bufio.NewReader(in.c.Stdin), nil
			return true
		}
		f, err := os.Open(name)
		if err != nil {
			in.c.Errorf("%s", pathErr(name, err))
			in.status = 1
			continue
		}
		in.cur, in.closer = bufio.NewReader(f), f
		return true
	}
	return false
}

func (in *sedInput) fill() {
	in.hasNext = false
	for {
		if in.cur == nil && !in.open() {
			return
		}
		s, err := in.cur.ReadString('\n')
		if s != "" {
			in.next = strings.TrimSuffix(s, "\n")
			in.noNL = !strings.HasSuffix(s, "\n")
			in.hasNext = true
			if err != nil {
				in.finish()
			}
			return
		}
		in.finish()
	}
}

func (in *sedInput) finish() {
	if in.closer != nil {
		in.closer.Close()
	}
	in.cur, in.closer = nil, nil
}

// read returns the next line, whether it lacked a newline, and whether it
// is the last one.
func (in *sedInput) read() (line string, noNL, ok bool) {
	if !in.hasNext {
		return "", false, false
	}
	line, noNL = in.next, in.noNL
	in.fill()
	return line, noNL, true
}

func sed(c *Context, args []string) int {
	// -i takes an optional attached suffix, which getopt cannot express.
	inPlace, suffix := false, ""
	var rest []string
	for i, a := range args {
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		if strings.HasPrefix(a, "-i") || a == "--in-place" {
			inPlace = true
			suffix = strings.TrimPrefix(a, "-i")
			if a == "--in-place" {
				suffix = ""
			}
			continue
		}
		rest = append(rest, a)
	}
	o, operands, ok := c.getopt(rest, "nrEse:f:", nil)
	if !ok {
		return 1
	}
	var parts []string
	for _, e := range o.all('e') {
		parts = append(parts, e)
	}
	for _, f := range o.all('f') {
		b, err := os.ReadFile(f)
		if err != nil {
			c.Errorf("%s", pathErr(f, err))
			return 1
		}
		parts = append(parts, strings.TrimSuffix(string(b), "\n"))
	}
	if len(parts) == 0 {
		if len(operands) == 0 {
			return c.Usage()
		}
		parts, operands = []string{operands[0]}, operands[1:]
	}
	sc, err := parseSed(strings.Join(parts, "\n"), o.on('r') || o.on('E'))
	if err != nil {
		c.Errorf("%s", err)
		return 1
	}
	if inPlace {
		if len(operands) == 0 {
			c.Errorf("no input files")
			return 1
		}
		status := 0
		for _, name := range operands {
			if st := sedInPlace(c, sc, name, suffix, o.on('n')); st != 0 {
				status = st
			}
		}
		return status
	}
	if len(operands) == 0 {
		operands = []string{"-"}
	}
	if o.on('s') {
		status := 0
		for _, name := range operands {
			r := &sedRun{sc: sc, c: c, out: c.Stdout, quiet: o.on('n')}
			in := &sedInput{c: c, names: []string{name}}
			if code := r.run(in); code != 0 {
				return code
			}
			status = max(status, in.status)
		}
		return status
	}
	r := &sedRun{sc: sc, c: c, out: c.Stdout, quiet: o.on('n')}
	in := &sedInput{c: c, names: operands}
	if code := r.run(in); code != 0 {
		return code
	}
	return in.status
}

func sedInPlace(c *Context, sc *sedScript, name, suffix string, quiet bool) int {
	st, err := os.Stat(name)
	if err != nil {
		c.Errorf("%s", pathErr(name, err))
		return 1
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".sed-*")
	if err != nil {
		c.Errorf("%s", pathErr(name, err))
		return 1
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriter(tmp)
	r := &sedRun{sc: sc, c: c, out: bw, quiet: quiet}
	in := &sedInput{c: c, names: []string{name}}
	code := r.run(in)
	if err := bw.Flush(); err != nil {
		c.Errorf("%s", pathErr(name, err))
		return 4
	}
	tmp.Chmod(st.Mode().Perm())
	tmp.Close()
	if suffix != "" {
		backup := name + suffix
		if strings.Contains(suffix, "*") {
			backup = strings.ReplaceAll(suffix, "*", filepath.Base(name))
		}
		if err := os.Link(name, backup); err != nil {
			os.Remove(backup)
			if err := os.Link(name, backup); err != nil {
				c.Errorf("%s", pathErr(backup, err))
				return 4
			}
		}
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		c.Errorf("%s", pathErr(name, err))
		return 4
	}
	if code != 0 {
		return code
	}
	return in.status
}

// sedRun is the state of running a script over one input stream.
type sedRun struct {
	sc     *sedScript
	c      *Context
	out    io.Writer
	quiet  bool
	hold   string
	lineNo int
	wfiles map[string]*os.File
}

func (r *sedRun) matchAddr(a *sedAddr, ps string, last bool) bool {
	switch a.kind {
	case '$':
		return last
	case '/':
		re := a.re
		if re == nil {
			re = r.sc.lastRE
		}
		if re == nil {
			return false
		}
		r.sc.lastRE = re
		return re.MatchString(ps)
	}
	// busybox lets line 0 match every line.
	return r.lineNo == a.line || a.line == 0
}

// selected applies a command's addresses to the current line.
func (r *sedRun) selected(cmd *sedCmd, ps string, last bool) bool {
	sel := true
	switch {
	case cmd.a1 == nil:
	case cmd.a2 == nil:
		sel = r.matchAddr(cmd.a1, ps, last)
	case cmd.inRange:
		switch cmd.a2.kind {
		case 'n', '+':
			if r.lineNo >= cmd.rangeTo {
				cmd.inRange = false
			}
		default:
			if r.matchAddr(cmd.a2, ps, last) {
				cmd.inRange = false
			}
		}
	default:
		sel = r.matchAddr(cmd.a1, ps, last)
		if !sel {
			break
		}
		cmd.inRange = true
		switch cmd.a2.kind {
		case '+':
			cmd.rangeTo = r.lineNo + cmd.a2.line
			cmd.inRange = cmd.a2.line > 0
		case 'n':
			// A second line number not after the first selects one line.
			cmd.rangeTo = cmd.a2.line
			cmd.inRange = cmd.a2.line > r.lineNo
		case '$':
			cmd.inRange = !last
		}
	}
	return sel != cmd.negate
}

func (r *sedRun) write(s string, nl bool) {
	io.WriteString(r.out, s)
	if nl {
		io.WriteString(r.out, "\n")
	}
}

// run processes the input and returns the exit status q/Q asked for.
func (r *sedRun) run(in *sedInput) int {
	in.fill()
	labels := map[string]int{}
	for i, cmd := range r.sc.cmds {
		if cmd.name == ':' {
			labels[cmd.text] = i
		}
	}
	for _, cmd := range r.sc.cmds {
		if (cmd.name == 'b' || cmd.name == 't' || cmd.name == 'T') && cmd.text != "" {
			if _, ok := labels[cmd.text]; !ok {
				r.c.Errorf("can't find label for jump to '%s'", cmd.text)
				return 1
			}
		}
	}
	defer func() {
		for _, f := range r.wfiles {
			f.Close()
		}
	}()
	ps, noNL, ok := in.read()
	if !ok {
		return 0
	}
	r.lineNo = 1
	for {
		var appendQueue []string
		deleted, quit, quitCode, printAtQuit := false, false, 0, true
		substituted := false
		restart := false
	cycle:
		for pc := 0; pc < len(r.sc.cmds); pc++ {
			cmd := r.sc.cmds[pc]
			last := !in.hasNext
			if cmd.name == '}' || cmd.name == ':' {
				continue
			}
			if !r.selected(cmd, ps, last) {
				if cmd.name == '{' {
					pc = cmd.blockTo
				}
				continue
			}
			switch cmd.name {
			case '{':
			case 's':
				re := cmd.re
				if re == nil {
					re = r.sc.lastRE
				}
				if re == nil {
					r.c.Errorf("no previous regexp")
					return 1
				}
				r.sc.lastRE = re
				if out, did := substitute(re, ps, cmd); did {
					ps = out
					substituted = true
					if cmd.printS {
						r.write(ps, true)
					}
					if cmd.wfile != "" {
						r.writeFile(cmd.wfile, ps)
					}
				}
			case 'y':
				ps = strings.Map(func(ch rune) rune {
					for i, f := range cmd.from {
						if f == ch {
							return cmd.to[i]
						}
					}
					return ch
				}, ps)
			case 'p':
				r.write(ps, true)
			case 'P':
				first, _, _ := strings.Cut(ps, "\n")
				r.write(first, true)
			case 'd':
				deleted = true
				break cycle
			case 'D':
				i := strings.IndexByte(ps, '\n')
				if i < 0 {
					deleted = true
					break cycle
				}
				ps = ps[i+1:]
				restart = true
				break cycle
			case 'n':
				if !in.hasNext {
					quit = true
					break cycle
				}
				if !r.quiet {
					r.write(ps, !noNL)
				}
				ps, noNL, _ = in.read()
				r.lineNo++
			case 'N':
				if !in.hasNext {
					quit = true
					break cycle
				}
				var next string
				next, noNL, _ = in.read()
				ps += "\n" + next
				r.lineNo++
			case 'g':
				ps = r.hold
			case 'G':
				ps += "\n" + r.hold
			case 'h':
				r.hold = ps
			case 'H':
				r.hold += "\n" + ps
			case 'x':
				ps, r.hold = r.hold, ps
			case 'z':
				ps = ""
			case '=':
				r.write(strconv.Itoa(r.lineNo), true)
			case 'l':
				r.write(sedList(ps), true)
			case 'a':
				appendQueue = append(appendQueue, cmd.text+"\n")
			case 'i':
				r.write(cmd.text, true)
			case 'c':
				if cmd.a2 == nil || !cmd.inRange {
					r.write(cmd.text, true)
				}
				deleted = true
				break cycle
			case 'r':
				if b, err := os.ReadFile(cmd.text); err == nil {
					s := string(b)
					if s != "" && !strings.HasSuffix(s, "\n") {
						s += "\n"
					}
					appendQueue = append(appendQueue, s)
				}
			case 'w':
				r.writeFile(cmd.text, ps)
			case 'b', 't', 'T':
				jump := cmd.name == 'b' || (cmd.name == 't' && substituted) || (cmd.name == 'T' && !substituted)
				if cmd.name != 'b' {
					substituted = false
				}
				if !jump {
					continue
				}
				if cmd.text == "" {
					pc = len(r.sc.cmds)
				} else {
					pc = labels[cmd.text]
				}
			case 'q':
				quit = true
				break cycle
			case 'Q':
				quit, printAtQuit = true, false
				break cycle
			}
		}
		if !deleted && !r.quiet && printAtQuit {
			r.write(ps, !noNL)
		}
		for _, s := range appendQueue {
			io.WriteString(r.out, s)
		}
		if quit {
			return quitCode
		}
		if restart {
			continue
		}
		if ps, noNL, ok = in.read(); !ok {
			return 0
		}
		r.lineNo++
	}
}

func (r *sedRun) writeFile(name, s string) {
	if r.wfiles == nil {
		r.wfiles = map[string]*os.File{}
	}
	f, ok := r.wfiles[name]
	if !ok {
		var err error
		if name == "/dev/stdout" {
			io.WriteString(r.out, s+"\n")
			return
		}
		f, err = os.Create(name)
		if err != nil {
			r.c.Errorf("%s", pathErr(name, err))
			return
		}
		r.wfiles[name] = f
	}
	io.WriteString(f, s+"\n")
}

// substitute runs one s command on ps.
func substitute(re *regexp.Regexp, ps string, cmd *sedCmd) (string, bool) {
	matches := re.FindAllStringSubmatchIndex(ps, -1)
	if len(matches) == 0 {
		return ps, false
	}
	var b strings.Builder
	prev := 0
	did := false
	for i, m := range matches {
		n := i + 1
		if (cmd.nth > 0 && n < cmd.nth) || (cmd.nth > 0 && !cmd.global && n > cmd.nth) || (cmd.nth == 0 && !cmd.global && n > 1) {
			continue
		}
		b.WriteString(ps[prev:m[0]])
		b.WriteString(expandRepl(cmd.repl, ps, m))
		prev = m[1]
		did = true
	}
	b.WriteString(ps[prev:])
	return b.String(), did
}

// expandRepl expands & and \1..\9 in a replacement.
func expandRepl(repl, s string, m []int) string {
	var b strings.Builder
	for i := 0; i < len(repl); i++ {
		ch := repl[i]
		switch {
		case ch == '&':
			b.WriteString(s[m[0]:m[1]])
		case ch == '\\' && i+1 < len(repl):
			i++
			next := repl[i]
			switch {
			case next >= '0' && next <= '9':
				g := int(next - '0')
				if 2*g+1 < len(m) && m[2*g] >= 0 {
					b.WriteString(s[m[2*g]:m[2*g+1]])
				}
			case next == 'n':
				b.WriteByte('\n')
			case next == 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(next)
			}
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// sedList is the l command's unambiguous form of s.
func sedList(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch ch {
		case '\\':
			b.WriteString(`\\`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\v':
			b.WriteString(`\v`)
		default:
			if ch < 32 || ch >= 127 {
				fmt.Fprintf(&b, "\\%03o", ch)
			} else {
				b.WriteByte(ch)
			}
		}
	}
	return b.String() + "$"
}
