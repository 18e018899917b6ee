package toolbox

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

func init() {
	Register(
		// echo, like test and true, has no --help: busybox prints "--help".
		&Applet{Name: "echo", Run: echo},
		&Applet{Name: "printf", Usage: "printf FORMAT [ARG]...", Help: "Format and print ARG(s) according to FORMAT (a-la C printf)", Run: printfApplet},
		&Applet{Name: "cat", Usage: "cat [-nbvteA] [FILE]...", Help: "Print FILEs to stdout\n\n\t-n\tNumber output lines\n\t-b\tNumber nonempty lines\n\t-v\tShow nonprinting characters as ^x or M-x\n\t-t\t...and tabs as ^I\n\t-e\t...and end lines with $\n\t-A\tSame as -vte", Run: cat},
		&Applet{Name: "wc", Usage: "wc [-cmlwL] [FILE]...", Help: "Count lines, words, and bytes for FILEs (or stdin)\n\n\t-c\tCount bytes\n\t-m\tCount characters\n\t-l\tCount newlines\n\t-w\tCount words\n\t-L\tPrint longest line length", Run: wc},
		&Applet{Name: "head", Usage: "head [OPTIONS] [FILE]...", Help: "Print first 10 lines of FILEs (or stdin).\nWith more than one FILE, precede each with a filename header.\n\n\t-n N[bkm]\tPrint first N lines\n\t-n -N[bkm]\tPrint all except N last lines\n\t-c [-]N[bkm]\tPrint first N bytes\n\t-q\t\tNever print headers\n\t-v\t\tAlways print headers", Run: head},
		&Applet{Name: "tail", Usage: "tail [OPTIONS] [FILE]...", Help: "Print last 10 lines of FILEs (or stdin) to stdout.\nWith more than one FILE, precede each with a filename header.\n\n\t-f\t\tPrint data as file grows\n\t-s SECONDS\tWait SECONDS between reads with -f\n\t-n N[bkm]\tPrint last N lines\n\t-n +N[bkm]\tStart on Nth line and print the rest\n\t-c [+]N[bkm]\tPrint last N bytes\n\t-q\t\tNever print headers\n\t-v\t\tAlways print headers", Run: tail},
		&Applet{Name: "tr", Usage: "tr [-cds] STRING1 [STRING2]", Help: "Translate, squeeze, or delete characters from stdin, writing to stdout\n\n\t-c\tTake complement of STRING1\n\t-d\tDelete input characters coded STRING1\n\t-s\tSqueeze multiple output characters of STRING2 into one character", Run: tr},
		&Applet{Name: "cut", Usage: "cut [OPTIONS] [FILE]...", Help: "Print selected fields from FILEs to stdout\n\n\t-b LIST\tOutput only bytes from LIST\n\t-c LIST\tOutput only characters from LIST\n\t-d SEP\tField delimiter for input (default -f TAB)\n\t-s\tOutput only lines containing delimiter\n\t-f LIST\tPrint only these fields", Run: cut},
		&Applet{Name: "sort", Usage: "sort [-nrufbcs] [-k START[,END]] [-t CHAR] [-o FILE] [FILE]...", Help: "Sort lines of text\n\n\t-b\tIgnore leading blanks\n\t-c\tCheck whether input is sorted\n\t-f\tIgnore case\n\t-n\tSort numbers\n\t-r\tReverse sort order\n\t-s\tStable (don't sort ties alphabetically)\n\t-u\tSuppress duplicate lines\n\t-k N[,M] Sort by Nth field\n\t-t CHAR\tField separator\n\t-o FILE\tOutput to FILE", Run: sortApplet},
		&Applet{Name: "uniq", Usage: "uniq [-cdui] [-f,s,w N] [INPUT [OUTPUT]]", Help: "Discard duplicate lines\n\n\t-c\tPrefix lines by the number of occurrences\n\t-d\tOnly print duplicate lines\n\t-u\tOnly print unique lines\n\t-i\tIgnore case\n\t-f N\tSkip first N fields\n\t-s N\tSkip first N chars (after any skipped fields)\n\t-w N\tCompare N characters in line", Run: uniq},
		&Applet{Name: "tee", Usage: "tee [-ai] [FILE]...", Help: "Copy stdin to each FILE, and also to stdout\n\n\t-a\tAppend to the given FILEs, don't overwrite\n\t-i\tIgnore interrupt signals (SIGINT)", Run: tee},
		&Applet{Name: "base64", Usage: "base64 [-d] [-w COL] [FILE]", Help: "Base64 encode or decode FILE to standard output\n\n\t-d\tDecode data\n\t-w COL\tWrap lines at COL (default 76, 0 disables)", Run: base64Applet},
		&Applet{Name: "md5sum", Usage: "md5sum [-c[sw]] [FILE]...", Help: "Print or check MD5 checksums\n\n\t-c\tCheck sums against list in FILEs\n\t-s\tDon't output anything, status code shows success\n\t-w\tWarn about improperly formatted checksum lines", Run: sumApplet(md5.New)},
		&Applet{Name: "sha1sum", Usage: "sha1sum [-c[sw]] [FILE]...", Help: "Print or check SHA1 checksums", Run: sumApplet(sha1.New)},
		&Applet{Name: "sha256sum", Usage: "sha256sum [-c[sw]] [FILE]...", Help: "Print or check SHA256 checksums", Run: sumApplet(sha256.New)},
		&Applet{Name: "sha512sum", Usage: "sha512sum [-c[sw]] [FILE]...", Help: "Print or check SHA512 checksums", Run: sumApplet(sha512.New)},
		&Applet{Name: "more", Usage: "more [FILE]...", Help: "View FILE (or stdin) one screenful at a time", Run: pager},
		&Applet{Name: "less", Usage: "less [FILE]...", Help: "View FILE (or stdin) one screenful at a time", Run: pager},
		&Applet{Name: "seq", Usage: "seq [-w] [-s SEP] [FIRST [INC]] LAST", Help: "Print numbers from FIRST to LAST, in steps of INC.\nFIRST, INC default to 1.\n\n\t-w\tPad to last with leading zeros\n\t-s SEP\tString separator", Run: seq},
		&Applet{Name: "basename", Usage: "basename FILE [SUFFIX] | -a FILE... | -s SUFFIX FILE...", Help: "Strip directory path and SUFFIX from FILE\n\n\t-a\t\tAll arguments are FILEs\n\t-s SUFFIX\tRemove SUFFIX (implies -a)", Run: basename},
		&Applet{Name: "dirname", Usage: "dirname FILENAME", Help: "Strip non-directory suffix from FILENAME", Run: dirname},
		&Applet{Name: "tac", Usage: "tac [FILE]...", Help: "Concatenate FILEs and print them in reverse", Run: tac},
		&Applet{Name: "cmp", Usage: "cmp [-ls] [-n NUM] FILE1 [FILE2]", Help: "Compare FILE1 with FILE2 (or stdin)\n\n\t-l\tWrite the byte numbers (decimal) and values (octal)\n\t\tfor all differing bytes\n\t-s\tQuiet", Run: cmp},
	)
}

