// Package toolbox is the multi-call program inside boxlab's built-in images:
// a POSIX shell (mvdan.cc/sh), core utilities and small network and app
// programs, each an applet chosen by the name it was invoked as.
//
// It is linked into the lean boxlab-toolbox binary, so it must stay free of
// heavy dependencies (no Docker client, no UI). Main types: Applet, the
// registry of applets, and Main, the entry point.
package toolbox
