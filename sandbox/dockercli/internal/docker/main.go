// Command docker is a development wrapper around dockercli.Main, used to
// compare boxlab's docker CLI with the real one side by side
// (go build -o /tmp/bdocker ./sandbox/dockercli/internal/docker).
// The shipped entry points are `boxlab docker` and a `docker` symlink.
package main

import (
	"os"

	"github.com/boxlab/boxlab/sandbox/dockercli"
)

func main() {
	os.Exit(dockercli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
