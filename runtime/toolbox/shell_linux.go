package toolbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

func init() {
	for _, name := range []string{"sh", "ash"} {
		Register(&Applet{
			Name:       name,
			Usage:      name + " [-eilnsux] [-o OPT]... [-c 'SCRIPT' [ARG0 ARGS] | FILE ARGS | -s ARGS]",
			Help:       shellHelp,
			Run:        runShell,
			Unbuffered: true,
		})
	}
}

const shellHelp = `POSIX shell (mvdan.cc/sh). Reads commands from SCRIPT, FILE or stdin,
interactively when stdin is a terminal.

	-c SCRIPT	Run SCRIPT; ARG0 becomes $0
	-s		Read commands from stdin; ARGS are the positional parameters
	-i		Interactive
	-l		Login shell: source /etc/profile and $HOME/.profile
	-e -u -x -n -f -a	set options (errexit nounset xtrace noexec noglob allexport)
	-o OPT		set -o OPT`

// statusCommand is what the call handler rewrites a command into when it
// has dealt with it and only an exit status is left to report; the name
// cannot be typed, so it always reaches the exec handler.
const statusCommand = "\x00status"

// builtinCommand runs the applet args[1] in the shell process, for ash's
// builtins that mvdan/sh lacks or words differently.
const builtinCommand = "\x00builtin"

// shell is one run of sh: the interpreter plus what busybox ash's messages
// and `exec` need to know about how it was started.
type shell struct {
	stdin          *os.File
	stdout, stderr io.Writer

	name        string // the applet, sh or ash: the prefix of builtins' messages
	arg0        string // $0, the prefix of the shell's own messages
	showLine    bool   // plain command errors carry "line N:" (scripts, -c with ARG0)
	lineOffset  int    // busybox counts -c lines from 0
	interactive bool
	login       bool

	scope    *execScope
	funcs    map[string]bool // functions declared so far (see rewriteJobs)
	jobs     jobTable
	children children
	traps    trapState
	runner   *interp.Runner

	// onInterrupt handles ^C in the interactive shell.
	onInterrupt func()
	// ps1 is the last primary prompt shown, for ^C to show it again
	// without reading the interpreter's state while it may change.
	ps1 atomic.Pointer[string]
}

// shellArgs is a parsed sh command line.
type shellArgs struct {
	command     *string // -c SCRIPT
	stdin       bool    // -s
	interactive bool    // -i
	login       bool    // -l
	opts        []string
	operands    []string
}

func parseShellArgs(args []string) (shellArgs, error) {
	var a shellArgs
	for len(args) > 0 {
		arg := args[0]
		if arg == "--" || arg == "-" {
			args = args[1:]
			break
		}
		if len(arg) < 2 || (arg[0] != '-' && arg[0] != '+') {
			break
		}
		args = args[1:]
		on := arg[0] == '-'
		for i := 1; i < len(arg); i++ {
			switch f := arg[i]; f {
			case 'c':
				if !on {
					return a, fmt.Errorf("+c: invalid option")
				}
				script := ""
				a.command = &script
			case 's':
				a.stdin = true
			case 'i':
				a.interactive = true
			case 'l':
				a.login = true
			case 'o':
				if len(args) == 0 {
					return a, fmt.Errorf("-o: option requires an argument")
				}
				a.opts = append(a.opts, arg[:1]+"o", args[0])
				args = args[1:]
			case 'e', 'u', 'x', 'n', 'f', 'a':
				a.opts = append(a.opts, arg[:1]+string(f))
			case 'v', 'm', 'C', 'b':
				// Accepted for compatibility; mvdan/sh has no verbose,
				// job-control, noclobber or notify modes.
			default:
				return a, fmt.Errorf("%c%c: invalid option", arg[0], f)
			}
		}
	}
	if a.command != nil {
		if len(args) == 0 {
			return a, fmt.Errorf("-c requires an argument")
		}
		*a.command = args[0]
		args = args[1:]
	}
	a.operands = args
	return a, nil
}

