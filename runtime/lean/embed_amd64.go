package lean

import _ "embed"

//go:embed toolbox_linux_amd64.bin
var toolbox []byte
