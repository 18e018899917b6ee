package toolbox

import (
	"fmt"
	"strings"
)

func init() {
	Register(
		&Applet{Name: "true", Usage: "true", Run: func(*Context, []string) int { return 0 }},
		&Applet{Name: "false", Usage: "false", Run: func(*Context, []string) int { return 1 }},
		&Applet{Name: "echo", Usage: "echo [-n] [ARG...]", Run: echo},
	)
}

func echo(c *Context, args []string) int {
	newline := true
	if len(args) > 0 && args[0] == "-n" {
		newline = false
		args = args[1:]
	}
	out := strings.Join(args, " ")
	if newline {
		out += "\n"
	}
	if _, err := fmt.Fprint(c.Stdout, out); err != nil {
		c.Errorf("write error: %v", err)
		return 1
	}
	return 0
}