// openInput opens a file operand; "-" is stdin. The error is busybox's
// "can't open 'NAME': Error" text.
func openInput(c *Context, name string) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(c.Stdin), nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("can't open '%s': %s", name, errText(err))
	}
	return f, nil
}

// inputs runs fn on each file operand (stdin when there are none),
// printing open errors; it returns 1 when any file failed.
func inputs(c *Context, names []string, fn func(name string, r io.Reader) error) int {
	if len(names) == 0 {
		names = []string{"-"}
	}
	status := 0
	for _, name := range names {
		r, err := openInput(c, name)
		if err != nil {
			c.Errorf("%s", err)
			status = 1
			continue
		}
		err = fn(name, r)
		r.Close()
		if err != nil {
			c.Errorf("%s", err)
			status = 1
		}
	}
	return status
}

func echo(c *Context, args []string) int {
	newline, escapes := true, false
	for len(args) > 0 {
		a := args[0]
		if len(a) < 2 || a[0] != '-' || strings.Trim(a[1:], "neE") != "" {
			break
		}
		for _, f := range a[1:] {
			switch f {
			case 'n':
				newline = false
			case 'e':
				escapes = true
			case 'E':
				escapes = false
			}
		}
		args = args[1:]
	}
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if !escapes {
			b.WriteString(a)
			continue
		}
		s, stop := unescape(a, true)
		b.WriteString(s)
		if stop {
			newline = false
			break
		}
	}
	if newline {
		b.WriteByte('\n')
	}
	if _, err := io.WriteString(c.Stdout, b.String()); err != nil {
		c.Errorf("write error: %s", errText(err))
		return 1
	}
	return 0
}

// unescape processes backslash escapes like echo -e and printf's %b:
// \a \b \e \f \n \r \t \v \\ \0NNN \NNN \xHH, and \c, which stops all
// output (stop is then true).
func unescape(s string, octalWithZero bool) (out string, stop bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch ch := s[i]; ch {
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'e', 'E':
			b.WriteByte(0x1b)
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '\\':
			b.WriteByte('\\')
		case 'c':
			return b.String(), true
		case 'x':
			n, j := 0, i+1
			for ; j < len(s) && j < i+3 && isHex(s[j]); j++ {
				n = n*16 + hexVal(s[j])
			}
			if j == i+1 {
				b.WriteString(`\x`)
				continue
			}
			b.WriteByte(byte(n))
			i = j - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			start := i
			if ch == '0' && octalWithZero {
				start = i + 1
			}
			n, j := 0, start
			for ; j < len(s) && j < start+3 && s[j] >= '0' && s[j] <= '7'; j++ {
				n = n*8 + int(s[j]-'0')
			}
			b.WriteByte(byte(n))
			i = j - 1
		default:
			b.WriteByte('\\')
			b.WriteByte(ch)
		}
	}
	return b.String(), false
}

// unescapeC is unescape for option values such as xargs -d '\n'.
func unescapeC(s string) string {
	out, _ := unescape(s, false)
	return out
}

func isHex(b byte) bool {
	return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F')
}

func hexVal(b byte) int {
	switch {
	case b >= '0' && b <= '9':
		return int(b - '0')
	case b >= 'a' && b <= 'f':
		return int(b-'a') + 10
	}
	return int(b-'A') + 10
}

func printfApplet(c *Context, args []string) int {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return c.Usage()
	}
	p := &printer{c: c}
	format, args := args[0], args[1:]
	for {
		consumed, stop := p.format(format, args)
		if stop || p.err {
			break
		}
		args = args[consumed:]
		if consumed == 0 || len(args) == 0 {
			break
		}
	}
	if p.err {
		return 1
	}
	return p.status
}

// printer is printf's state: output, status and whether %b said stop.
type printer struct {
	c      *Context
	status int
	err    bool
}

// format prints format once with args and returns how many it used.
func (p *printer) format(format string, args []string) (int, bool) {
	var out strings.Builder
	used := 0
	next := func() (string, bool) {
		if used < len(args) {
			used++
			return args[used-1], true
		}
		return "", false
	}
	defer func() { io.WriteString(p.c.Stdout, out.String()) }()
	for i := 0; i < len(format); i++ {
		ch := format[i]
		if ch == '\\' {
			j := i + 1
			if j < len(format) && format[j] == 'c' {
				return used, true
			}
			// One escape: find its end, then unescape it alone.
			end := j + 1
			if j < len(format) {
				switch {
				case format[j] == 'x':
					for end < len(format) && end < j+3 && isHex(format[end]) {
						end++
					}
				case format[j] >= '0' && format[j] <= '7':
					for end < len(format) && end < j+3 && format[end] >= '0' && format[end] <= '7' {
						end++
					}
				}
			}
			s, _ := unescape(format[i:min(end, len(format))], false)
			out.WriteString(s)
			i = min(end, len(format)) - 1
			continue
		}
		if ch != '%' {
			out.WriteByte(ch)
			continue
		}
		start := i
		i++
		for i < len(format) && strings.IndexByte("-+ #0", format[i]) >= 0 {
			i++
		}
		spec := format[start+1 : i]
		readNum := func() string {
			if i < len(format) && format[i] == '*' {
				i++
				a, _ := next()
				n, _ := p.toInt(a)
				return strconv.FormatInt(n, 10)
			}
			s := i
			for i < len(format) && format[i] >= '0' && format[i] <= '9' {
				i++
			}
			return format[s:i]
		}
		width := readNum()
		prec := ""
		hasPrec := false
		if i < len(format) && format[i] == '.' {
			i++
			hasPrec = true
			prec = readNum()
		}
		for i < len(format) && strings.IndexByte("hlLqjzt", format[i]) >= 0 {
			i++
		}
		if i >= len(format) {
			p.c.Errorf("%s: invalid format", format[start:])
			p.err = true
			return used, true
		}
		verb := format[i]
		f := "%" + spec + width
		if hasPrec {
			f += "." + prec
		}
		switch verb {
		case '%':
			if i != start+1 {
				p.c.Errorf("%s: invalid format", format[start:])
				p.err = true
				return used, true
			}
			out.WriteByte('%')
		case 's':
			a, _ := next()
			fmt.Fprintf(&out, f+"s", a)
		case 'b':
			a, _ := next()
			s, stop := unescape(a, true)
			fmt.Fprintf(&out, f+"s", s)
			if stop {
				return used, true
			}
		case 'c':
			a, _ := next()
			if a != "" {
				fmt.Fprintf(&out, f+"c", rune(a[0]))
			} else {
				fmt.Fprintf(&out, f+"s", "")
			}
		case 'd', 'i':
			a, _ := next()
			n, _ := p.toInt(a)
			fmt.Fprintf(&out, f+"d", n)
		case 'o', 'u', 'x', 'X':
			a, _ := next()
			n, _ := p.toInt(a)
			v := verb
			if v == 'u' {
				v = 'd'
			}
			if strings.Contains(spec, "#") && verb == 'o' {
				fmt.Fprintf(&out, strings.Replace(f, "#", "", 1)+"s", "0"+strconv.FormatUint(uint64(n), 8))
				continue
			}
			fmt.Fprintf(&out, f+string(v), uint64(n))
		case 'f', 'F', 'e', 'E', 'g', 'G':
			a, _ := next()
			x, ok := parseFloatArg(a)
			if !ok {
				p.c.Errorf("invalid number '%s'", a)
				p.status = 1
			}
			if verb == 'F' {
				verb = 'f'
			}
			fmt.Fprintf(&out, f+string(verb), x)
		default:
			p.c.Errorf("%s: invalid format", format[start:])
			p.err = true
			return used, true
		}
	}
	return used, false
}

