//go:build !linux

package toolbox

// catchTerminatingSignals does nothing: PID namespaces are a Linux feature.
func catchTerminatingSignals() {}
