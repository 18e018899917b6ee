//go:build !linux

package toolbox

// pid1Signals does nothing: PID namespaces are a Linux feature.
func pid1Signals() {}