func runShell(c *Context, args []string) int {
	a, err := parseShellArgs(args)
	if err != nil {
		c.Errorf("%s", err)
		return 2
	}
	stdin, _ := c.Stdin.(*os.File)
	sh := &shell{
		stdin:  stdin,
		stdout: c.Stdout,
		stderr: c.Stderr,
		name:   c.Name,
		arg0:   c.argv0(),
		login:  a.login || strings.HasPrefix(os.Args[0], "-"),
		scope:  newExecScope(),
		funcs:  map[string]bool{},
	}
	sh.traps.wake = make(chan struct{}, 1)
	var (
		src    io.Reader
		params = a.operands
	)
	switch {
	case a.command != nil:
		src = strings.NewReader(*a.command)
		sh.lineOffset = -1
		if len(params) > 0 {
			sh.arg0, params = params[0], params[1:]
			sh.showLine = true
		}
	case len(params) > 0 && !a.stdin:
		f, err := os.Open(params[0])
		if err != nil {
			c.Errorf("can't open '%s': %s", params[0], errText(err))
			return 2
		}
		defer f.Close()
		src = f
		sh.arg0, params = params[0], params[1:]
		sh.showLine = true
	default:
		src = c.Stdin
		sh.interactive = a.interactive || (stdin != nil && isTerminal(stdin) && isTerminalWriter(c.Stderr))
	}
	if err := sh.newRunner(a.opts, params); err != nil {
		c.Errorf("%s", err)
		return 2
	}
	return sh.main(src)
}

func isTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}

func (sh *shell) newRunner(opts, params []string) error {
	var stdin io.Reader
	if sh.stdin != nil {
		stdin = sh.stdin
	}
	r, err := interp.New(
		interp.Env(shellEnviron{Environ: expand.ListEnviron(shellStartEnv(os.Environ())...), jobs: &sh.jobs}),
		interp.StdIO(stdin, sh.stdout, sh.stderr),
		interp.Params(append(opts, append([]string{"--"}, params...)...)...),
		interp.Interactive(sh.interactive),
		interp.CallHandler(sh.call),
		interp.ExecHandlers(sh.execHandler),
	)
	if err != nil {
		return err
	}
	sh.runner = r
	return nil
}

// shellStartEnv is the environment the shell starts with, adjusted like
// ash does: SHLVL counts nesting, PATH has a default.
func shellStartEnv(env []string) []string {
	out := make([]string, 0, len(env)+2)
	level, path := 0, false
	for _, kv := range env {
		switch {
		case strings.HasPrefix(kv, "SHLVL="):
			level, _ = strconv.Atoi(kv[len("SHLVL="):])
			continue
		case strings.HasPrefix(kv, "PATH="):
			path = true
		}
		out = append(out, kv)
	}
	out = append(out, "SHLVL="+strconv.Itoa(level+1))
	if !path {
		out = append(out, "PATH=/sbin:/usr/sbin:/bin:/usr/bin")
	}
	return out
}

// main runs the shell's input to its end and returns the exit status.
func (sh *shell) main(src io.Reader) int {
	ctx := context.Background()
	sh.runner.Reset()
	sh.initPrompt(ctx)
	sh.children.reapOrphans()
	if sh.login {
		for _, p := range []string{"/etc/profile", filepath.Join(os.Getenv("HOME"), ".profile")} {
			if code, exited := sh.source(ctx, p); exited {
				return code
			}
		}
	}
	if env := os.Getenv("ENV"); sh.interactive && env != "" {
		if code, exited := sh.source(ctx, env); exited {
			return code
		}
	}
	var status int
	if sh.interactive {
		status, _ = sh.repl(ctx, src)
	} else {
		status, _ = sh.runReader(ctx, src)
	}
	return sh.finish(ctx, status)
}

