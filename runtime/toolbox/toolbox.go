package toolbox

import (
	"fmt"
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
	Name  string
	Usage string
	Run   func(c *Context, args []string) int
}

// Context is what an applet runs with: its name and standard streams.
type Context struct {
	Name   string
	Stdin  *os.File
	Stdout *os.File
	Stderr *os.File
}

// Errorf prints "name: message" on stderr, as busybox and coreutils do.
func (c *Context) Errorf(format string, a ...any) {
	fmt.Fprintf(c.Stderr, "%s: %s\n", c.Name, fmt.Sprintf(format, a...))
}

var applets = map[string]*Applet{}

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

// Invocation splits argv into the applet (or helper) name and its arguments:
// "ls -l" invoked through a link named ls, or "boxlab-toolbox ls -l".
func Invocation(argv []string) (string, []string) {
	if len(argv) == 0 {
		return Binary, nil
	}
	name := filepath.Base(argv[0])
	if (name == Binary || strings.HasPrefix(name, Binary+"-")) && len(argv) > 1 {
		return argv[1], argv[2:]
	}
	return name, argv[1:]
}

// Main runs the applet called name and returns its exit status.
func Main(name string, args []string) int {
	c := &Context{Name: name, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	if name == Binary || strings.HasPrefix(name, Binary+"-") {
		fmt.Fprintf(os.Stderr, "usage: %s APPLET [ARGS...]\napplets: %s\n", Binary, strings.Join(Names(), " "))
		return 2
	}
	a, ok := Lookup(name)
	if !ok {
		fmt.Fprintf(os.Stderr, "%s: applet not found\n", name)
		return 127
	}
	return a.Run(c, args)
}