// toInt reads a printf integer argument like strtoll: 0x hex, 0 octal,
// 'c for a character's code; errors print busybox's message.
func (p *printer) toInt(a string) (int64, bool) {
	if a == "" {
		return 0, true
	}
	if a[0] == '\'' || a[0] == '"' {
		if len(a) > 1 {
			r, _ := utf8.DecodeRuneInString(a[1:])
			return int64(r), true
		}
		return 0, true
	}
	n, err := strconv.ParseInt(strings.TrimSpace(a), 0, 64)
	if err != nil {
		if u, uerr := strconv.ParseUint(strings.TrimSpace(a), 0, 64); uerr == nil {
			return int64(u), true
		}
		p.c.Errorf("invalid number '%s'", a)
		p.status = 1
		return 0, false
	}
	return n, true
}

func parseFloatArg(a string) (float64, bool) {
	if a == "" {
		return 0, true
	}
	if a[0] == '\'' || a[0] == '"' {
		if len(a) > 1 {
			r, _ := utf8.DecodeRuneInString(a[1:])
			return float64(r), true
		}
		return 0, true
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(a), 64)
	return x, err == nil
}

func cat(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "nbvteAsu", nil)
	if !ok {
		return 1
	}
	showEnds := o.on('e') || o.on('A')
	showTabs := o.on('t') || o.on('A')
	showNonPrint := o.on('v') || showEnds || showTabs
	number := o.on('n') || o.on('b')
	if !number && !showNonPrint {
		status := inputs(c, names, func(name string, r io.Reader) error {
			if _, err := io.Copy(c.Stdout, r); err != nil {
				return fmt.Errorf("read error: %s", errText(err))
			}
			return nil
		})
		return status
	}
	line := 0
	return inputs(c, names, func(name string, r io.Reader) error {
		br := bufio.NewReader(r)
		for {
			s, err := br.ReadString('\n')
			if s != "" {
				body := strings.TrimSuffix(s, "\n")
				nl := len(body) < len(s)
				if number && !(o.on('b') && body == "") {
					line++
					fmt.Fprintf(c.Stdout, "%6d\t", line)
				}
				if showNonPrint {
					body = visible(body, showTabs)
				}
				io.WriteString(c.Stdout, body)
				if nl || number { // busybox numbers whole lines
					if showEnds {
						io.WriteString(c.Stdout, "$")
					}
					io.WriteString(c.Stdout, "\n")
				}
			}
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("read error: %s", errText(err))
			}
		}
	})
}

// visible shows control characters as ^X and high bytes as M-X, like cat -v.
func visible(s string, tabs bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 128 {
			b.WriteString("M-")
			ch -= 128
		}
		switch {
		case ch == '\t' && !tabs:
			b.WriteByte(ch)
		case ch < 32:
			b.WriteByte('^')
			b.WriteByte(ch + 64)
		case ch == 127:
			b.WriteString("^?")
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

func wc(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "cmlwL", nil)
	if !ok {
		return 1
	}
	cols := []byte{}
	for _, f := range []byte("lwcmL") {
		if o.on(f) {
			cols = append(cols, f)
		}
	}
	if len(cols) == 0 {
		cols = []byte("lwc")
	}
	totals := map[byte]int{}
	single := len(cols) == 1 && len(names) <= 1
	print := func(counts map[byte]int, name string) {
		var parts []string
		for _, f := range cols {
			if single {
				parts = append(parts, strconv.Itoa(counts[f]))
			} else {
				parts = append(parts, fmt.Sprintf("%9d", counts[f]))
			}
		}
		line := strings.Join(parts, " ")
		if name != "" {
			line += " " + name
		}
		fmt.Fprintln(c.Stdout, line)
	}
	status := 0
	implicit := len(names) == 0
	if implicit {
		names = []string{"-"}
	}
	for _, name := range names {
		var r io.Reader
		var f *os.File
		if name == "-" {
			r = c.Stdin
		} else {
			var err error
			f, err = os.Open(name)
			if err != nil {
				c.Errorf("%s", pathErr(name, err))
				status = 1
				continue
			}
			r = f
		}
		counts, err := countText(r)
		if f != nil {
			f.Close()
		}
		if err != nil {
			c.Errorf("%s", pathErr(name, err))
			status = 1
			continue
		}
		for k, v := range counts {
			if k == 'L' {
				totals[k] = max(totals[k], v)
			} else {
				totals[k] += v
			}
		}
		label := name
		if implicit {
			label = ""
		}
		print(counts, label)
	}
	if len(names) > 1 {
		print(totals, "total")
	}
	return status
}

func countText(r io.Reader) (map[byte]int, error) {
	counts := map[byte]int{}
	br := bufio.NewReaderSize(r, 64<<10)
	inWord := false
	lineLen := 0
	for {
		ch, size, err := br.ReadRune()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		counts['c'] += size
		counts['m']++
		switch {
		case ch == '\n':
			counts['l']++
			counts['L'] = max(counts['L'], lineLen)
			lineLen = 0
		case ch == '\t':
			lineLen += 8 - lineLen%8
		default:
			lineLen++
		}
		if unicode.IsSpace(ch) {
			inWord = false
		} else if !inWord && unicode.IsPrint(ch) {
			inWord = true
			counts['w']++
		}
	}
	counts['L'] = max(counts['L'], lineLen)
	return counts, nil
}

// countArg parses head/tail's N with busybox's b, k and m suffixes.
func countArg(s string) (int64, bool) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "b"):
		mult, s = 512, s[:len(s)-1]
	case strings.HasSuffix(s, "k"):
		mult, s = 1024, s[:len(s)-1]
	case strings.HasSuffix(s, "m"):
		mult, s = 1024*1024, s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return n * mult, true
}

