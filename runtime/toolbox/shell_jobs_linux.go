package toolbox

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// mvdan/sh runs `cmd &` as a goroutine and calls it "g1" in $!, which
// `kill $!` cannot use, and its trap knows only EXIT and ERR. Docker
// entrypoints rely on both (`server & pid=$!; trap 'kill $pid' TERM;
// wait $pid`), so the shell starts simple background commands itself as
// real processes, answers $! with their pid, implements wait for them, and
// implements trap with real signals. Compound background commands
// (`{ ...; } &`, pipelines, functions) still run as mvdan/sh goroutines.
//
// The names below are commands the shell rewrites calls into; the NUL
// byte keeps users from typing them.
const (
	bgCommand      = "\x00bg"  // start args[1:] in the background, stdin /dev/null
	bgStdinCommand = "\x00bg<" // the same, keeping the redirected stdin
	waitCommand    = "\x00wait"
	bgPidVar       = "\x00bgpid" // what $! is rewritten to
	// trapDoneCommand ends a trap action run through eval, so the shell can
	// tell an action that finished from one that called exit. eval parses
	// it, so it must be a plain word.
	trapDoneCommand = "__boxlab_trap_done"
)

// job is a background process the shell started.
type job struct {
	pid    int
	done   chan struct{}
	status int
	err    error // from Wait, for ash's "Killed" message
}

// jobTable holds the background processes not yet waited for.
type jobTable struct {
	mu   sync.Mutex
	jobs map[int]*job
	last atomic.Int64 // $!
}

func (t *jobTable) add(j *job) {
	t.mu.Lock()
	if t.jobs == nil {
		t.jobs = map[int]*job{}
	}
	t.jobs[j.pid] = j
	t.mu.Unlock()
	t.last.Store(int64(j.pid))
}

func (t *jobTable) get(pid int) (*job, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	j, ok := t.jobs[pid]
	return j, ok
}

func (t *jobTable) remove(pid int) {
	t.mu.Lock()
	delete(t.jobs, pid)
	t.mu.Unlock()
}

func (t *jobTable) all() []*job {
	t.mu.Lock()
	defer t.mu.Unlock()
	js := make([]*job, 0, len(t.jobs))
	for _, j := range t.jobs {
		js = append(js, j)
	}
	sort.Slice(js, func(a, b int) bool { return js[a].pid < js[b].pid })
	return js
}

// shellEnviron is the interpreter's base environment: the process's
// variables, plus $! (rewritten to bgPidVar) answered from the job table.
type shellEnviron struct {
	expand.Environ
	jobs *jobTable
}

func (e shellEnviron) Get(name string) expand.Variable {
	if name == bgPidVar {
		if pid := e.jobs.last.Load(); pid > 0 {
			return expand.Variable{Set: true, Kind: expand.String, Str: strconv.FormatInt(pid, 10)}
		}
		return expand.Variable{}
	}
	return e.Environ.Get(name)
}

// rewriteJobs rewrites a parsed statement before it runs: simple
// background commands go to bgCommand and $! to bgPidVar. funcs are the
// functions declared so far, which stay mvdan/sh background jobs.
func rewriteJobs(node syntax.Node, funcs map[string]bool) {
	syntax.Walk(node, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.FuncDecl:
			funcs[n.Name.Value] = true
		case *syntax.Stmt:
			ce, ok := n.Cmd.(*syntax.CallExpr)
			if !n.Background || n.Coprocess || !ok || len(ce.Args) == 0 {
				break
			}
			if name := ce.Args[0].Lit(); name != "" && (interp.IsBuiltin(name) || funcs[name]) {
				break
			}
			cmd := bgCommand
			for _, r := range n.Redirs {
				if (r.N == nil || r.N.Value == "0") && (r.Op == syntax.RdrIn || r.Op == syntax.RdrInOut || r.Op == syntax.DplIn || r.Op == syntax.Hdoc || r.Op == syntax.DashHdoc || r.Op == syntax.WordHdoc) {
					cmd = bgStdinCommand
				}
			}
			ce.Args = append([]*syntax.Word{litWord(cmd)}, ce.Args...)
			n.Background = false
		case *syntax.ParamExp:
			if n.Param != nil && n.Param.Value == "!" && !n.Excl {
				n.Param = &syntax.Lit{ValuePos: n.Param.ValuePos, ValueEnd: n.Param.ValueEnd, Value: bgPidVar}
			}
		}
		return true
	})
}

