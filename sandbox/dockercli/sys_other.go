//go:build !unix

package dockercli

import (
	"context"
	"os"

	"github.com/moby/moby/client"
)

// forwardSignals is a no-op where Unix signals do not exist; boxlab's
// engine runs on Linux only.
func forwardSignals(context.Context, *client.Client, string) func() { return func() {} }

// notifyResize is a no-op without SIGWINCH.
func notifyResize(func()) func() { return func() {} }

// inodeOf reports no inode information off Unix.
func inodeOf(os.FileInfo) (uint64, uint64, bool) { return 0, 0, false }