// runReader parses and runs src a line at a time, as ash does: commands
// run before a syntax error further down is found.
func (sh *shell) runReader(ctx context.Context, src io.Reader) (int, bool) {
	parser := syntax.NewParser()
	status := 0
	// InteractiveSeq hands over a line's statements at its newline, so
	// input that does not end in one gets it.
	src = io.MultiReader(src, strings.NewReader("\n"))
	for stmts, err := range parser.InteractiveSeq(src) {
		if parser.Incomplete() && err == nil {
			continue
		}
		for _, st := range stmts {
			if st == nil {
				continue
			}
			status = sh.run(ctx, st)
			if sh.runner.Exited() {
				return status, true
			}
			if code, exited := sh.runTrapsTop(ctx, status); exited {
				return code, true
			}
		}
		if err != nil {
			sh.syntaxError(err)
			return 2, true
		}
	}
	return status, false
}

// source runs the file at path in the current shell, like `. path`; a
// missing file is skipped.
func (sh *shell) source(ctx context.Context, path string) (int, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	return sh.runReader(ctx, f)
}

// run runs one statement. It is wrapped in a File because mvdan/sh takes
// $0 from the name of the File it runs; the EXIT trap that running a File
// implies is the shell's own (see trap), so it does not fire here.
func (sh *shell) run(ctx context.Context, st *syntax.Stmt) int {
	sh.scope.add(st)
	rewriteJobs(st, sh.funcs)
	return sh.status(sh.runner.Run(ctx, &syntax.File{Name: sh.arg0, Stmts: []*syntax.Stmt{st}}))
}

// status turns Run's error into an exit status; an error that is not a
// status is a fatal interpreter error, reported like ash's.
func (sh *shell) status(err error) int {
	if err == nil {
		return 0
	}
	if code, ok := interp.IsExitStatus(err); ok {
		return int(code)
	}
	if errors.Is(err, context.Canceled) {
		return 130 // ^C stopped an interactive command
	}
	fmt.Fprintf(sh.stderr, "%s: %v\n", sh.arg0, err)
	return 2
}

func (sh *shell) syntaxError(err error) {
	var pe syntax.ParseError
	if errors.As(err, &pe) {
		fmt.Fprintln(sh.stderr, sh.msg(pe.Pos, "", false, "syntax error: "+pe.Text))
		return
	}
	fmt.Fprintf(sh.stderr, "%s: %v\n", sh.arg0, err)
}

// msg formats an error like busybox ash: "ARG0: [CMD: ][line N: ]TEXT".
// Builtins' errors always carry the line outside interactive mode; other
// errors only in scripts and in -c with an explicit ARG0.
func (sh *shell) msg(pos syntax.Pos, cmd string, builtin bool, text string) string {
	var b strings.Builder
	b.WriteString(sh.arg0 + ": ")
	if cmd != "" {
		b.WriteString(cmd + ": ")
	}
	line := sh.showLine
	if builtin {
		line = !sh.interactive
	}
	if line && pos.IsValid() {
		fmt.Fprintf(&b, "line %d: ", int(pos.Line())+sh.lineOffset)
	}
	b.WriteString(text)
	return b.String()
}

// call is the call handler: it sees every simple command, builtins
// included, after expansion. It implements what mvdan/sh's builtins do
// differently from ash: a real execve for exec, and ash's cd errors.
func (sh *shell) call(ctx context.Context, args []string) ([]string, error) {
	hc := interp.HandlerCtx(ctx)
	switch args[0] {
	case "exec":
		if len(args) > 1 && args[1] == "--" {
			args = append(args[:1:1], args[2:]...)
		}
		if len(args) == 1 {
			break
		}
		switch sh.scope.modeOf(hc.Pos) {
		case execReplace:
			code := sh.execve(hc, args[1:])
			if sh.interactive {
				return []string{statusCommand, strconv.Itoa(code)}, nil
			}
			return []string{"exit", strconv.Itoa(code)}, nil
		case execPipe:
			return args[1:], nil
		}
	case "trap":
		rewritten, code := sh.trap(hc, args[1:])
		if rewritten != nil {
			return rewritten, nil
		}
		return []string{statusCommand, strconv.Itoa(code)}, nil
	case "wait":
		return append([]string{waitCommand}, args[1:]...), nil
	case "kill", "umask", "echo", "printf", "test", "[":
		// ash's builtins that mvdan/sh lacks (kill, umask) or implements
		// differently from busybox (printf formats, messages): the applets.
		return append([]string{builtinCommand}, args...), nil
	case "cd":
		if code, failed := sh.checkCd(hc, args[1:]); failed {
			return []string{statusCommand, strconv.Itoa(code)}, nil
		}
	}
	return args, nil
}

