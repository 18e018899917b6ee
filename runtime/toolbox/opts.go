package toolbox

import (
	"fmt"
	"strings"
)

// options is a parsed command line: how often each flag was given and the
// values of the flags that take one.
type options struct {
	count map[byte]int
	vals  map[byte][]string
}

func (o *options) on(f byte) bool { return o.count[f] > 0 }

func (o *options) n(f byte) int { return o.count[f] }

// val is the last value given for f ("" when none).
func (o *options) val(f byte) string {
	v := o.vals[f]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

func (o *options) all(f byte) []string { return o.vals[f] }

// getopt parses args like busybox's getopt32 on glibc: clustered flags
// (-la), values attached or separate (-n5, -n 5), "--" ending the options,
// and options mixed with operands unless spec starts with '+' (then the
// first operand ends them, as env and xargs need). In spec a letter
// followed by ':' takes a value. longs maps long option names to a flag
// byte; a name ending in "=" takes a value, in "=?" an optional one.
//
// On a bad option it prints glibc's message and the usage, and returns
// ok false: the applet then exits with status 1.
func (c *Context) getopt(args []string, spec string, longs map[string]byte) (o *options, operands []string, ok bool) {
	o = &options{count: map[byte]int{}, vals: map[byte][]string{}}
	posix := strings.HasPrefix(spec, "+")
	takes := func(f byte) (known, value bool) {
		i := strings.IndexByte(spec, f)
		if i < 0 || f == ':' || f == '+' {
			return false, false
		}
		return true, i+1 < len(spec) && spec[i+1] == ':'
	}
	bad := func(format string, a ...any) (*options, []string, bool) {
		c.Flush()
		fmt.Fprintf(c.Stderr, "%s: %s\n", c.Name, fmt.Sprintf(format, a...))
		c.Usage()
		return nil, nil, false
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			operands = append(operands, args[i+1:]...)
			break
		}
		if strings.HasPrefix(arg, "--") && longs != nil {
			name, value, hasValue := strings.Cut(arg[2:], "=")
			f, kind, found := longOpt(longs, name)
			if !found {
				return bad("unrecognized option '%s'", arg)
			}
			switch {
			case kind == "" && hasValue:
				return bad("option '--%s' doesn't allow an argument", name)
			case kind == "=" && !hasValue:
				if i+1 >= len(args) {
					return bad("option '--%s' requires an argument", name)
				}
				i++
				value, hasValue = args[i], true
			}
			o.count[f]++
			if hasValue {
				o.vals[f] = append(o.vals[f], value)
			}
			continue
		}
		if len(arg) < 2 || arg[0] != '-' {
			if posix {
				operands = append(operands, args[i:]...)
				break
			}
			operands = append(operands, arg)
			continue
		}
		for j := 1; j < len(arg); j++ {
			f := arg[j]
			known, value := takes(f)
			if !known {
				return bad("invalid option -- '%c'", f)
			}
			o.count[f]++
			if !value {
				continue
			}
			if j+1 < len(arg) {
				o.vals[f] = append(o.vals[f], arg[j+1:])
			} else if i+1 < len(args) {
				i++
				o.vals[f] = append(o.vals[f], args[i])
			} else {
				return bad("option requires an argument -- '%c'", f)
			}
			break
		}
	}
	return o, operands, true
}

// longOpt finds name in longs, also as an unambiguous prefix like glibc.
func longOpt(longs map[string]byte, name string) (f byte, kind string, found bool) {
	var hits int
	for key, flag := range longs {
		base := strings.TrimSuffix(strings.TrimSuffix(key, "?"), "=")
		k := key[len(base):] // "", "=" or "=?"
		if base == name {
			return flag, k, true
		}
		if strings.HasPrefix(base, name) {
			hits++
			f, kind = flag, k
		}
	}
	if hits == 1 {
		return f, kind, true
	}
	return 0, "", false
}
