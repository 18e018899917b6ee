// Command boxlab-toolbox is boxlab's lean, static multi-call program. It is
// the in-container init, the exec helper, and every program inside the
// built-in images (sh, ls, cat, ...), chosen by argv[0] or by its first
// argument. It links neither the UI nor the Docker client so it starts fast.
package main

import (
	"os"

	"github.com/boxlab/boxlab/runtime/linux"
	"github.com/boxlab/boxlab/runtime/toolbox"
)

func main() {
	name, args := toolbox.Invocation(os.Args)
	switch name {
	case linux.InitCommand:
		linux.Init(args) // never returns
	case linux.ExecCommand:
		linux.ExecHelper(args) // never returns
	case linux.ReaperCommand:
		linux.Reaper(args) // never returns
	}
	os.Exit(toolbox.Main(name, args))
}