// checkCd reports cd's errors in ash's words (mvdan/sh's cd would print
// its own); on success mvdan/sh's cd does the work.
func (sh *shell) checkCd(hc interp.HandlerContext, args []string) (int, bool) {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) != 1 || args[0] == "-" || args[0] == "" {
		return 0, false
	}
	dir := args[0]
	path := dir
	if !filepath.IsAbs(path) {
		path = filepath.Join(hc.Dir, path)
	}
	err := syscall.Access(path, 1) // X_OK: what chdir needs
	if err == nil {
		if st, serr := os.Stat(path); serr != nil || !st.IsDir() {
			err = syscall.ENOTDIR
		}
	}
	if err == nil {
		return 0, false
	}
	fmt.Fprintln(hc.Stderr, sh.msg(hc.Pos, "cd", true, "can't cd to "+dir+": "+errText(err)))
	return 2, true
}

// execHandler runs every command that is not a function or builtin as a
// child process found through PATH, with ash's messages and statuses.
func (sh *shell) execHandler(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	return func(ctx context.Context, args []string) error {
		hc := interp.HandlerCtx(ctx)
		switch args[0] {
		case statusCommand:
			code, _ := strconv.Atoi(args[1])
			return exitStatus(code)
		case bgCommand, bgStdinCommand:
			return sh.startBackground(ctx, hc, args[0] == bgStdinCommand, args[1:])
		case waitCommand:
			return sh.wait(ctx, hc, args[1:])
		case trapDoneCommand:
			sh.traps.doneFlag.Store(true)
			return nil
		case builtinCommand:
			return sh.builtin(hc, args[1:])
		}
		path, code, err := lookCommand(hc.Dir, hc.Env.Get("PATH").String(), args[0])
		if err != nil {
			fmt.Fprintln(hc.Stderr, sh.msg(hc.Pos, "", false, err.Error()))
			return interp.ExitStatus(code)
		}
		status := sh.runChild(ctx, hc, path, args)
		if err := sh.runTraps(ctx, hc); err != nil {
			return err
		}
		return status
	}
}

// builtin runs an applet inside the shell with the command's streams.
func (sh *shell) builtin(hc interp.HandlerContext, args []string) error {
	// Messages carry the shell's applet name, as ash's builtins' do.
	c := &Context{Name: sh.name, Stdin: hc.Stdin, Stdout: hc.Stdout, Stderr: hc.Stderr}
	switch args[0] {
	case "kill":
		return exitStatus(kill(c, args[1:]))
	case "umask":
		return exitStatus(umask(c, args[1:]))
	case "echo":
		return exitStatus(echo(c, args[1:]))
	case "printf":
		return exitStatus(printfApplet(c, args[1:]))
	case "test":
		return exitStatus(testRun(c, args[1:], ""))
	case "[":
		return exitStatus(testRun(c, args[1:], "]"))
	}
	return exitStatus(127)
}

// umask is ash's umask builtin: print the mask (-S symbolically) or set
// it from an octal number.
func umask(c *Context, args []string) int {
	symbolic := len(args) > 0 && args[0] == "-S"
	if symbolic {
		args = args[1:]
	}
	if len(args) == 0 {
		m := syscall.Umask(0)
		syscall.Umask(m)
		if !symbolic {
			fmt.Fprintf(c.Stdout, "%04o\n", m)
			return 0
		}
		perm := func(shift uint) string {
			var s string
			for i, ch := range "rwx" {
				if m&(4>>uint(i)<<shift) == 0 {
					s += string(ch)
				}
			}
			return s
		}
		fmt.Fprintf(c.Stdout, "u=%s,g=%s,o=%s\n", perm(6), perm(3), perm(0))
		return 0
	}
	m, err := strconv.ParseUint(args[0], 8, 32)
	if err != nil || m > 0o777 {
		fmt.Fprintf(c.Stderr, "sh: umask: Illegal number: %s\n", args[0])
		return 1
	}
	syscall.Umask(int(m))
	return 0
}

