package toolbox

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

func init() {
	Register(&Applet{
		Name:  "expr",
		Usage: "expr EXPRESSION",
		Help: `Print the value of EXPRESSION to stdout

EXPRESSION may be:
	ARG1 | ARG2	ARG1 if it is neither null nor 0, otherwise ARG2
	ARG1 & ARG2	ARG1 if neither argument is null or 0, otherwise 0
	ARG1 < ARG2	1 if ARG1 is less than ARG2, else 0. Similarly:
	ARG1 <= ARG2, ARG1 = ARG2, ARG1 != ARG2, ARG1 >= ARG2, ARG1 > ARG2
	ARG1 + ARG2, ARG1 - ARG2, ARG1 * ARG2, ARG1 / ARG2, ARG1 % ARG2
	STRING : REGEXP		Anchored pattern match of REGEXP in STRING
	match STRING REGEXP	Same as STRING : REGEXP
	substr STRING POS LENGTH Substring of STRING, POS counted from 1
	index STRING CHARS	Index in STRING where any CHARS is found, or 0
	length STRING		Length of STRING
	( EXPRESSION )		Value of EXPRESSION`,
		Run: exprApplet,
	})
}

// exprValue is an expr result: an integer or a string.
type exprValue struct {
	s     string
	n     int64
	isNum bool
}

func exprStr(s string) exprValue {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return exprValue{s: s, n: n, isNum: true}
	}
	return exprValue{s: s}
}

func exprNum(n int64) exprValue { return exprValue{s: strconv.FormatInt(n, 10), n: n, isNum: true} }

func (v exprValue) null() bool { return v.s == "" || (v.isNum && v.n == 0) }

type exprParser struct {
	args []string
	pos  int
}

func exprApplet(c *Context, args []string) int {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		c.Errorf("too few arguments")
		return 2
	}
	p := &exprParser{args: args}
	v, err := p.or()
	if err == nil && p.pos < len(args) {
		err = exprError("syntax error")
	}
	if err != nil {
		c.Errorf("%s", err)
		return 2
	}
	fmt.Fprintln(c.Stdout, v.s)
	if v.null() {
		return 1
	}
	return 0
}

func (p *exprParser) peek() string {
	if p.pos < len(p.args) {
		return p.args[p.pos]
	}
	return ""
}

func (p *exprParser) next() (string, error) {
	if p.pos >= len(p.args) {
		return "", exprError("syntax error")
	}
	p.pos++
	return p.args[p.pos-1], nil
}

func (p *exprParser) or() (exprValue, error) {
	l, err := p.and()
	for err == nil && p.peek() == "|" && p.pos < len(p.args) {
		p.pos++
		var r exprValue
		if r, err = p.and(); err == nil && l.null() {
			l = r
			if r.null() {
				l = exprNum(0)
			}
		}
	}
	return l, err
}

func (p *exprParser) and() (exprValue, error) {
	l, err := p.compare()
	for err == nil && p.peek() == "&" && p.pos < len(p.args) {
		p.pos++
		var r exprValue
		if r, err = p.compare(); err == nil && (l.null() || r.null()) {
			l = exprNum(0)
		}
	}
	return l, err
}

func (p *exprParser) compare() (exprValue, error) {
	l, err := p.add()
	for err == nil {
		op := p.peek()
		switch op {
		case "<", "<=", "=", "==", "!=", ">=", ">":
		default:
			return l, nil
		}
		p.pos++
		var r exprValue
		if r, err = p.add(); err != nil {
			break
		}
		var c int
		if l.isNum && r.isNum {
			switch {
			case l.n < r.n:
				c = -1
			case l.n > r.n:
				c = 1
			}
		} else {
			c = strings.Compare(l.s, r.s)
		}
		res := map[string]bool{"<": c < 0, "<=": c <= 0, "=": c == 0, "==": c == 0, "!=": c != 0, ">=": c >= 0, ">": c > 0}[op]
		if res {
			l = exprNum(1)
		} else {
			l = exprNum(0)
		}
	}
	return l, err
}