func litWord(s string) *syntax.Word {
	return &syntax.Word{Parts: []syntax.WordPart{&syntax.Lit{Value: s}}}
}

// statusStmt is a statement that only sets $? to code.
func statusStmt(code int) *syntax.Stmt {
	return &syntax.Stmt{Cmd: &syntax.CallExpr{Args: []*syntax.Word{litWord(statusCommand), litWord(strconv.Itoa(code))}}}
}

// startBackground runs args as a background process and records it as $!.
// A name that is no program (a builtin or a function the shell did not
// see being declared, through eval or .) goes back to mvdan/sh's own
// background jobs.
func (sh *shell) startBackground(ctx context.Context, hc interp.HandlerContext, keepStdin bool, args []string) error {
	path, _, err := lookCommand(hc.Dir, hc.Env.Get("PATH").String(), args[0])
	if err != nil || interp.IsBuiltin(args[0]) {
		return hc.Builtin(ctx, []string{"eval", shellQuoteArgs(args) + " &"})
	}
	cmd := &exec.Cmd{Path: path, Args: args, Env: exportedEnv(hc.Env), Dir: hc.Dir, Stdout: hc.Stdout, Stderr: hc.Stderr}
	if keepStdin && hc.Stdin != nil {
		cmd.Stdin = hc.Stdin
	}
	if err := sh.children.start(cmd); err != nil {
		_, text := execFailure(args[0], err)
		fmt.Fprintln(hc.Stderr, sh.msg(hc.Pos, "", false, text))
		return nil
	}
	j := &job{pid: cmd.Process.Pid, done: make(chan struct{})}
	sh.jobs.add(j)
	go func() {
		werr := sh.children.wait(cmd)
		j.err = werr
		err := waitStatus(werr)
		if code, ok := interp.IsExitStatus(err); ok {
			j.status = int(code)
		} else if err != nil {
			j.status = 127
		}
		close(j.done)
	}()
	if sh.interactive {
		fmt.Fprintf(hc.Stderr, "[%d] %d\n", len(sh.jobs.all()), j.pid)
	}
	return nil
}

// wait is ash's wait for the shell's own background processes; mvdan/sh's
// wait handles its goroutine jobs. A trapped signal interrupts it: the
// trap runs and wait returns 128+N.
func (sh *shell) wait(ctx context.Context, hc interp.HandlerContext, args []string) error {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		for _, j := range sh.jobs.all() {
			if err, interrupted := sh.waitJob(ctx, hc, j); interrupted {
				return err
			}
			sh.jobs.remove(j.pid)
		}
		return hc.Builtin(ctx, []string{"wait"})
	}
	status := 0
	for _, arg := range args {
		if strings.HasPrefix(arg, "g") {
			return hc.Builtin(ctx, append([]string{"wait"}, args...))
		}
		pid, err := strconv.Atoi(arg)
		if err != nil {
			fmt.Fprintln(hc.Stderr, sh.msg(hc.Pos, "wait", true, "illegal number: "+arg))
			return interp.ExitStatus(2)
		}
		j, ok := sh.jobs.get(pid)
		if !ok {
			status = 127
			continue
		}
		if err, interrupted := sh.waitJob(ctx, hc, j); interrupted {
			return err
		}
		sh.jobs.remove(pid)
		reportSignal(hc.Stderr, j.err)
		status = j.status
	}
	return exitStatus(status)
}