// runChild runs the program at path as a child process and waits for it.
func (sh *shell) runChild(ctx context.Context, hc interp.HandlerContext, path string, args []string) error {
	cmd := &exec.Cmd{
		Path:   path,
		Args:   args,
		Env:    exportedEnv(hc.Env),
		Dir:    hc.Dir,
		Stdout: hc.Stdout,
		Stderr: hc.Stderr,
	}
	if hc.Stdin != nil {
		cmd.Stdin = hc.Stdin
	}
	err := sh.children.start(cmd)
	// A file another process just wrote may briefly be busy (go.dev/issue/22315).
	for delay := time.Millisecond; errors.Is(err, syscall.ETXTBSY) && delay < 300*time.Millisecond; delay *= 2 {
		time.Sleep(delay)
		cmd = &exec.Cmd{Path: cmd.Path, Args: cmd.Args, Env: cmd.Env, Dir: cmd.Dir, Stdin: cmd.Stdin, Stdout: cmd.Stdout, Stderr: cmd.Stderr}
		err = sh.children.start(cmd)
	}
	if errors.Is(err, syscall.ENOEXEC) {
		// A script without #!: like ash, run it with this shell.
		self, serr := os.Executable()
		if serr != nil {
			self = "/bin/sh"
		}
		cmd = &exec.Cmd{Path: self, Args: append([]string{"sh", path}, args[1:]...), Env: cmd.Env, Dir: cmd.Dir, Stdin: cmd.Stdin, Stdout: cmd.Stdout, Stderr: cmd.Stderr}
		err = sh.children.start(cmd)
	}
	if err != nil {
		code, text := execFailure(args[0], err)
		fmt.Fprintln(hc.Stderr, sh.msg(hc.Pos, "", false, text))
		return interp.ExitStatus(code)
	}
	err = sh.children.wait(cmd)
	reportSignal(hc.Stderr, err)
	return waitStatus(err)
}

// reportSignal prints, like ash, how a child that a signal killed ended
// ("Killed", "Segmentation fault (core dumped)"); ^C and a broken pipe
// are not worth a message.
func reportSignal(w io.Writer, err error) {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() == syscall.SIGINT || ws.Signal() == syscall.SIGPIPE {
		return
	}
	text := errText(signalErrno(ws.Signal()))
	if ws.CoreDump() {
		text += " (core dumped)"
	}
	fmt.Fprintln(w, text)
}

// exitStatus is the handler error for a status: nil for 0, which
// mvdan/sh requires.
func exitStatus(code int) error {
	if code == 0 {
		return nil
	}
	return interp.ExitStatus(uint8(code))
}

// waitStatus maps a child's end to the shell status: its exit code, or
// 128+N when signal N killed it.
func waitStatus(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return interp.ExitStatus(uint8(128 + int(ws.Signal())))
		}
		return exitStatus(ee.ExitCode())
	}
	if err != nil && !errors.Is(err, exec.ErrWaitDelay) {
		return err
	}
	return nil
}

// execFailure is ash's message and status for an execve that failed.
func execFailure(name string, err error) (int, string) {
	switch {
	case errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.ENOTDIR):
		return 127, name + ": not found"
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EISDIR):
		return 126, name + ": Permission denied"
	default:
		return 126, name + ": " + errText(err)
	}
}

