package toolbox

import (
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

func init() {
	// Like busybox, test and [ print nothing for --help.
	Register(
		&Applet{Name: "test", Run: testApplet},
		&Applet{Name: "[", Run: testApplet},
		&Applet{Name: "[[", Run: testApplet},
	)
}

func testApplet(c *Context, args []string) int {
	closer := ""
	switch c.Name {
	case "[":
		closer = "]"
	case "[[":
		closer = "]]"
	}
	return testRun(c, args, closer)
}

// testRun is test, or [ when closer is "]".
func testRun(c *Context, args []string, closer string) int {
	if closer != "" {
		if len(args) == 0 || args[len(args)-1] != closer {
			c.Errorf("missing %s", closer)
			return 2
		}
		args = args[:len(args)-1]
	}
	ok, err := testEval(args)
	if err != nil {
		c.Errorf("%s", err)
		return 2
	}
	if ok {
		return 0
	}
	return 1
}

var testUnary = map[string]bool{
	"-b": true, "-c": true, "-d": true, "-e": true, "-f": true, "-g": true, "-G": true,
	"-h": true, "-k": true, "-L": true, "-n": true, "-O": true, "-p": true, "-r": true,
	"-s": true, "-S": true, "-t": true, "-u": true, "-w": true, "-x": true, "-z": true,
}

var testBinary = map[string]bool{
	"=": true, "==": true, "!=": true, "<": true, ">": true,
	"-eq": true, "-ne": true, "-lt": true, "-le": true, "-gt": true, "-ge": true,
	"-nt": true, "-ot": true, "-ef": true,
}

// testEval evaluates a test expression with POSIX's rules for up to four
// arguments and a precedence parser (! -a -o parentheses) beyond.
func testEval(args []string) (bool, error) {
	switch len(args) {
	case 0:
		return false, nil
	case 1:
		return args[0] != "", nil
	case 2:
		if args[0] == "!" {
			return args[1] == "", nil
		}
		if testUnary[args[0]] {
			return testUnaryOp(args[0], args[1])
		}
		return false, testError(args[1] + ": unknown operand")
	case 3:
		if testBinary[args[1]] {
			return testBinaryOp(args[0], args[1], args[2])
		}
		if args[0] == "!" {
			ok, err := testEval(args[1:])
			return !ok, err
		}
		if args[0] == "(" && args[2] == ")" {
			return args[1] != "", nil
		}
	case 4:
		if args[0] == "!" {
			ok, err := testEval(args[1:])
			return !ok, err
		}
		if args[0] == "(" && args[3] == ")" {
			return testEval(args[1:3])
		}
	}
	p := &testParser{args: args}
	ok, err := p.or()
	if err != nil {
		return false, err
	}
	if p.pos < len(p.args) {
		return false, testError(p.args[p.pos] + ": unknown operand")
	}
	return ok, nil
}

type testParser struct {
	args []string
	pos  int
}

func (p *testParser) more() bool { return p.pos < len(p.args) }

func (p *testParser) or() (bool, error) {
	v, err := p.and()
	for err == nil && p.more() && p.args[p.pos] == "-o" {
		p.pos++
		var r bool
		r, err = p.and()
		v = v || r
	}
	return v, err
}

func (p *testParser) and() (bool, error) {
	v, err := p.not()
	for err == nil && p.more() && p.args[p.pos] == "-a" {
		p.pos++
		var r bool
		r, err = p.not()
		v = v && r
	}
	return v, err
}

func (p *testParser) not() (bool, error) {
	if p.more() && p.args[p.pos] == "!" {
		p.pos++
		v, err := p.not()
		return !v, err
	}
	return p.primary()
}

func (p *testParser) primary() (bool, error) {
	if !p.more() {
		return false, testError("argument expected")
	}
	a := p.args[p.pos]
	if a == "(" {
		p.pos++
		v, err := p.or()
		if err != nil {
			return false, err
		}
		if !p.more() || p.args[p.pos] != ")" {
			return false, testError("closing paren expected")
		}
		p.pos++
		return v, nil
	}
	if p.pos+2 < len(p.args) && testBinary[p.args[p.pos+1]] {
		p.pos += 3
		return testBinaryOp(a, p.args[p.pos-2], p.args[p.pos-1])
	}
	if testUnary[a] && p.pos+1 < len(p.args) {
		p.pos += 2
		return testUnaryOp(a, p.args[p.pos-1])
	}
	p.pos++
	return a != "", nil
}

// testNumber reads an integer operand like busybox: decimal, blanks allowed.
func testNumber(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, testError(s + ": bad number")
	}
	return n, nil
}

func testUnaryOp(op, arg string) (bool, error) {
	switch op {
	case "-n":
		return arg != "", nil
	case "-z":
		return arg == "", nil
	case "-t":
		fd, err := testNumber(arg)
		if err != nil {
			return false, err
		}
		_, err = unix.IoctlGetTermios(int(fd), unix.TCGETS)
		return err == nil, nil
	case "-r":
		return unix.Access(arg, unix.R_OK) == nil, nil
	case "-w":
		return unix.Access(arg, unix.W_OK) == nil, nil
	case "-x":
		return unix.Access(arg, unix.X_OK) == nil, nil
	case "-h", "-L":
		st, err := os.Lstat(arg)
		return err == nil && st.Mode()&os.ModeSymlink != 0, nil
	}
	st, err := os.Stat(arg)
	if err != nil {
		return false, nil
	}
	m := st.Mode()
	switch op {
	case "-e":
		return true, nil
	case "-f":
		return m.IsRegular(), nil
	case "-d":
		return m.IsDir(), nil
	case "-b":
		return m&os.ModeDevice != 0 && m&os.ModeCharDevice == 0, nil
	case "-c":
		return m&os.ModeCharDevice != 0, nil
	case "-p":
		return m&os.ModeNamedPipe != 0, nil
	case "-S":
		return m&os.ModeSocket != 0, nil
	case "-s":
		return st.Size() > 0, nil
	case "-g":
		return m&os.ModeSetgid != 0, nil
	case "-u":
		return m&os.ModeSetuid != 0, nil
	case "-k":
		return m&os.ModeSticky != 0, nil
	case "-O":
		return int(st.Sys().(*syscall.Stat_t).Uid) == os.Geteuid(), nil
	case "-G":
		return int(st.Sys().(*syscall.Stat_t).Gid) == os.Getegid(), nil
	}
	return false, testError(op + ": unknown operand")
}

func testBinaryOp(a, op, b string) (bool, error) {
	switch op {
	case "=", "==":
		return a == b, nil
	case "!=":
		return a != b, nil
	case "<":
		return a < b, nil
	case ">":
		return a > b, nil
	case "-nt", "-ot", "-ef":
		sa, errA := os.Stat(a)
		sb, errB := os.Stat(b)
		switch op {
		case "-nt":
			return errA == nil && (errB != nil || sa.ModTime().After(sb.ModTime())), nil
		case "-ot":
			return errB == nil && (errA != nil || sa.ModTime().Before(sb.ModTime())), nil
		}
		return errA == nil && errB == nil && os.SameFile(sa, sb), nil
	}
	x, err := testNumber(a)
	if err != nil {
		return false, err
	}
	y, err := testNumber(b)
	if err != nil {
		return false, err
	}
	switch op {
	case "-eq":
		return x == y, nil
	case "-ne":
		return x != y, nil
	case "-lt":
		return x < y, nil
	case "-le":
		return x <= y, nil
	case "-gt":
		return x > y, nil
	case "-ge":
		return x >= y, nil
	}
	return false, testError(op + ": unknown operand")
}
