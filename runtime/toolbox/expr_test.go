package toolbox

import "testing"

// Expected outputs checked against busybox 1.35.0.
func TestExpr(t *testing.T) {
	runCases(t, "expr", []appletCase{
		{args: []string{"1", "+", "2"}, want: "3\n"},
		{args: []string{"10", "/", "3"}, want: "3\n"},
		{args: []string{"10", "%", "3"}, want: "1\n"},
		{args: []string{"5", "*", "3"}, want: "15\n"},
		{args: []string{"-5", "+", "2"}, want: "-3\n"},
		{args: []string{"abc", ":", `a\(.\)`}, want: "b\n"},
		{args: []string{"abc", ":", "ab"}, want: "2\n"},
		{args: []string{"abc", ":", "x"}, want: "0\n", code: 1},
		{args: []string{"length", "hello"}, want: "5\n"},
		{args: []string{"substr", "hello", "2", "3"}, want: "ell\n"},
		{args: []string{"index", "hello", "l"}, want: "3\n"},
		{args: []string{"match", "abc", "a."}, want: "2\n"},
		{args: []string{"3", ">", "2"}, want: "1\n"},
		{args: []string{"a", "=", "a"}, want: "1\n"},
		{args: []string{"b", "<", "a"}, want: "0\n", code: 1},
		{args: []string{"0"}, want: "0\n", code: 1},
		{args: []string{""}, want: "\n", code: 1},
		{args: []string{"(", "1", "+", "2", ")", "*", "3"}, want: "9\n"},
		{args: []string{"0", "|", "5"}, want: "5\n"},
		{args: []string{"3", "&", "0"}, want: "0\n", code: 1},
		{args: []string{"1", "/", "0"}, stderr: "expr: division by zero\n", code: 2},
		{args: []string{"1", "+", "a"}, stderr: "expr: non-numeric argument\n", code: 2},
		{args: []string{"1", "+"}, stderr: "expr: syntax error\n", code: 2},
		{args: nil, stderr: "expr: too few arguments\n", code: 2},
	})
}
