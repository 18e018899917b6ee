package linux

import (
	"fmt"
	"os"
)

// Init is the in-container init; replaced by the real implementation.
func Init(args []string) {
	fmt.Fprintln(os.Stderr, "boxlab-init: not implemented yet")
	os.Exit(125)
}

// ExecHelper enters a running container; replaced by the real implementation.
func ExecHelper(args []string) {
	fmt.Fprintln(os.Stderr, "boxlab-exec: not implemented yet")
	os.Exit(125)
}
