//go:build !linux

package toolbox

import "os"

// isTerminal reports false: the toolbox only runs inside Linux containers.
func isTerminal(*os.File) bool { return false }

func terminalWidth(*os.File) int { return 80 }

func terminalRows(*os.File) int { return 24 }
