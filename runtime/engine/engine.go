package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/boxlab/boxlab/runtime/image"
	"github.com/boxlab/boxlab/runtime/lean"
	"github.com/boxlab/boxlab/runtime/linux"
)

// Engine owns every container under one root directory.
type Engine struct {
	root    string
	toolbox string
	images  *image.Store
	log     *slog.Logger
	events  *eventLog
	started time.Time

	mu         sync.RWMutex
	containers map[string]*Container // by full id
	names      map[string]*Container // by name without "/"
	execs      map[string]*execSession
	closed     bool

	monitors sync.WaitGroup
}

type options struct {
	log     *slog.Logger
	toolbox string
}

// Option configures New.
type Option func(*options)

// WithLogger sets the engine's logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithToolbox uses the toolbox binary at path instead of the embedded one
// (for tests of a freshly built toolbox).
func WithToolbox(path string) Option { return func(o *options) { o.toolbox = path } }

// New opens the engine state under root, installs the toolbox and the
// built-in images, and recovers containers: one that was running when the
// previous engine died is marked exited, as Docker does without
// live-restore.
func New(root string, opts ...Option) (*Engine, error) {
	o := options{log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	for _, d := range []string{root, filepath.Join(root, "containers"), filepath.Join(root, "bin")} {
		if err := os.MkdirAll(d, 0o711); err != nil {
			return nil, fmt.Errorf("engine root: %w", err)
		}
	}
	e := &Engine{
		root:       root,
		toolbox:    o.toolbox,
		log:        o.log,
		events:     newEventLog(),
		started:    time.Now(),
		containers: map[string]*Container{},
		names:      map[string]*Container{},
		execs:      map[string]*execSession{},
	}
	if e.toolbox == "" {
		if e.toolbox, err = lean.Install(filepath.Join(root, "bin")); err != nil {
			return nil, err
		}
	}
	bin, err := os.ReadFile(e.toolbox)
	if err != nil {
		return nil, fmt.Errorf("read toolbox: %w", err)
	}
	if e.images, err = image.Open(filepath.Join(root, "image")); err != nil {
		return nil, err
	}
	if err := e.images.EnsureBuiltins(bin); err != nil {
		return nil, fmt.Errorf("built-in images: %w", err)
	}
	e.images.SetUsageChecker(e)
	if err := linux.RemoveStaleCgroups(); err != nil {
		e.log.Warn("remove stale cgroups", "err", err)
	}
	if err := e.load(); err != nil {
		return nil, err
	}
	e.restartOnBoot()
	// Start-up read and hashed the toolbox (megabytes of garbage now): give
	// it back, so an idle engine stays small.
	debug.FreeOSMemory()
	return e, nil
}

// Root is the engine's state directory.
func (e *Engine) Root() string { return e.root }

// Images is the engine's image store.
func (e *Engine) Images() *image.Store { return e.images }

// load reads every container record and repairs what a crash left behind.
func (e *Engine) load() error {
	dir := filepath.Join(e.root, "containers")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, ent := range entries {
		cdir := filepath.Join(dir, ent.Name())
		b, err := os.ReadFile(filepath.Join(cdir, "config.json"))
		if err != nil {
			// A create that died before its record was written: nothing
			// else refers to this directory.
			e.log.Warn("removing incomplete container dir", "dir", cdir, "err", err)
			os.RemoveAll(cdir)
			e.images.Release(ent.Name())
			continue
		}
		var rec record
		if err := json.Unmarshal(b, &rec); err != nil || rec.ID != ent.Name() {
			e.log.Warn("removing unreadable container record", "dir", cdir, "err", err)
			os.RemoveAll(cdir)
			e.images.Release(ent.Name())
			continue
		}
		c := newContainer(cdir, rec)
		cleanTemps(cdir)
		switch rec.State.Status {
		case StateRunning, StatePaused, StateRestarting:
			killLeftover(rec.State.Pid, rec.State.PidNS)
			c.rec.State = stateRecord{Status: StateExited, ExitCode: 255, StartedAt: rec.State.StartedAt, FinishedAt: time.Now().UTC()}
			if err := c.save(); err != nil {
				return err
			}
		case StateRemoving:
			c.rec.State.Status = StateDead
		}
		e.containers[rec.ID] = c
		e.names[c.Name()] = c
	}
	return nil
}

// cleanTemps removes temp files an interrupted atomic write left.
func cleanTemps(dir string) {
	matches, _ := filepath.Glob(filepath.Join(dir, ".tmp-*"))
	for _, m := range matches {
		os.Remove(m)
	}
}

// lookup finds a container by full id, name, or unique id prefix — in
// Docker's order.
func (e *Engine) lookup(ref string) (*Container, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if ref == "" {
		return nil, errNoSuchContainer(ref)
	}
	if c, ok := e.containers[ref]; ok {
		return c, nil
	}
	if c, ok := e.names[strings.TrimPrefix(ref, "/")]; ok {
		return c, nil
	}
	var found *Container
	for id, c := range e.containers {
		if strings.HasPrefix(id, ref) {
			if found != nil {
				return nil, errAmbiguous(ref)
			}
			found = c
		}
	}
	if found == nil {
		return nil, errNoSuchContainer(ref)
	}
	return found, nil
}

// Close kills every running container and waits for their monitors.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	var all []*Container
	for _, c := range e.containers {
		all = append(all, c)
	}
	e.mu.Unlock()
	for _, c := range all {
		c.mu.Lock()
		if c.restartTimer != nil {
			c.restartTimer.Stop()
		}
		c.stopping = true
		if c.proc != nil {
			if c.rec.State.Status == StatePaused {
				c.proc.Resume()
			}
			c.proc.Signal(9)
		}
		c.mu.Unlock()
	}
	done := make(chan struct{})
	go func() { e.monitors.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		return errors.New("engine close: containers did not exit in 10s")
	}
	return linux.RemoveStaleCgroups()
}

// ImageInUse tells the image store which container uses an image: a
// running one first, else any.
func (e *Engine) ImageInUse(id string) (string, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	found := ""
	for _, c := range e.containers {
		c.mu.Lock()
		img, running := c.rec.ImageID, c.running()
		c.mu.Unlock()
		if img != id {
			continue
		}
		if running {
			return c.rec.ID, true
		}
		found = c.rec.ID
	}
	return found, false
}

// ImageContainers counts the containers created from an image.
func (e *Engine) ImageContainers(id string) int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	n := 0
	for _, c := range e.containers {
		if c.rec.ImageID == id {
			n++
		}
	}
	return n
}

// ContainerIDs returns the ids of every container (for tests and tools).
func (e *Engine) ContainerIDs() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	ids := make([]string, 0, len(e.containers))
	for id := range e.containers {
		ids = append(ids, id)
	}
	return ids
}

// Subscribe streams events; see eventLog.
func (e *Engine) Subscribe(ctx context.Context, since, until time.Time) (<-chan Event, func()) {
	return e.events.subscribe(ctx, since, until)
}