// waitJob waits for j to end or for a trapped signal; on a signal it runs
// the traps and reports interrupted with the status wait returns.
func (sh *shell) waitJob(ctx context.Context, hc interp.HandlerContext, j *job) (error, bool) {
	for {
		select {
		case <-j.done:
			return nil, false
		case <-sh.traps.wake:
			sig := sh.traps.firstPending()
			if sig == 0 {
				continue
			}
			if err := sh.runTraps(ctx, hc); err != nil {
				return err, true
			}
			return interp.ExitStatus(uint8(128 + int(sig))), true
		case <-ctx.Done():
			return ctx.Err(), true
		}
	}
}

// trapState is the shell's traps: EXIT (signal 0) and real signals.
type trapState struct {
	mu       sync.Mutex
	actions  map[syscall.Signal]string // "" means ignored
	once     sync.Once
	sigs     chan os.Signal
	pending  atomic.Uint64 // bit N: signal N arrived and its trap has not run
	wake     chan struct{}
	doneFlag atomic.Bool // set by trapDoneCommand
}

func (t *trapState) action(sig syscall.Signal) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	a, ok := t.actions[sig]
	return a, ok
}

func (t *trapState) firstPending() syscall.Signal {
	p := t.pending.Load()
	for sig := syscall.Signal(1); sig <= sigRTMax; sig++ {
		if p&(1<<uint(sig)) != 0 {
			return sig
		}
	}
	return 0
}

// listen starts the goroutine that receives the signals the shell catches:
// trapped ones become pending traps, ^C goes to the interactive loop.
func (sh *shell) listen() {
	sh.traps.once.Do(func() {
		sh.traps.sigs = make(chan os.Signal, 16)
		go func() {
			for s := range sh.traps.sigs {
				sig := s.(syscall.Signal)
				if action, ok := sh.traps.action(sig); ok && action != "" {
					for {
						old := sh.traps.pending.Load()
						if sh.traps.pending.CompareAndSwap(old, old|1<<uint(sig)) {
							break
						}
					}
					select {
					case sh.traps.wake <- struct{}{}:
					default:
					}
					continue
				}
				if sig == syscall.SIGINT && sh.onInterrupt != nil {
					sh.onInterrupt()
				}
			}
		}()
	})
}

// restoreSignal gives sig back the disposition it has without a trap.
func (sh *shell) restoreSignal(sig syscall.Signal) {
	signal.Reset(sig)
	if os.Getpid() == 1 {
		for _, s := range pid1Dropped() {
			if s == sig {
				signal.Notify(make(chan os.Signal, 1), sig)
			}
		}
	}
	if sh.interactive && (sig == syscall.SIGINT || sig == syscall.SIGQUIT || sig == syscall.SIGTERM) {
		signal.Notify(sh.traps.sigs, sig)
	}
	if sh.interactive && (sig == syscall.SIGTSTP || sig == syscall.SIGTTIN || sig == syscall.SIGTTOU) {
		signal.Ignore(sig)
	}
}

// trap is ash's trap builtin: `trap`, `trap ACTION SIG...`, `trap ” SIG`
// (ignore), `trap - SIG` or `trap SIG` (default). SIG is EXIT, 0, a name
// with or without SIG, or a number. ERR traps go to mvdan/sh.
func (sh *shell) trap(hc interp.HandlerContext, args []string) ([]string, int) {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		sh.printTraps(hc.Stdout)
		return nil, 0
	}
	if len(args[0]) > 1 && args[0][0] == '-' {
		fmt.Fprintln(hc.Stderr, sh.msg(hc.Pos, "trap", true, "illegal option "+args[0]))
		return nil, 2
	}
	action, names := args[0], args[1:]
	if len(args) == 1 {
		action, names = "-", args
	}
	status := 0
	for _, name := range names {
		if strings.ToUpper(name) == "ERR" {
			return []string{"trap", action, "ERR"}, 0
		}
		var sig syscall.Signal
		if up := strings.ToUpper(name); up == "EXIT" || name == "0" {
			sig = 0
		} else if s, ok := parseSignal(name); ok && s > 0 {
			sig = s
		} else {
			fmt.Fprintln(hc.Stderr, sh.msg(hc.Pos, "trap", true, name+": invalid signal specification"))
			status = 1
			continue
		}
		sh.traps.mu.Lock()
		if sh.traps.actions == nil {
			sh.traps.actions = map[syscall.Signal]string{}
		}
		if action == "-" {
			delete(sh.traps.actions, sig)
		} else {
			sh.traps.actions[sig] = action
		}
		sh.traps.mu.Unlock()
		if sig == 0 || sig == syscall.SIGKILL || sig == syscall.SIGSTOP {
			continue
		}
		switch action {
		case "-":
			sh.restoreSignal(sig)
		case "":
			signal.Ignore(sig)
		default:
			sh.listen()
			signal.Notify(sh.traps.sigs, sig)
		}
	}
	return nil, status
}

