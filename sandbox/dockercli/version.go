package dockercli

import (
	"runtime/debug"
	"sync"
	"time"
)

// clientVersion is the docker CLI release whose behaviour this CLI
// reproduces; the "-boxlab" suffix keeps `docker version` honest about
// which program answered.
const clientVersion = "28.2.2-boxlab"

// buildInfo returns the VCS revision and time recorded by the Go
// toolchain, when the binary was built from a checkout.
var buildInfo = sync.OnceValues(func() (revision, built string) {
	revision, built = "unknown", ""
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
			if len(revision) > 7 {
				revision = revision[:7]
			}
		case "vcs.time":
			if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
				built = t.Format(time.ANSIC)
			}
		}
	}
	return
})

func gitCommit() string {
	rev, _ := buildInfo()
	return rev
}

func buildTime() string {
	_, t := buildInfo()
	return t
}