// lookCommand finds name like ash: through PATH unless it contains a
// slash, skipping files that are not executable. It returns ash's message
// and status when there is nothing to run.
func lookCommand(dir, pathVar, name string) (string, int, error) {
	if strings.Contains(name, "/") {
		path := name
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		st, err := os.Stat(path)
		switch {
		case err != nil && (errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ENOTDIR)):
			return "", 127, fmt.Errorf("%s: not found", name)
		case err != nil:
			return "", 126, fmt.Errorf("%s: %s", name, errText(err))
		case st.IsDir() || syscall.Access(path, 1) != nil:
			return "", 126, fmt.Errorf("%s: Permission denied", name)
		}
		return path, 0, nil
	}
	for _, d := range filepath.SplitList(pathVar) {
		if d == "" {
			d = "."
		}
		path := filepath.Join(d, name)
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		st, err := os.Stat(path)
		if err != nil || st.IsDir() || syscall.Access(path, 1) != nil {
			continue
		}
		return path, 0, nil
	}
	return "", 127, fmt.Errorf("%s: not found", name)
}

// exportedEnv is the environment a child gets: the exported variables.
// Each lists a variable once per scope, outermost first; the innermost
// value wins, and it stays exported when an outer scope exported it
// because the export attribute belongs to the name (mvdan/sh drops it
// when a builtin such as cd assigns PWD).
func exportedEnv(env expand.Environ) []string {
	index := map[string]int{}
	var list []string
	for name, vr := range env.Each {
		i, seen := index[name]
		switch {
		case !vr.IsSet():
			if seen {
				list[i] = ""
			}
		case vr.Kind != expand.String:
		case seen && (vr.Exported || list[i] != "" || name == "PWD" || name == "OLDPWD"):
			list[i] = name + "=" + vr.Str
		case vr.Exported || name == "PWD" || name == "OLDPWD": // ash always exports these
			index[name] = len(list)
			list = append(list, name+"="+vr.Str)
		}
	}
	out := list[:0]
	for _, kv := range list {
		if kv != "" {
			out = append(out, kv)
		}
	}
	return out
}

// execve replaces the shell process with args[0], as a POSIX shell's exec
// does: same pid, so an entrypoint script's `exec "$@"` makes the command
// PID 1. The command gets the exported variables, the shell's directory
// and its standard streams, including redirections of the exec statement.
// It returns only on failure, with ash's status, having printed the error.
func (sh *shell) execve(hc interp.HandlerContext, args []string) int {
	path, code, err := lookCommand(hc.Dir, hc.Env.Get("PATH").String(), args[0])
	if err != nil {
		fmt.Fprintln(hc.Stderr, sh.msg(hc.Pos, "exec", true, err.Error()))
		return code
	}
	env := exportedEnv(hc.Env)
	if err := os.Chdir(hc.Dir); err != nil {
		fmt.Fprintln(hc.Stderr, sh.msg(hc.Pos, "exec", true, "can't cd to "+hc.Dir+": "+errText(err)))
		return 2
	}
	if err := redirectStdio(hc); err != nil {
		fmt.Fprintln(hc.Stderr, sh.msg(hc.Pos, "exec", true, errText(err)))
		return 2
	}
	// Stop signals ignored by the interactive shell must not stay ignored.
	signal.Reset(syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU)
	err = syscall.Exec(path, args, env)
	if errors.Is(err, syscall.ENOEXEC) {
		if self, serr := os.Executable(); serr == nil {
			err = syscall.Exec(self, append([]string{"sh", path}, args[1:]...), env)
		}
	}
	code, text := execFailure(args[0], err)
	fmt.Fprintln(hc.Stderr, sh.msg(hc.Pos, "exec", true, text))
	return code
}

// redirectStdio puts the exec statement's streams on fds 0, 1 and 2. The
// sources are duplicated first so that `2>&1 >file` cannot read an fd
// that was already replaced.
func redirectStdio(hc interp.HandlerContext) error {
	streams := []any{hc.Stdin, hc.Stdout, hc.Stderr}
	var dups [3]int
	for fd, s := range streams {
		dups[fd] = -1
		f, ok := s.(*os.File)
		if !ok || f == nil || int(f.Fd()) == fd {
			continue // not redirected: the process's own fd stays
		}
		d, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 3)
		if err != nil {
			return err
		}
		dups[fd] = d
	}
	for fd, d := range dups {
		if d < 0 {
			continue
		}
		if err := unix.Dup3(d, fd, 0); err != nil {
			return err
		}
		unix.Close(d)
	}
	return nil
}
