// Command plaingo does nothing: BenchmarkPlainGo times its start as the
// baseline the toolbox's start is compared with.
package main

import "os"

func main() { os.Exit(0) }