// numericFirst turns head -5 / tail -5 / tail +5 into -n forms.
func numericFirst(args []string, plus bool) []string {
	if len(args) > 0 && len(args[0]) > 1 && (args[0][0] == '-' || (plus && args[0][0] == '+')) {
		if _, err := strconv.Atoi(args[0][1:]); err == nil {
			n := args[0][1:]
			if args[0][0] == '+' {
				n = "+" + n
			}
			return append([]string{"-n", n}, args[1:]...)
		}
	}
	return args
}

func headerFor(c *Context, name string, first bool) {
	if name == "-" {
		name = "standard input"
	}
	if !first {
		io.WriteString(c.Stdout, "\n")
	}
	fmt.Fprintf(c.Stdout, "==> %s <==\n", name)
}

func head(c *Context, args []string) int {
	o, names, ok := c.getopt(numericFirst(args, false), "n:c:qv", nil)
	if !ok {
		return 1
	}
	lines, bytesMode := int64(10), false
	if o.on('n') {
		n, ok := countArg(o.val('n'))
		if !ok {
			c.Errorf("invalid number '%s'", o.val('n'))
			return 1
		}
		lines = n
	}
	if o.on('c') {
		n, ok := countArg(o.val('c'))
		if !ok {
			c.Errorf("invalid number '%s'", o.val('c'))
			return 1
		}
		lines, bytesMode = n, true
	}
	headers := (len(names) > 1 || o.on('v')) && !o.on('q')
	first := true
	return inputs(c, names, func(name string, r io.Reader) error {
		if headers {
			headerFor(c, name, first)
		}
		first = false
		if bytesMode {
			if lines >= 0 {
				_, err := io.CopyN(c.Stdout, r, lines)
				if err == io.EOF {
					err = nil
				}
				return err
			}
			data, err := io.ReadAll(r)
			if err != nil {
				return err
			}
			_, err = c.Stdout.Write(data[:max(0, len(data)+int(lines))])
			return err
		}
		br := bufio.NewReader(r)
		if lines < 0 {
			var all []string
			for {
				s, err := br.ReadString('\n')
				if s != "" {
					all = append(all, s)
				}
				if err != nil {
					break
				}
			}
			for _, s := range all[:max(0, len(all)+int(lines))] {
				io.WriteString(c.Stdout, s)
			}
			return nil
		}
		for n := int64(0); n < lines; n++ {
			s, err := br.ReadString('\n')
			io.WriteString(c.Stdout, s)
			if err != nil {
				break
			}
		}
		return nil
	})
}

func tail(c *Context, args []string) int {
	o, names, ok := c.getopt(numericFirst(args, true), "n:c:qvfFs:", nil)
	if !ok {
		return 1
	}
	count, fromStart, bytesMode := int64(10), false, false
	for _, f := range []byte("nc") {
		if !o.on(f) {
			continue
		}
		v := o.val(f)
		if strings.HasPrefix(v, "+") {
			fromStart = true
			v = v[1:]
		}
		n, ok := countArg(strings.TrimPrefix(v, "-"))
		if !ok {
			c.Errorf("invalid number '%s'", o.val(f))
			return 1
		}
		count, bytesMode = n, f == 'c'
	}
	follow := o.on('f') || o.on('F')
	interval := time.Second
	if s := o.val('s'); s != "" {
		if d, err := strconv.ParseFloat(s, 64); err == nil {
			interval = time.Duration(d * float64(time.Second))
		}
	}
	headers := (len(names) > 1 || o.on('v')) && !o.on('q')
	first := true
	read := map[string]int64{} // where following starts
	status := inputs(c, names, func(name string, r io.Reader) error {
		if headers {
			headerFor(c, name, first)
		}
		first = false
		data, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		read[name] = int64(len(data))
		c.Stdout.Write(tailOf(data, count, fromStart, bytesMode))
		return nil
	})
	if !follow {
		return status
	}
	c.Flush()
	return followFiles(c, names, read, interval, headers)
}

// tailOf selects the last count lines or bytes of data, or everything
// from line or byte count on (fromStart, tail +N).
func tailOf(data []byte, count int64, fromStart, bytesMode bool) []byte {
	if bytesMode {
		if fromStart {
			return data[min(int64(len(data)), max(count-1, 0)):]
		}
		return data[max(0, int64(len(data))-count):]
	}
	if fromStart {
		pos := 0
		for n := int64(1); n < count && pos < len(data); n++ {
			i := bytes.IndexByte(data[pos:], '\n')
			if i < 0 {
				return nil
			}
			pos += i + 1
		}
		return data[pos:]
	}
	end := len(data)
	if end > 0 && data[end-1] == '\n' {
		end--
	}
	pos := end
	for n := int64(0); n < count; n++ {
		i := bytes.LastIndexByte(data[:pos], '\n')
		if i < 0 {
			return data
		}
		pos = i
		if n+1 < count {
			continue
		}
		return data[pos+1:]
	}
	return data[len(data):]
}

// followFiles is tail -f: print what is appended to the files, forever.
func followFiles(c *Context, names []string, read map[string]int64, interval time.Duration, headers bool) int {
	if len(names) == 0 {
		// Following a pipe is reading it to its end.
		io.Copy(c.Stdout, c.Stdin)
		return 0
	}
	offsets := make([]int64, len(names))
	for i, name := range names {
		offsets[i] = read[name]
	}
	last := len(names) - 1
	buf := make([]byte, 32<<10)
	for {
		for i, name := range names {
			f, err := os.Open(name)
			if err != nil {
				continue
			}
			st, err := f.Stat()
			if err == nil && st.Size() < offsets[i] {
				offsets[i] = 0 // truncated
			}
			for err == nil {
				var n int
				n, err = f.ReadAt(buf, offsets[i])
				if n > 0 {
					if headers && last != i {
						headerFor(c, name, false)
						last = i
					}
					c.Stdout.Write(buf[:n])
					offsets[i] += int64(n)
				}
			}
			f.Close()
		}
		if err := c.Flush(); err != nil {
			return 1
		}
		time.Sleep(interval)
	}
}

