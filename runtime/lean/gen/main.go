// Command gen rebuilds the embedded toolbox binary reproducibly:
// a static, stripped, cgo-free build of ./cmd/boxlab-toolbox with
// -trimpath and an empty build id, so the same source and Go version give
// the same bytes. It also records the inputs' hash in toolbox.inputs.
//
// Run it with: go generate ./runtime/lean
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/boxlab/boxlab/runtime/lean/leanbuild"
)

func main() {
	dir, err := os.Getwd() // go generate runs in the package directory
	if err != nil {
		fail(err)
	}
	out := filepath.Join(dir, "toolbox_linux_amd64.bin")
	if err := leanbuild.Build(out, "amd64"); err != nil {
		fail(err)
	}
	sum, err := leanbuild.InputsHash("amd64")
	if err != nil {
		fail(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "toolbox.inputs"), []byte(sum+" "+runtime.Version()+"\n"), 0o644); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}
