package engine_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/boxlab/boxlab/runtime/engine"
)

// BenchmarkRunRemoveTrue is the engine's share of docker run --rm true:
// create, start, wait, remove (no HTTP, no CLI).
func BenchmarkRunRemoveTrue(b *testing.B) {
	needRoot(b)
	e := newEngine(b, b.TempDir())
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := run(b, e, nil, "true")
		waitExit(b, e, id)
		if err := e.Remove(ctx, id, engine.RemoveOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkList100 is docker ps -a's engine work with 100 containers.
func BenchmarkList100(b *testing.B) {
	needRoot(b)
	e := newEngine(b, b.TempDir())
	ctx := context.Background()
	for i := 0; i < 100; i++ {
		if _, err := e.Create(ctx, engine.CreateRequest{Name: fmt.Sprintf("c%d", i), Config: &container.Config{Image: "boxlab/base", Cmd: []string{"true"}}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.List(ctx, engine.ListOptions{All: true}); err != nil {
			b.Fatal(err)
		}
	}
}
