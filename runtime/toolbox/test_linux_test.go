package toolbox

import "testing"

// Expected statuses and messages checked against busybox 1.35.0.
func TestTest(t *testing.T) {
	dir := inTextDir(t)
	runCases(t, "test", []appletCase{
		{args: nil, code: 1},
		{args: []string{"abc"}},
		{args: []string{""}, code: 1},
		{args: []string{"-z"}},
		{args: []string{"-n"}},
		{args: []string{"1", "-lt", "2", "-a", "3", "-gt", "2"}},
		{args: []string{"!", "-e", "/nonexist"}},
		{args: []string{"(", "1", "=", "1", ")"}},
		{args: []string{"-f", "t.txt", "-o", "-d", "t.txt"}},
		{args: []string{"-d", dir}},
		{args: []string{"-f", dir}, code: 1},
		{args: []string{"-s", "t.txt"}},
		{args: []string{"2", "-gt", "10"}, code: 1},
		{args: []string{"12", "-eq", "012"}},
		{args: []string{"a", "<", "b"}},
		{args: []string{"a", "!=", "a"}, code: 1},
		{args: []string{"1", "-eq", "a"}, stderr: "test: a: bad number\n", code: 2},
		{args: []string{"a", "b"}, stderr: "test: b: unknown operand\n", code: 2},
		{args: []string{"1", "=", "1", "=", "1"}, stderr: "test: =: unknown operand\n", code: 2},
	})
	runCases(t, "[", []appletCase{
		{args: []string{"1", "=", "1", "]"}},
		{args: []string{"1", "=", "1"}, stderr: "[: missing ]\n", code: 2},
	})
}