// trSet expands a tr set: ranges a-z, classes [:alpha:], [c*n] repeats,
// and escapes.
func trSet(s string) []byte {
	s = unescapeC(s)
	var out []byte
	classes := map[string]func(byte) bool{
		"alpha": func(b byte) bool { return unicode.IsLetter(rune(b)) && b < 128 },
		"digit": func(b byte) bool { return b >= '0' && b <= '9' },
		"alnum": func(b byte) bool { return (unicode.IsLetter(rune(b)) || unicode.IsDigit(rune(b))) && b < 128 },
		"lower": func(b byte) bool { return b >= 'a' && b <= 'z' },
		"upper": func(b byte) bool { return b >= 'A' && b <= 'Z' },
		"space": func(b byte) bool { return b == ' ' || (b >= '\t' && b <= '\r') },
		"blank": func(b byte) bool { return b == ' ' || b == '\t' },
		"punct": func(b byte) bool {
			return b > 32 && b < 127 && unicode.IsPunct(rune(b)) || unicode.IsSymbol(rune(b)) && b < 127
		},
		"print":  func(b byte) bool { return b >= 32 && b < 127 },
		"graph":  func(b byte) bool { return b > 32 && b < 127 },
		"cntrl":  func(b byte) bool { return b < 32 || b == 127 },
		"xdigit": func(b byte) bool { return isHex(b) },
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '[' && i+1 < len(s) && s[i+1] == ':' {
			if end := strings.Index(s[i+2:], ":]"); end >= 0 {
				if fn, ok := classes[s[i+2:i+2+end]]; ok {
					for b := 0; b < 256; b++ {
						if fn(byte(b)) {
							out = append(out, byte(b))
						}
					}
					i += end + 3
					continue
				}
			}
		}
		if s[i] == '[' && i+3 < len(s) && s[i+2] == '*' {
			if end := strings.IndexByte(s[i+3:], ']'); end >= 0 {
				n, err := strconv.Atoi(s[i+3 : i+3+end])
				if err == nil || s[i+3:i+3+end] == "" {
					for k := 0; k < max(n, 1); k++ {
						out = append(out, s[i+1])
					}
					i += end + 3
					continue
				}
			}
		}
		if i+2 < len(s) && s[i+1] == '-' {
			for b := int(s[i]); b <= int(s[i+2]); b++ {
				out = append(out, byte(b))
			}
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}

func tr(c *Context, args []string) int {
	o, sets, ok := c.getopt(args, "cdsC", nil)
	if !ok {
		return 1
	}
	del, squeeze, comp := o.on('d'), o.on('s'), o.on('c') || o.on('C')
	if len(sets) == 0 || (len(sets) == 1 && !del && !squeeze) || len(sets) > 2 {
		return c.Usage()
	}
	var in1 [256]bool
	for _, b := range trSet(sets[0]) {
		in1[b] = true
	}
	if comp {
		for i := range in1 {
			in1[i] = !in1[i]
		}
	}
	var mapping [256]int
	for i := range mapping {
		mapping[i] = -1
	}
	var set2 []byte
	if len(sets) == 2 {
		set2 = trSet(sets[1])
	}
	if !del && len(set2) > 0 {
		var from []byte
		for b := 0; b < 256; b++ {
			if comp && in1[b] {
				from = append(from, byte(b))
			}
		}
		if !comp {
			from = trSet(sets[0])
		}
		for i, b := range from {
			to := set2[len(set2)-1]
			if i < len(set2) {
				to = set2[i]
			}
			mapping[b] = int(to)
		}
	}
	var squeezeSet [256]bool
	if squeeze {
		src := set2
		if len(sets) == 1 || del {
			if del {
				src = set2
			} else {
				src = nil
				for b := 0; b < 256; b++ {
					if in1[b] {
						src = append(src, byte(b))
					}
				}
			}
		}
		for _, b := range src {
			squeezeSet[b] = true
		}
	}
	br := bufio.NewReaderSize(c.Stdin, 64<<10)
	bw := bufio.NewWriterSize(c.Stdout, 64<<10)
	defer bw.Flush()
	last := -1
	for {
		b, err := br.ReadByte()
		if err != nil {
			break
		}
		if del && in1[b] {
			continue
		}
		if m := mapping[b]; m >= 0 {
			b = byte(m)
		}
		if squeeze && squeezeSet[b] && int(b) == last {
			continue
		}
		last = int(b)
		bw.WriteByte(b)
	}
	return 0
}

// cutList is a parsed cut LIST: ranges of 1-based positions.
type cutRange struct{ from, to int } // to 0: to the end

func parseCutList(s string) ([]cutRange, error) {
	var out []cutRange
	for _, part := range strings.Split(s, ",") {
		from, to, isRange := strings.Cut(part, "-")
		r := cutRange{}
		var err error
		if from == "" {
			r.from = 1
		} else if r.from, err = strconv.Atoi(from); err != nil || r.from < 1 {
			return nil, fmt.Errorf("invalid byte or field list")
		}
		switch {
		case !isRange:
			r.to = r.from
		case to == "":
			r.to = 0
		default:
			if r.to, err = strconv.Atoi(to); err != nil || r.to < r.from {
				return nil, fmt.Errorf("invalid byte or field list")
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func inCut(rs []cutRange, i int) bool {
	for _, r := range rs {
		if i >= r.from && (r.to == 0 || i <= r.to) {
			return true
		}
	}
	return false
}

func cut(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "b:c:f:d:sn", nil)
	if !ok {
		return 1
	}
	mode, list := byte(0), ""
	for _, f := range []byte("bcf") {
		if o.on(f) {
			if mode != 0 {
				c.Errorf("only one type of list may be specified")
				return 1
			}
			mode, list = f, o.val(f)
		}
	}
	if mode == 0 {
		c.Errorf("expected a list of bytes, characters, or fields")
		return 1
	}
	ranges, err := parseCutList(list)
	if err != nil {
		c.Errorf("%s", err)
		return 1
	}
	delim := "\t"
	if o.on('d') {
		delim = o.val('d')
		if len(delim) != 1 {
			c.Errorf("the delimiter must be a single character")
			return 1
		}
	}
	return inputs(c, names, func(name string, r io.Reader) error {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 64<<20)
		for sc.Scan() {
			line := sc.Text()
			var out strings.Builder
			switch mode {
			case 'b', 'c':
				for i := 0; i < len(line); i++ {
					if inCut(ranges, i+1) {
						out.WriteByte(line[i])
					}
				}
			case 'f':
				if !strings.Contains(line, delim) {
					if o.on('s') {
						continue
					}
					out.WriteString(line)
					break
				}
				fields := strings.Split(line, delim)
				var sel []string
				for i, f := range fields {
					if inCut(ranges, i+1) {
						sel = append(sel, f)
					}
				}
				out.WriteString(strings.Join(sel, delim))
			}
			fmt.Fprintln(c.Stdout, out.String())
		}
		return sc.Err()
	})
}

// sortKey is one -k field specification.
type sortKey struct {
	startField, startChar int
	endField, endChar     int // endField 0: to the end of line
	numeric, reverse      bool
	fold, blanks          bool
	general               bool
}

func parseSortKey(s string, global sortKey) (sortKey, error) {
	k := global
	k.endField, k.endChar = 0, 0
	start, end, hasEnd := strings.Cut(s, ",")
	parsePos := func(p string) (field, char int, flags string, err error) {
		i := 0
		for i < len(p) && (p[i] >= '0' && p[i] <= '9' || p[i] == '.') {
			i++
		}
		pos, flags := p[:i], p[i:]
		f, ch, _ := strings.Cut(pos, ".")
		if field, err = strconv.Atoi(f); err != nil || field < 1 {
			return 0, 0, "", fmt.Errorf("invalid number '%s'", p)
		}
		if ch != "" {
			if char, err = strconv.Atoi(ch); err != nil {
				return 0, 0, "", fmt.Errorf("invalid number '%s'", p)
			}
		}
		return field, char, flags, nil
	}
	var flags string
	var err error
	if k.startField, k.startChar, flags, err = parsePos(start); err != nil {
		return k, err
	}
	if hasEnd {
		var f2 string
		if k.endField, k.endChar, f2, err = parsePos(end); err != nil {
			return k, err
		}
		flags += f2
	}
	if flags != "" {
		k.numeric, k.reverse, k.fold, k.blanks, k.general = false, false, false, false, false
	}
	for _, f := range flags {
		switch f {
		case 'n':
			k.numeric = true
		case 'r':
			k.reverse = true
		case 'f':
			k.fold = true
		case 'b':
			k.blanks = true
		case 'g':
			k.general = true
		default:
			return k, fmt.Errorf("unknown key option '%c'", f)
		}
	}
	return k, nil
}

// fieldsOf splits a line into sort fields: at sep, or where blanks begin.
func fieldsOf(line string, sep string) []string {
	if sep != "" {
		return strings.Split(line, sep)
	}
	var fields []string
	i := 0
	for i < len(line) {
		j := i
		for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
			j++
		}
		for j < len(line) && line[j] != ' ' && line[j] != '\t' {
			j++
		}
		fields = append(fields, line[i:j])
		i = j
	}
	return fields
}

func (k sortKey) extract(line, sep string) string {
	fields := fieldsOf(line, sep)
	if k.startField > len(fields) {
		return ""
	}
	pieceStart := 0
	for i := 0; i < k.startField-1; i++ {
		pieceStart += len(fields[i]) + len(sep)
	}
	start := pieceStart
	if k.startChar > 0 {
		f := fields[k.startField-1]
		if k.blanks || sep == "" {
			trimmed := strings.TrimLeft(f, " \t")
			start += len(f) - len(trimmed)
		}
		start += min(k.startChar-1, len(f))
	}
	end := len(line)
	if k.endField > 0 && k.endField <= len(fields) {
		end = 0
		for i := 0; i < k.endField; i++ {
			end += len(fields[i]) + len(sep)
		}
		end -= len(sep)
		if k.endChar > 0 {
			f := fields[k.endField-1]
			end = end - len(f) + min(k.endChar, len(f))
		}
	}
	if start > end || start > len(line) {
		return ""
	}
	s := line[start:end]
	if k.blanks {
		s = strings.TrimLeft(s, " \t")
	}
	return s
}

// numPrefix reads the leading number of s like strtod, 0 when none.
func numPrefix(s string) float64 {
	s = strings.TrimLeft(s, " \t")
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	for i < len(s) && (s[i] >= '0' && s[i] <= '9') {
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && (s[i] >= '0' && s[i] <= '9') {
			i++
		}
	}
	f, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0
	}
	return f
}

func compareKey(a, b string, k sortKey) int {
	if k.numeric || k.general {
		x, y := numPrefix(a), numPrefix(b)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	if k.fold {
		a, b = strings.ToUpper(a), strings.ToUpper(b)
	}
	return strings.Compare(a, b)
}

func sortApplet(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "nrufbcsgk:t:o:zmMhV", nil)
	if !ok {
		return 1
	}
	global := sortKey{numeric: o.on('n') || o.on('h'), fold: o.on('f'), blanks: o.on('b'), general: o.on('g'), reverse: o.on('r')}
	sep := o.val('t')
	var keys []sortKey
	for _, ks := range o.all('k') {
		k, err := parseSortKey(ks, global)
		if err != nil {
			c.Errorf("%s", err)
			return 1
		}
		keys = append(keys, k)
	}
	var lines []string
	status := inputs(c, names, func(name string, r io.Reader) error {
		data, err := io.ReadAll(r)
		if err != nil {
			return fmt.Errorf("read error: %s", errText(err))
		}
		if len(data) == 0 {
			return nil
		}
		s := strings.TrimSuffix(string(data), "\n")
		lines = append(lines, strings.Split(s, "\n")...)
		return nil
	})
	cmp := func(a, b string) int {
		for _, k := range keys {
			r := compareKey(k.extract(a, sep), k.extract(b, sep), k)
			if k.reverse {
				r = -r
			}
			if r != 0 {
				return r
			}
		}
		if len(keys) == 0 {
			x, y := a, b
			if global.blanks {
				x, y = strings.TrimLeft(x, " \t"), strings.TrimLeft(y, " \t")
			}
			r := compareKey(x, y, global)
			if global.reverse {
				r = -r
			}
			if r != 0 || o.on('u') {
				return r
			}
		}
		if o.on('s') || o.on('u') {
			return 0
		}
		r := strings.Compare(a, b)
		if global.reverse {
			r = -r
		}
		return r
	}
	if o.on('c') {
		for i := 1; i < len(lines); i++ {
			if r := cmp(lines[i-1], lines[i]); r > 0 || (r == 0 && o.on('u')) {
				fmt.Fprintf(c.Stderr, "sort: -:%d: disorder: %s\n", i+1, lines[i])
				return 1
			}
		}
		return status
	}
	sort.SliceStable(lines, func(i, j int) bool { return cmp(lines[i], lines[j]) < 0 })
	if o.on('u') {
		out := lines[:0]
		for i, l := range lines {
			if i == 0 || cmp(out[len(out)-1], l) != 0 {
				out = append(out, l)
			}
		}
		lines = out
	}
	w := c.Stdout
	if o.on('o') {
		f, err := os.Create(o.val('o'))
		if err != nil {
			c.Errorf("can't open '%s': %s", o.val('o'), errText(err))
			return 1
		}
		defer f.Close()
		bw := bufio.NewWriter(f)
		defer bw.Flush()
		w = bw
	}
	for _, l := range lines {
		io.WriteString(w, l+"\n")
	}
	return status
}

func uniq(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "cduif:s:w:z", nil)
	if !ok {
		return 1
	}
	if len(names) > 2 {
		return c.Usage()
	}
	skipFields, _ := strconv.Atoi(o.val('f'))
	skipChars, _ := strconv.Atoi(o.val('s'))
	width, hasWidth := 0, o.on('w')
	if hasWidth {
		width, _ = strconv.Atoi(o.val('w'))
	}
	in := io.Reader(c.Stdin)
	if len(names) > 0 && names[0] != "-" {
		f, err := os.Open(names[0])
		if err != nil {
			c.Errorf("%s", pathErr(names[0], err))
			return 1
		}
		defer f.Close()
		in = f
	}
	out := c.Stdout
	if len(names) == 2 {
		f, err := os.Create(names[1])
		if err != nil {
			c.Errorf("%s", pathErr(names[1], err))
			return 1
		}
		defer f.Close()
		bw := bufio.NewWriter(f)
		defer bw.Flush()
		out = bw
	}
	key := func(line string) string {
		s := line
		for i := 0; i < skipFields; i++ {
			s = strings.TrimLeft(s, " \t")
			j := strings.IndexAny(s, " \t")
			if j < 0 {
				s = ""
				break
			}
			s = s[j:]
		}
		s = s[min(skipChars, len(s)):]
		if hasWidth {
			s = s[:min(width, len(s))]
		}
		if o.on('i') {
			s = strings.ToLower(s)
		}
		return s
	}
	emit := func(line string, n int) {
		if (o.on('d') && n < 2) || (o.on('u') && n > 1) {
			return
		}
		if o.on('c') {
			fmt.Fprintf(out, "%7d %s\n", n, line)
		} else {
			fmt.Fprintln(out, line)
		}
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	var prev string
	count := 0
	for sc.Scan() {
		line := sc.Text()
		if count > 0 && key(line) == key(prev) {
			count++
			continue
		}
		if count > 0 {
			emit(prev, count)
		}
		prev, count = line, 1
	}
	if count > 0 {
		emit(prev, count)
	}
	return 0
}

func tee(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "ai", nil)
	if !ok {
		return 1
	}
	flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if o.on('a') {
		flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	status := 0
	writers := []io.Writer{}
	var files []*os.File
	for _, name := range names {
		if name == "-" {
			writers = append(writers, c.Stdout)
			continue
		}
		f, err := os.OpenFile(name, flag, 0o666)
		if err != nil {
			c.Errorf("%s", pathErr(name, err))
			status = 1
			continue
		}
		files = append(files, f)
		writers = append(writers, f)
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Stdin.Read(buf)
		if n > 0 {
			c.Stdout.Write(buf[:n])
			c.Flush()
			for _, w := range writers {
				w.Write(buf[:n])
			}
		}
		if err != nil {
			break
		}
	}
	for _, f := range files {
		if err := f.Close(); err != nil {
			status = 1
		}
	}
	return status
}

func base64Applet(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "dw:", nil)
	if !ok {
		return 1
	}
	if len(names) > 1 {
		return c.Usage()
	}
	wrap := 76
	if o.on('w') {
		n, err := strconv.Atoi(o.val('w'))
		if err != nil || n < 0 {
			c.Errorf("invalid number '%s'", o.val('w'))
			return 1
		}
		wrap = n
	}
	return inputs(c, names, func(name string, r io.Reader) error {
		data, err := io.ReadAll(r)
		if err != nil {
			return fmt.Errorf("read error: %s", errText(err))
		}
		if o.on('d') {
			clean := strings.Map(func(r rune) rune {
				if unicode.IsSpace(r) {
					return -1
				}
				return r
			}, string(data))
			out, err := base64.StdEncoding.DecodeString(clean)
			if err != nil {
				out, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(clean, "="))
			}
			c.Stdout.Write(out)
			if err != nil {
				return errors.New("invalid input")
			}
			return nil
		}
		enc := base64.StdEncoding.EncodeToString(data)
		for wrap > 0 && len(enc) > wrap {
			io.WriteString(c.Stdout, enc[:wrap]+"\n")
			enc = enc[wrap:]
		}
		if enc != "" || len(data) == 0 {
			io.WriteString(c.Stdout, enc+"\n")
		}
		return nil
	})
}

