// Package lessons reads boxlab's lessons: markdown with front matter (id,
// title, summary, order), parsed with goldmark. The interactive runner
// (steps, checks, hints, progress) grows here.
//
// Main types: Lesson and List.
package lessons