func (sh *shell) printTraps(w io.Writer) {
	sh.traps.mu.Lock()
	defer sh.traps.mu.Unlock()
	sigs := make([]int, 0, len(sh.traps.actions))
	for sig := range sh.traps.actions {
		sigs = append(sigs, int(sig))
	}
	sort.Ints(sigs)
	for _, sig := range sigs {
		name := "EXIT"
		if sig > 0 {
			name = signalName(syscall.Signal(sig))
		}
		fmt.Fprintf(w, "trap -- %s %s\n", shellQuote(sh.traps.actions[syscall.Signal(sig)]), name)
	}
}

// runTraps runs the actions of the signals that arrived, from an exec
// handler. It returns a non-nil error when an action ended the shell.
func (sh *shell) runTraps(ctx context.Context, hc interp.HandlerContext) error {
	for {
		sig := sh.traps.firstPending()
		if sig == 0 {
			return nil
		}
		for {
			old := sh.traps.pending.Load()
			if sh.traps.pending.CompareAndSwap(old, old&^(1<<uint(sig))) {
				break
			}
		}
		action, ok := sh.traps.action(sig)
		if !ok || action == "" {
			continue
		}
		sh.traps.doneFlag.Store(false)
		err := hc.Builtin(ctx, []string{"eval", action + "\n" + trapDoneCommand})
		if !sh.traps.doneFlag.Load() {
			return err
		}
	}
}

// runTrapsTop runs pending trap actions between two top-level statements.
func (sh *shell) runTrapsTop(ctx context.Context, status int) (int, bool) {
	for {
		sig := sh.traps.firstPending()
		if sig == 0 {
			return status, false
		}
		for {
			old := sh.traps.pending.Load()
			if sh.traps.pending.CompareAndSwap(old, old&^(1<<uint(sig))) {
				break
			}
		}
		action, ok := sh.traps.action(sig)
		if !ok || action == "" {
			continue
		}
		if code, exited := sh.runAction(ctx, action, status); exited {
			return code, true
		}
	}
}

// runAction runs a trap action with $? set to status; it reports whether
// the action exited the shell, and with which status.
func (sh *shell) runAction(ctx context.Context, action string, status int) (int, bool) {
	sh.runner.Run(ctx, statusStmt(status))
	f, err := syntax.NewParser().Parse(strings.NewReader(action), sh.arg0)
	if err != nil {
		sh.syntaxError(err)
		return status, false
	}
	code := sh.status(sh.runner.Run(ctx, &syntax.File{Name: sh.arg0, Stmts: f.Stmts}))
	if sh.runner.Exited() {
		return code, true
	}
	sh.runner.Run(ctx, statusStmt(status))
	return status, false
}

// finish runs the EXIT trap, once, and returns the shell's exit status.
func (sh *shell) finish(ctx context.Context, status int) int {
	sh.traps.mu.Lock()
	action, ok := sh.traps.actions[0]
	delete(sh.traps.actions, 0)
	sh.traps.mu.Unlock()
	if !ok || action == "" {
		return status
	}
	code, _ := sh.runAction(ctx, action, status)
	return code
}

// shellQuote quotes s for the shell the way ash prints it: 'it'"'"'s'.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

func shellQuoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}
