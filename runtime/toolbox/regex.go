package toolbox

import (
	"errors"
	"regexp"
	"strings"
)

// compileRegex compiles a POSIX regular expression, basic (grep, sed) or
// extended (-E), with Go's regexp: POSIX's leftmost-longest matching, the
// GNU extensions busybox gets from glibc (\| \+ \? in basic syntax, \< \>
// \b \w \s), but no back-references (\1 in a pattern).
func compileRegex(pattern string, extended, icase bool) (*regexp.Regexp, error) {
	expr, err := translateRegex(pattern, extended)
	if err != nil {
		return nil, err
	}
	if icase {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, err
	}
	re.Longest()
	return re, nil
}

// translateRegex rewrites POSIX syntax into Go's.
func translateRegex(p string, extended bool) (string, error) {
	var b strings.Builder
	// atStart: a '*' here is a literal in basic syntax.
	atStart := true
	for i := 0; i < len(p); i++ {
		ch := p[i]
		switch {
		case ch == '[':
			end := bracketEnd(p, i)
			if end < 0 {
				return "", errors.New("unmatched [")
			}
			b.WriteString(translateBracket(p[i : end+1]))
			i = end
			atStart = false
			continue
		case ch == '\\' && i+1 < len(p):
			i++
			next := p[i]
			switch {
			case next >= '1' && next <= '9':
				return "", errBackref
			case next == '<' || next == '>':
				b.WriteString(`\b`)
			case !extended && strings.IndexByte("(){}|+?", next) >= 0:
				b.WriteByte(next)
				atStart = next == '(' || next == '|'
				continue
			case strings.IndexByte("wWsSbBntrfv", next) >= 0:
				b.WriteByte('\\')
				b.WriteByte(next)
			case next == '`':
				b.WriteString(`\A`)
			case next == '\'':
				b.WriteString(`\z`)
			default:
				b.WriteString(regexp.QuoteMeta(string(next)))
			}
			atStart = false
			continue
		case ch == '*' && atStart:
			b.WriteString(`\*`)
		case !extended && strings.IndexByte("(){}|+?", ch) >= 0:
			b.WriteByte('\\')
			b.WriteByte(ch)
		case extended && ch == '{' && (i+1 >= len(p) || p[i+1] < '0' || p[i+1] > '9'):
			b.WriteString(`\{`)
		default:
			b.WriteByte(ch)
		}
		atStart = ch == '^' || (extended && (ch == '(' || ch == '|'))
	}
	return b.String(), nil
}

// bracketEnd finds the ']' closing the bracket expression at p[i].
func bracketEnd(p string, i int) int {
	j := i + 1
	if j < len(p) && p[j] == '^' {
		j++
	}
	if j < len(p) && p[j] == ']' {
		j++
	}
	for ; j < len(p); j++ {
		if p[j] == '[' && j+1 < len(p) && (p[j+1] == ':' || p[j+1] == '.' || p[j+1] == '=') {
			closer := string(p[j+1]) + "]"
			k := strings.Index(p[j+2:], closer)
			if k < 0 {
				return -1
			}
			j += k + 3
			continue
		}
		if p[j] == ']' {
			return j
		}
	}
	return -1
}

// translateBracket escapes what Go treats specially inside brackets but
// POSIX does not: a backslash is a literal there, and so is a ']' first.
func translateBracket(br string) string {
	var b strings.Builder
	b.WriteByte('[')
	i := 1
	if i < len(br) && br[i] == '^' {
		b.WriteByte('^')
		i++
	}
	body := br[i : len(br)-1]
	for j := 0; j < len(body); j++ {
		ch := body[j]
		if ch == '[' && j+1 < len(body) && body[j+1] == ':' {
			k := strings.Index(body[j:], ":]")
			b.WriteString(body[j : j+k+2])
			j += k + 1
			continue
		}
		if ch == '\\' || ch == '[' || ch == ']' {
			b.WriteByte('\\')
		}
		b.WriteByte(ch)
	}
	b.WriteByte(']')
	return b.String()
}
