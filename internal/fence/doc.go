// Package fence holds the dependency-fence test: the layering of
// DESIGN.md, checked in the import graph. It has no code.
package fence
