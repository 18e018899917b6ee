//go:build !linux

package daemon

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/boxlab/boxlab/runtime/linux"
)

// UserNamespaceCommand is the hidden boxlab subcommand of a rootless engine
// (Linux only).
const UserNamespaceCommand = "engine-userns"

// NeedsUserNamespace is false: user namespaces are Linux's.
func NeedsUserNamespace() bool { return false }

func checkPrivileges() error { return nil }

func logRootless(*slog.Logger) {}

// RunInUserNamespace needs Linux.
func RunInUserNamespace(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintf(stderr, "boxlab engine: %v\n", linux.ErrNotLinux)
	return 1
}

// EnterUserNamespace needs Linux.
func EnterUserNamespace() error { return linux.ErrNotLinux }
