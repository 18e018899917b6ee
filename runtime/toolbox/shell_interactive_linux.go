package toolbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"mvdan.cc/sh/v3/syntax"
)

const shellBanner = "\n\n" + Binary + " built-in shell (ash)\nEnter 'help' for a list of built-in commands.\n\n"

// ttyReader reads the terminal in cooked mode, so the kernel's line
// discipline does the editing (backspace, ^U, ^W) and every read returns
// one line. A ^C while a line is being read turns the read into
// errInterrupted and keeps what comes next for the next command.
type ttyReader struct {
	in          io.Reader
	pending     []byte
	reading     atomic.Bool
	interrupted atomic.Bool
}

func (r *ttyReader) Read(p []byte) (int, error) {
	if len(r.pending) > 0 {
		n := copy(p, r.pending)
		r.pending = r.pending[n:]
		return n, nil
	}
	r.reading.Store(true)
	n, err := r.in.Read(p)
	r.reading.Store(false)
	if r.interrupted.Swap(false) {
		r.pending = append(r.pending[:0], p[:n]...)
		return 0, errInterrupted
	}
	return n, err
}

// interactiveSignals makes the interactive shell survive what the
// terminal sends its foreground process group: ^C and ^\ reach the
// running command, not the shell, and SIGTERM is ignored like in ash.
// Stop signals are ignored because the shell has no job control to
// resume a stopped command with.
func (sh *shell) interactiveSignals() {
	signal.Ignore(syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU)
	sh.listen()
	signal.Notify(sh.traps.sigs, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM)
}

// repl is the interactive loop: prompt on stderr, read a line, run it.
func (sh *shell) repl(ctx context.Context, src io.Reader) (int, bool) {
	fmt.Fprint(sh.stderr, shellBanner)
	in := &ttyReader{in: src}
	var (
		mu     sync.Mutex
		cancel context.CancelFunc
	)
	sh.onInterrupt = func() {
		if in.reading.Load() {
			in.interrupted.Store(true)
			if ps1 := sh.ps1.Load(); ps1 != nil {
				fmt.Fprint(sh.stderr, "\n"+*ps1)
			}
			return
		}
		mu.Lock()
		if cancel != nil {
			cancel()
		}
		mu.Unlock()
	}
	sh.interactiveSignals()
	status := 0
	sh.showPS1()
	for {
		parser := syntax.NewParser()
		restart := false
		for stmts, err := range parser.InteractiveSeq(in) {
			if errors.Is(err, errInterrupted) {
				restart = true
				break
			}
			if err == nil && parser.Incomplete() {
				fmt.Fprint(sh.stderr, sh.prompt("PS2"))
				continue
			}
			for _, st := range stmts {
				if st == nil {
					continue
				}
				runCtx, stop := context.WithCancel(ctx)
				mu.Lock()
				cancel = stop
				mu.Unlock()
				status = sh.run(runCtx, st)
				mu.Lock()
				cancel = nil
				mu.Unlock()
				interrupted := runCtx.Err() != nil
				stop()
				if interrupted {
					fmt.Fprintln(sh.stderr)
					status = 130
					sh.runner.Run(ctx, statusStmt(status))
					break // the rest of the line is abandoned, like ash
				}
				if sh.runner.Exited() {
					return status, true
				}
				if code, exited := sh.runTrapsTop(ctx, status); exited {
					return code, true
				}
			}
			if err != nil {
				sh.syntaxError(err)
				restart = true
				sh.showPS1()
				break
			}
			sh.showPS1()
		}
		if !restart {
			return status, false // end of input (^D)
		}
	}
}

// showPS1 prints the primary prompt.
func (sh *shell) showPS1() {
	ps1 := sh.prompt("PS1")
	sh.ps1.Store(&ps1)
	fmt.Fprint(sh.stderr, ps1)
}

// initPrompt gives PS1, PS2 and PS4 ash's defaults unless they are set;
// ash sets them in every shell, interactive or not.
func (sh *shell) initPrompt(ctx context.Context) {
	f, err := syntax.NewParser().Parse(strings.NewReader(`: "${PS1=\w \$ }" "${PS2=> }" "${PS4=+ }"`), "")
	if err != nil {
		panic(err) // a constant that parses
	}
	sh.runner.Run(ctx, f)
}

// prompt expands the prompt variable name: ash's backslash escapes
// (\w \W \u \h \H \$ \n \\) and $VAR.
func (sh *shell) prompt(name string) string {
	vars := sh.runner.Vars
	ps := vars[name].String()
	var b strings.Builder
	for i := 0; i < len(ps); i++ {
		ch := ps[i]
		if ch != '\\' || i+1 == len(ps) {
			b.WriteByte(ch)
			continue
		}
		i++
		switch ps[i] {
		case 'w':
			b.WriteString(tildeDir(sh.runner.Dir, vars["HOME"].String()))
		case 'W':
			b.WriteString(filepath.Base(sh.runner.Dir))
		case 'u':
			b.WriteString(userName(os.Geteuid()))
		case 'h':
			h, _ := os.Hostname()
			h, _, _ = strings.Cut(h, ".")
			b.WriteString(h)
		case 'H':
			h, _ := os.Hostname()
			b.WriteString(h)
		case '$':
			if os.Geteuid() == 0 {
				b.WriteByte('#')
			} else {
				b.WriteByte('$')
			}
		case 'n':
			b.WriteByte('\n')
		case '\\':
			b.WriteByte('\\')
		default:
			b.WriteByte('\\')
			b.WriteByte(ps[i])
		}
	}
	return os.Expand(b.String(), func(v string) string {
		if v == "" {
			return "$"
		}
		return vars[v].String()
	})
}

// tildeDir shows dir with the home directory as ~, like ash's \w.
func tildeDir(dir, home string) string {
	if home != "" && home != "/" {
		if dir == home {
			return "~"
		}
		if strings.HasPrefix(dir, home+"/") {
			return "~" + dir[len(home):]
		}
	}
	return dir
}
