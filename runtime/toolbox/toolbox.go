package toolbox

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Binary is the name the toolbox goes by when it is not invoked as an applet.
const Binary = "boxlab-toolbox"

// Applet is one program of the toolbox. It gets its arguments without the
// program name and returns the exit status.
type Applet struct {
	// Name is the name the applet is invoked as, its link in /bin.
	Name string
	// Usage is the synopsis after "Usage: ", e.g. "seq [-w] [-s SEP] [FIRST
	// [INC]] LAST". Without one, --help is an ordinary argument, as for
	// busybox's echo and test.
	Usage string
	// Help is the text printed under the synopsis by --help and usage errors.
	Help string
	// Run runs the applet and returns its exit status.
	Run func(c *Context, args []string) int
	// OwnSignals says the applet handles termination signals itself (a
	// server shutting down gracefully), so Main does not apply the PID 1
	// rule for it.
	OwnSignals bool
	// Unbuffered gives the applet the process's own stdout: a shell's
	// output must interleave with its children's.
	Unbuffered bool
}

// Context is what an applet runs with: its name and standard streams.
//
// Stdout is buffered when it is not a terminal; Main flushes it when the
// applet returns, applets that stream without end (tail -f) call Flush, and
// those starting children give them ChildStdout after a Flush.
type Context struct {
	// Name is the applet's name, the prefix of its error messages.
	Name   string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Terminal says Stdout is a terminal (ls prints columns, more pages).
	Terminal bool

	applet *Applet
	raw    *os.File // what Stdout buffers, if it does
}

// argv0 is the name the program was started as, path included ("/bin/sh"),
// when that is how this applet was invoked; otherwise the applet's name.
func (c *Context) argv0() string {
	if len(os.Args) > 0 && c.applet != nil {
		base := filepath.Base(os.Args[0])
		if base == c.Name || base == "-"+c.Name {
			return os.Args[0]
		}
	}
	return c.Name
}

// Errorf prints "name: message" on stderr, as busybox and coreutils do.
func (c *Context) Errorf(format string, a ...any) {
	c.Flush()
	fmt.Fprintf(c.Stderr, "%s: %s\n", c.Name, fmt.Sprintf(format, a...))
}

// Flush writes out what is buffered for Stdout.
func (c *Context) Flush() error {
	if f, ok := c.Stdout.(interface{ Flush() error }); ok {
		return f.Flush()
	}
	return nil
}

// ChildStdout is the stdout to give a child process after a Flush: the
// file under the buffer, so that the child writes in order with us.
func (c *Context) ChildStdout() io.Writer {
	if c.raw != nil {
		return c.raw
	}
	return c.Stdout
}

// Usage prints the applet's usage on stderr and returns 1, busybox's
// status for a bad invocation.
func (c *Context) Usage() int {
	c.Flush()
	writeUsage(c.Stderr, c.applet, c.Name)
	return 1
}

func writeUsage(w io.Writer, a *Applet, name string) {
	var b strings.Builder
	b.WriteString(Binary + " multi-call binary.\n\n")
	if a == nil || a.Usage == "" {
		fmt.Fprintf(&b, "Usage: %s\n", name)
	} else {
		fmt.Fprintf(&b, "Usage: %s\n", a.Usage)
	}
	if a != nil && a.Help != "" {
		b.WriteString("\n" + strings.TrimRight(a.Help, "\n") + "\n")
	}
	io.WriteString(w, b.String())
}

var applets = make(map[string]*Applet, 128)

// Register adds applets to the toolbox; called from init functions.
func Register(as ...*Applet) {
	for _, a := range as {
		if _, dup := applets[a.Name]; dup {
			panic("toolbox: duplicate applet " + a.Name)
		}
		applets[a.Name] = a
	}
}

// Names lists every applet, sorted: the links a built-in image carries.
func Names() []string {
	names := make([]string, 0, len(applets))
	for n := range applets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the applet called name.
func Lookup(name string) (*Applet, bool) {
	a, ok := applets[name]
	return a, ok
}

func isBinary(name string) bool {
	return name == Binary || strings.HasPrefix(name, Binary+"-")
}

// Invocation splits argv into the applet (or helper) name and its arguments:
// "ls -l" invoked through a link named ls, or "boxlab-toolbox ls -l".
// A login shell's "-sh" is the applet sh.
func Invocation(argv []string) (string, []string) {
	if len(argv) == 0 {
		return Binary, nil
	}
	name := filepath.Base(argv[0])
	if isBinary(name) && len(argv) > 1 {
		return argv[1], argv[2:]
	}
	return strings.TrimPrefix(name, "-"), argv[1:]
}

// Main runs the applet called name with the process's standard streams and
// returns its exit status.
func Main(name string, args []string) int {
	if isBinary(name) {
		fmt.Fprintf(os.Stderr, "%s multi-call binary.\n\nUsage: %s APPLET [ARGS...]\n\nApplets: %s\n", Binary, Binary, strings.Join(Names(), " "))
		return 1
	}
	a, ok := Lookup(name)
	if !ok {
		fmt.Fprintf(os.Stderr, "%s: applet not found\n", name)
		return 127
	}
	if appliesPID1Rule(a, os.Getpid()) {
		catchTerminatingSignals()
	}
	c := &Context{Name: name, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, applet: a}
	c.Terminal = isTerminal(os.Stdout)
	var out *bufio.Writer
	if !c.Terminal && !a.Unbuffered {
		out = bufio.NewWriterSize(os.Stdout, 32<<10)
		c.Stdout = out
		c.raw = os.Stdout
	}
	code := runApplet(c, a, args)
	if out != nil {
		if err := out.Flush(); err != nil && code == 0 {
			fmt.Fprintf(os.Stderr, "%s: write error: %s\n", name, errText(err))
			code = 1
		}
	}
	return code
}

// appliesPID1Rule says whether Main must catch the terminating signals for
// a: when it is a PID namespace's init and does not handle them itself.
func appliesPID1Rule(a *Applet, pid int) bool {
	return pid == 1 && !a.OwnSignals
}

// runApplet handles --help the way busybox does (usage on stdout, status
// 0) and runs the applet otherwise.
func runApplet(c *Context, a *Applet, args []string) int {
	if len(args) == 1 && args[0] == "--help" && a.Usage != "" {
		writeUsage(c.Stdout, a, c.Name)
		return 0
	}
	return a.Run(c, args)
}
