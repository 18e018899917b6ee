// Package cli wires boxlab's subcommands (learn, engine, docker, version)
// to the packages that implement them. cmd/boxlab only calls Main.
package cli
