// Command boxlab is the learning sandbox: lessons, the embedded container
// engine and a docker-compatible CLI. All logic lives in packages; see
// internal/cli.
package main

import (
	"os"

	"github.com/boxlab/boxlab/internal/cli"
)

func main() { os.Exit(cli.Main()) }
