package toolbox

import (
	"sync"

	"mvdan.cc/sh/v3/syntax"
)

// execScope decides, from the syntax the shell has parsed, whether an
// `exec cmd` runs in the shell process itself and may therefore replace it
// with execve. mvdan/sh runs subshells — ( ), $( ), <( ), `&` and every
// element of a pipeline — as goroutines of the one process, so an execve
// there would also end the parent shell; those exec calls run the command
// as a child instead and end only their subshell, as a forked subshell
// would. A function body counts as a subshell when the function is called
// (directly or through other functions) from one.
//
// An exec that is a pipeline element is different again: mvdan/sh runs the
// last element in the calling shell itself, where the exec builtin would
// end that shell, so there the shell just runs the command.
//
// Calls are keyed by the position of the word "exec", which is what the
// call handler sees; positions are unique because one parser reads the
// whole input. Code parsed by `eval` or `.` is unknown here and counts as
// the shell itself.
//
// Background jobs query the scope while the shell adds the statements it
// reads next, so it is locked.
type execScope struct {
	mu       sync.Mutex
	mode     map[syntax.Pos]execMode        // exec call → where it lexically is
	funcOf   map[syntax.Pos]string          // exec call → enclosing function
	calls    map[string]map[string]struct{} // function → commands its body calls
	subCalls map[string]struct{}            // commands called in a subshell
}

// execMode says how an exec call runs.
type execMode int

const (
	execReplace  execMode = iota // in the shell process: execve
	execSubshell                 // ends a subshell: mvdan/sh's exec builtin
	execPipe                     // a pipeline element: run the command
)

func newExecScope() *execScope {
	return &execScope{
		mode:     map[syntax.Pos]execMode{},
		funcOf:   map[syntax.Pos]string{},
		calls:    map[string]map[string]struct{}{},
		subCalls: map[string]struct{}{},
	}
}

// add records the exec calls and function calls of a parsed statement.
func (e *execScope) add(node syntax.Node) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.walk(node, execReplace, "")
}

func (e *execScope) walk(node syntax.Node, mode execMode, fn string) {
	syntax.Walk(node, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.Stmt:
			if (n.Background || n.Coprocess) && mode != execSubshell {
				e.walkStmtParts(n, execSubshell, fn)
				return false
			}
		case *syntax.Subshell, *syntax.CmdSubst, *syntax.ProcSubst:
			if mode != execSubshell {
				e.walkChildren(n, fn)
				return false
			}
		case *syntax.BinaryCmd:
			if n.Op == syntax.Pipe || n.Op == syntax.PipeAll {
				e.walk(n.X, execPipe, fn)
				e.walk(n.Y, execPipe, fn)
				return false
			}
		case *syntax.FuncDecl:
			e.walk(n.Body, mode, n.Name.Value)
			return false
		case *syntax.CallExpr:
			e.call(n, mode, fn)
		}
		return true
	})
}

// walkStmtParts walks a statement's command and redirections in context.
func (e *execScope) walkStmtParts(st *syntax.Stmt, mode execMode, fn string) {
	if st.Cmd != nil {
		e.walk(st.Cmd, mode, fn)
	}
	for _, r := range st.Redirs {
		e.walk(r, mode, fn)
	}
}

// walkChildren walks what a subshell-like node contains, as a subshell.
func (e *execScope) walkChildren(n syntax.Node, fn string) {
	var stmts []*syntax.Stmt
	switch n := n.(type) {
	case *syntax.Subshell:
		stmts = n.Stmts
	case *syntax.CmdSubst:
		stmts = n.Stmts
	case *syntax.ProcSubst:
		stmts = n.Stmts
	}
	for _, st := range stmts {
		e.walk(st, execSubshell, fn)
	}
}

func (e *execScope) call(ce *syntax.CallExpr, mode execMode, fn string) {
	if len(ce.Args) == 0 {
		return
	}
	name := ce.Args[0].Lit()
	if name == "" {
		return
	}
	if name == "exec" {
		pos := ce.Args[0].Pos()
		e.mode[pos] = mode
		e.funcOf[pos] = fn
		return
	}
	if mode != execReplace {
		e.subCalls[name] = struct{}{}
	}
	if fn != "" {
		if e.calls[fn] == nil {
			e.calls[fn] = map[string]struct{}{}
		}
		e.calls[fn][name] = struct{}{}
	}
}

// modeOf says how the exec call at pos runs.
func (e *execScope) modeOf(pos syntax.Pos) execMode {
	e.mu.Lock()
	defer e.mu.Unlock()
	if m := e.mode[pos]; m != execReplace {
		return m
	}
	fn := e.funcOf[pos]
	if fn == "" {
		return execReplace
	}
	seen := map[string]bool{}
	queue := make([]string, 0, len(e.subCalls))
	for name := range e.subCalls {
		queue = append(queue, name)
	}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if seen[name] {
			continue
		}
		if name == fn {
			return execSubshell
		}
		seen[name] = true
		for callee := range e.calls[name] {
			queue = append(queue, callee)
		}
	}
	return execReplace
}