func sumApplet(newHash func() hash.Hash) func(c *Context, args []string) int {
	return func(c *Context, args []string) int {
		o, names, ok := c.getopt(args, "cswb", nil)
		if !ok {
			return 1
		}
		sum := func(r io.Reader) (string, error) {
			h := newHash()
			if _, err := io.Copy(h, r); err != nil {
				return "", err
			}
			return hex.EncodeToString(h.Sum(nil)), nil
		}
		if !o.on('c') {
			return inputs(c, names, func(name string, r io.Reader) error {
				s, err := sum(r)
				if err != nil {
					return fmt.Errorf("%s", pathErr(name, err))
				}
				fmt.Fprintf(c.Stdout, "%s  %s\n", s, name)
				return nil
			})
		}
		failed := 0
		status := inputs(c, names, func(list string, r io.Reader) error {
			sc := bufio.NewScanner(r)
			for sc.Scan() {
				line := sc.Text()
				want, file, ok := strings.Cut(line, "  ")
				if !ok {
					want, file, ok = strings.Cut(line, " *")
				}
				if !ok {
					if o.on('w') {
						c.Errorf("invalid format")
					}
					continue
				}
				f, err := os.Open(file)
				got := ""
				if err == nil {
					got, err = sum(f)
					f.Close()
				}
				if err != nil {
					c.Errorf("can't open '%s': %s", file, errText(err))
				}
				if got == want {
					if !o.on('s') {
						fmt.Fprintf(c.Stdout, "%s: OK\n", file)
					}
					continue
				}
				failed++
				if !o.on('s') {
					fmt.Fprintf(c.Stdout, "%s: FAILED\n", file)
				}
			}
			return nil
		})
		if failed > 0 {
			c.Errorf("WARNING: %d of %d computed checksums did NOT match", failed, failed)
			return 1
		}
		return status
	}
}