func (p *exprParser) add() (exprValue, error) {
	l, err := p.mul()
	for err == nil && (p.peek() == "+" || p.peek() == "-") {
		op := p.args[p.pos]
		p.pos++
		var r exprValue
		if r, err = p.mul(); err != nil {
			break
		}
		if !l.isNum || !r.isNum {
			return l, exprError("non-numeric argument")
		}
		if op == "+" {
			l = exprNum(l.n + r.n)
		} else {
			l = exprNum(l.n - r.n)
		}
	}
	return l, err
}

func (p *exprParser) mul() (exprValue, error) {
	l, err := p.match()
	for err == nil && (p.peek() == "*" || p.peek() == "/" || p.peek() == "%") {
		op := p.args[p.pos]
		p.pos++
		var r exprValue
		if r, err = p.match(); err != nil {
			break
		}
		if !l.isNum || !r.isNum {
			return l, exprError("non-numeric argument")
		}
		switch op {
		case "*":
			l = exprNum(l.n * r.n)
		case "/", "%":
			if r.n == 0 {
				return l, exprError("division by zero")
			}
			if op == "/" {
				l = exprNum(l.n / r.n)
			} else {
				l = exprNum(l.n % r.n)
			}
		}
	}
	return l, err
}

func (p *exprParser) match() (exprValue, error) {
	l, err := p.primary()
	for err == nil && p.peek() == ":" {
		p.pos++
		var r exprValue
		if r, err = p.primary(); err != nil {
			break
		}
		l, err = exprMatch(l.s, r.s)
	}
	return l, err
}

// exprMatch is STRING : REGEXP, anchored at the start: the first group's
// text when there is one, otherwise the length of the match.
func exprMatch(s, pattern string) (exprValue, error) {
	re, err := compileRegex("^\\("+pattern+"\\)", false, false)
	if err != nil {
		return exprValue{}, exprError(err.Error())
	}
	m := re.FindStringSubmatch(s)
	if re.NumSubexp() > 1 {
		if m == nil {
			return exprValue{}, nil
		}
		return exprStr(m[2]), nil
	}
	if m == nil {
		return exprNum(0), nil
	}
	return exprNum(int64(utf8.RuneCountInString(m[0]))), nil
}

func (p *exprParser) primary() (exprValue, error) {
	tok, err := p.next()
	if err != nil {
		return exprValue{}, err
	}
	switch tok {
	case "(":
		v, err := p.or()
		if err != nil {
			return v, err
		}
		if p.peek() != ")" || p.pos >= len(p.args) {
			return v, exprError("syntax error")
		}
		p.pos++
		return v, nil
	case "length":
		a, err := p.next()
		return exprNum(int64(utf8.RuneCountInString(a))), err
	case "match":
		a, err := p.next()
		if err != nil {
			return exprValue{}, err
		}
		b, err := p.next()
		if err != nil {
			return exprValue{}, err
		}
		return exprMatch(a, b)
	case "index":
		a, err := p.next()
		if err != nil {
			return exprValue{}, err
		}
		chars, err := p.next()
		if err != nil {
			return exprValue{}, err
		}
		return exprNum(int64(strings.IndexAny(a, chars) + 1)), nil
	case "substr":
		var a [3]string
		for i := range a {
			if a[i], err = p.next(); err != nil {
				return exprValue{}, err
			}
		}
		pos, err1 := strconv.Atoi(a[1])
		n, err2 := strconv.Atoi(a[2])
		r := []rune(a[0])
		if err1 != nil || err2 != nil || pos < 1 || n < 1 || pos > len(r) {
			return exprValue{}, nil
		}
		end := min(pos-1+n, len(r))
		return exprStr(string(r[pos-1 : end])), nil
	}
	return exprStr(tok), nil
}
