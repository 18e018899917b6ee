package toolbox

import (
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

// Each script marks its exec calls with the mode the word "exec" needs.
func TestExecScope(t *testing.T) {
	tests := []struct {
		script string
		want   []execMode // for each "exec" in order
	}{
		{`exec sleep 1`, []execMode{execReplace}},
		{`echo a; exec "$@"`, []execMode{execReplace}},
		{`if true; then exec a; fi; for i in 1; do exec b; done`, []execMode{execReplace, execReplace}},
		{`(exec a)`, []execMode{execSubshell}},
		{`x=$(exec a)`, []execMode{execSubshell}},
		{`exec a &`, []execMode{execSubshell}},
		{`echo x | exec cat`, []execMode{execPipe}},
		{`exec a | cat`, []execMode{execPipe}},
		{`f() { exec a; }; f`, []execMode{execReplace}},
		{`main() { exec "$@"; }; main "$@"`, []execMode{execReplace}},
		{"f() { exec a; }\nf | cat", []execMode{execSubshell}},
		{"g() { exec a; }\nf() { g; }\n(f)", []execMode{execSubshell}},
		{"( f() { exec a; }; f )", []execMode{execSubshell}},
	}
	for _, tc := range tests {
		f, err := syntax.NewParser().Parse(strings.NewReader(tc.script), "")
		if err != nil {
			t.Fatal(err)
		}
		scope := newExecScope()
		for _, st := range f.Stmts {
			scope.add(st)
		}
		var got []execMode
		syntax.Walk(f, func(n syntax.Node) bool {
			if ce, ok := n.(*syntax.CallExpr); ok && len(ce.Args) > 0 && ce.Args[0].Lit() == "exec" {
				got = append(got, scope.modeOf(ce.Args[0].Pos()))
			}
			return true
		})
		if len(got) != len(tc.want) {
			t.Errorf("%q: found %d exec calls, want %d", tc.script, len(got), len(tc.want))
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%q: exec #%d mode %d, want %d", tc.script, i+1, got[i], tc.want[i])
			}
		}
	}
}