// pager is more and less: a pass-through unless stdout is a terminal,
// where it stops after each screenful until Enter (q then Enter quits).
func pager(c *Context, args []string) int {
	_, names, ok := c.getopt(args, "", nil)
	if !ok {
		return 1
	}
	out, isFile := c.Stdout.(*os.File)
	if !c.Terminal || !isFile {
		return inputs(c, names, func(name string, r io.Reader) error {
			_, err := io.Copy(c.Stdout, r)
			return err
		})
	}
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return inputs(c, names, func(name string, r io.Reader) error {
			_, err := io.Copy(c.Stdout, r)
			return err
		})
	}
	defer tty.Close()
	keys := bufio.NewReader(tty)
	rows := terminalRows(out) - 1
	shown := 0
	quit := false
	return inputs(c, names, func(name string, r io.Reader) error {
		br := bufio.NewReader(r)
		for !quit {
			line, err := br.ReadString('\n')
			io.WriteString(out, line)
			if err != nil {
				return nil
			}
			shown++
			if shown < rows {
				continue
			}
			io.WriteString(out, "--More-- ")
			answer, _ := keys.ReadString('\n')
			if strings.HasPrefix(strings.TrimSpace(answer), "q") {
				quit = true
			}
			shown = 0
		}
		return nil
	})
}

