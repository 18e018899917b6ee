// Package leanbuild builds the lean toolbox binary reproducibly and hashes
// the source it is built from. It is used by go generate and by the test
// that proves the embedded binary is current; boxlab never calls it at run
// time (it needs the Go toolchain).
package leanbuild

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// Package is the import path of the lean program.
const Package = "github.com/boxlab/boxlab/cmd/boxlab-toolbox"

func env(goarch string) []string {
	return append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch, "GOFLAGS=-buildvcs=false")
}

// Build writes the static toolbox binary for goarch to out.
func Build(out, goarch string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w -buildid=", "-o", out, Package)
	cmd.Env = env(goarch)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("build %s: %w", Package, err)
	}
	return nil
}

// InputsHash hashes every Go source file, embedded file and module version
// the lean program is built from, so a stale embedded binary is detected
// even when the Go toolchain differs from the one that generated it.
func InputsHash(goarch string) (string, error) {
	cmd := exec.Command("go", "list", "-deps", "-f",
		"{{if .Module}}{{.Module.Path}}@{{.Module.Version}}{{end}}|{{.Dir}}|{{.ImportPath}}|{{join .GoFiles \",\"}}|{{join .EmbedFiles \",\"}}|{{.Standard}}",
		Package)
	cmd.Env = env(goarch)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list: %w: %s", err, stderr.String())
	}
	h := sha256.New()
	lines := strings.Split(strings.TrimSpace(string(outb)), "\n")
	sort.Strings(lines)
	for _, line := range lines {
		f := strings.Split(line, "|")
		if len(f) != 6 || f[5] == "true" {
			continue // the standard library is pinned by the Go version
		}
		mod, dir, importPath := f[0], f[1], f[2]
		if mod != "" && !strings.HasPrefix(mod, "github.com/boxlab/boxlab@") {
			fmt.Fprintf(h, "mod %s\n", mod) // a module version pins its content
			continue
		}
		var files []string
		for _, list := range f[3:5] {
			if list != "" {
				files = append(files, strings.Split(list, ",")...)
			}
		}
		sort.Strings(files)
		for _, name := range files {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				return "", err
			}
			rel := importPath + "/" + name
			sum := sha256.Sum256(b)
			fmt.Fprintf(h, "file %s %x\n", rel, sum)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
