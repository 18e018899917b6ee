// Package content is boxlab's built-in course: one markdown file per lesson
// under lessons/, embedded in the binary. Lessons are written from the
// study notes in the project's seeds and teach what real Docker does where
// the notes are wrong.
package content

import "embed"

// Lessons holds lessons/*.md.
//
//go:embed lessons/*.md
var Lessons embed.FS
