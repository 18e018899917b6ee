//go:build tools

// Package deps pins the modules boxlab is being built on while packages land
// (the tools.go pattern: never compiled).
package deps

import (
	_ "github.com/AlecAivazis/survey/v2"
	_ "github.com/charmbracelet/glamour"
	_ "github.com/creack/pty"
	_ "github.com/docker/go-units"
	_ "github.com/miekg/dns"
	_ "github.com/moby/buildkit/frontend/dockerfile/parser"
	_ "github.com/moby/moby/api/types/container"
	_ "github.com/moby/moby/client"
	_ "github.com/moby/patternmatcher"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "github.com/spf13/cobra"
	_ "github.com/vishvananda/netlink"
	_ "github.com/yuin/goldmark"
	_ "golang.org/x/sys/unix"
	_ "mvdan.cc/sh/v3/interp"
)