func seq(c *Context, args []string) int {
	sep, pad := "\n", false
	var nums []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-w":
			pad = true
		case a == "-s" && i+1 < len(args):
			i++
			sep = args[i]
		case strings.HasPrefix(a, "-s") && len(a) > 2:
			sep = a[2:]
		default:
			nums = append(nums, a)
		}
	}
	if len(nums) == 0 || len(nums) > 3 {
		return c.Usage()
	}
	vals := make([]float64, len(nums))
	decimals := 0
	for i, n := range nums {
		v, err := strconv.ParseFloat(n, 64)
		if err != nil {
			c.Errorf("invalid number '%s'", n)
			return 1
		}
		vals[i] = v
		if i < len(nums)-1 || len(nums) == 1 {
			if dot := strings.IndexByte(n, '.'); dot >= 0 {
				decimals = max(decimals, len(n)-dot-1)
			}
		}
	}
	first, inc, last := 1.0, 1.0, vals[len(vals)-1]
	if len(vals) >= 2 {
		first = vals[0]
	}
	if len(vals) == 3 {
		inc = vals[1]
	}
	if len(nums) == 1 {
		decimals = 0
	}
	if inc == 0 {
		c.Errorf("invalid increment")
		return 1
	}
	format := func(v float64) string {
		return strconv.FormatFloat(v, 'f', decimals, 64)
	}
	width := 0
	if pad {
		width = max(len(format(first)), len(format(last)))
	}
	var out strings.Builder
	n := 0
	for i := 0; ; i++ {
		v := first + float64(i)*inc
		if (inc > 0 && v > last+1e-9) || (inc < 0 && v < last-1e-9) {
			break
		}
		if n > 0 {
			out.WriteString(sep)
		}
		s := format(v)
		if pad && len(s) < width {
			neg := strings.HasPrefix(s, "-")
			s = strings.TrimPrefix(s, "-")
			s = strings.Repeat("0", width-len(s)-boolInt(neg)) + s
			if neg {
				s = "-" + s
			}
		}
		out.WriteString(s)
		n++
	}
	if n > 0 {
		out.WriteString("\n")
	}
	io.WriteString(c.Stdout, out.String())
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func tac(c *Context, args []string) int {
	var all []string
	status := inputs(c, args, func(name string, r io.Reader) error {
		data, err := io.ReadAll(r)
		if err != nil {
			return fmt.Errorf("read error: %s", errText(err))
		}
		lines := strings.SplitAfter(string(data), "\n")
		if lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		all = append(all, lines...)
		return nil
	})
	// Like busybox, a last line without a newline stays without one.
	for i := len(all) - 1; i >= 0; i-- {
		io.WriteString(c.Stdout, all[i])
	}
	return status
}

func cmp(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "lsn:", nil)
	if !ok {
		return 2
	}
	if len(names) == 0 || len(names) > 2 {
		c.Usage()
		return 2
	}
	if len(names) == 1 {
		names = append(names, "-")
	}
	limit := int64(-1)
	if o.on('n') {
		n, err := strconv.ParseInt(o.val('n'), 10, 64)
		if err != nil {
			c.Errorf("invalid number '%s'", o.val('n'))
			return 2
		}
		limit = n
	}
	var readers [2]*bufio.Reader
	for i, n := range names {
		var r io.Reader = c.Stdin
		if n != "-" {
			f, err := os.Open(n)
			if err != nil {
				if !o.on('s') {
					c.Errorf("%s", pathErr(n, err))
				}
				return 2
			}
			defer f.Close()
			r = f
		}
		readers[i] = bufio.NewReader(r)
	}
	status := 0
	line := int64(1)
	for pos := int64(1); limit < 0 || pos <= limit; pos++ {
		a, errA := readers[0].ReadByte()
		b, errB := readers[1].ReadByte()
		if errA != nil || errB != nil {
			if errA != nil && errB != nil {
				return status
			}
			if !o.on('s') {
				shorter := names[0]
				if errB != nil {
					shorter = names[1]
				}
				c.Errorf("EOF on %s", shorter)
			}
			return 1
		}
		if a != b {
			if o.on('s') {
				return 1
			}
			if !o.on('l') {
				fmt.Fprintf(c.Stdout, "%s %s differ: char %d, line %d\n", names[0], names[1], pos, line)
				return 1
			}
			fmt.Fprintf(c.Stdout, "%d %o %o\n", pos, a, b)
			status = 1
		}
		if a == '\n' {
			line++
		}
	}
	return status
}

func basename(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "as:", nil)
	if !ok {
		return 1
	}
	suffix := o.val('s')
	all := o.on('a') || o.on('s')
	if len(names) == 0 || (!all && len(names) > 2) {
		return c.Usage()
	}
	if !all {
		if len(names) == 2 {
			suffix = names[1]
		}
		names = names[:1]
	}
	for _, n := range names {
		b := baseName(n)
		if suffix != "" && b != suffix && strings.HasSuffix(b, suffix) {
			b = strings.TrimSuffix(b, suffix)
		}
		fmt.Fprintln(c.Stdout, b)
	}
	return 0
}

// baseName is POSIX basename: trailing slashes ignored, "/" stays "/".
func baseName(p string) string {
	if p == "" {
		return ""
	}
	trimmed := strings.TrimRight(p, "/")
	if trimmed == "" {
		return "/"
	}
	return trimmed[strings.LastIndexByte(trimmed, '/')+1:]
}

func dirname(c *Context, args []string) int {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) != 1 {
		return c.Usage()
	}
	fmt.Fprintln(c.Stdout, dirName(args[0]))
	return 0
}

// dirName is POSIX dirname.
func dirName(p string) string {
	trimmed := strings.TrimRight(p, "/")
	if trimmed == "" {
		if p == "" {
			return "."
		}
		return "/"
	}
	i := strings.LastIndexByte(trimmed, '/')
	if i < 0 {
		return "."
	}
	d := strings.TrimRight(trimmed[:i], "/")
	if d == "" {
		return "/"
	}
	return filepath.ToSlash(d)
}
