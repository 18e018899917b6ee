//go:build !amd64

package lean

var toolbox []byte
