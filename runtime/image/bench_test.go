package image

import (
	"fmt"
	"testing"
)

// storeWith200 is a store with 200 tagged images sharing one layer.
func storeWith200(b *testing.B) *Store {
	s := openTest(b)
	l := tarOf(b, map[string]string{"a": "1"})
	for i := range 200 {
		testImage(b, s, fmt.Sprint("img", i), [][]byte{l}, fmt.Sprintf("app%d:v%d", i, i))
	}
	return s
}

// `docker images` with 200 images (issue 4 asks for ≤ 20 ms end to end).
func BenchmarkSummaries200(b *testing.B) {
	s := storeWith200(b)
	for b.Loop() {
		if _, err := s.Summaries(ListOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// EnsureBuiltins runs at every engine start; with the images present it
// must not rebuild them.
func BenchmarkEnsureBuiltinsPresent(b *testing.B) {
	s := openTest(b)
	bin := make([]byte, 20<<20) // the size of a real toolbox, roughly
	if err := s.EnsureBuiltins(bin); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := s.EnsureBuiltins(bin); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetByName200(b *testing.B) {
	s := storeWith200(b)
	for b.Loop() {
		if _, err := s.Get("app100:v100"); err != nil {
			b.Fatal(err)
		}
	}
}
