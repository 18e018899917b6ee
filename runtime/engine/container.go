package engine

import (
	"path/filepath"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"

	"github.com/boxlab/boxlab/runtime/linux"
)

// record is the persisted part of a container: config.json in its dir.
type record struct {
	ID              string
	Name            string // with Docker's leading "/"
	Created         time.Time
	Path            string
	Args            []string
	Config          *container.Config
	HostConfig      *container.HostConfig
	Networking      *network.NetworkingConfig `json:",omitempty"`
	ImageID         string
	State           stateRecord
	RestartCount    int
	ManuallyStopped bool
	StartedBefore   bool
}

type stateRecord struct {
	Status     container.ContainerState
	Pid        int
	PidNS      uint64 // inode of the process's pid namespace, to recognise it after a crash
	ExitCode   int
	Error      string
	OOMKilled  bool
	StartedAt  time.Time
	FinishedAt time.Time
}

// Container is one container: its record plus what only exists while the
// engine runs (the process, attach streams, waiters).
type Container struct {
	mu  sync.Mutex
	dir string
	rec record

	proc    *linux.Process
	streams *streams
	// exited is closed (and replaced) each time the process exits, so a
	// waiter for the next exit takes the current channel under mu.
	exited  chan struct{}
	started chan struct{} // closed (and replaced) at each start
	removed chan struct{}
	// stopping is set while stop/kill of the user is in progress: the exit
	// then does not trigger the restart policy.
	stopping bool
	// restartTimer is the pending policy restart during back-off.
	restartTimer *time.Timer
	execIDs      []string
	// waiting are clients attached before the process started (docker run
	// attaches, then starts): the next start wires them in before any
	// output is produced.
	waiting map[*subscriber]struct{}
	// released is closed when the last run's teardown finished.
	released chan struct{}
}

func newContainer(dir string, rec record) *Container {
	return &Container{dir: dir, rec: rec, exited: make(chan struct{}), started: make(chan struct{}), removed: make(chan struct{}), waiting: map[*subscriber]struct{}{}}
}

// ID is the full container id.
func (c *Container) ID() string { return c.rec.ID }

// Name is the container name without Docker's leading slash.
func (c *Container) Name() string { return c.rec.Name[1:] }

func (c *Container) configPath() string { return filepath.Join(c.dir, "config.json") }
func (c *Container) logPath() string    { return filepath.Join(c.dir, c.rec.ID+"-json.log") }
func (c *Container) fsDir() string      { return filepath.Join(c.dir, "fs") }
func (c *Container) upperDir() string   { return filepath.Join(c.dir, "fs", "upper") }
func (c *Container) workDir() string    { return filepath.Join(c.dir, "fs", "work") }
func (c *Container) mergedDir() string  { return filepath.Join(c.dir, "fs", "merged") }

// save persists the record; the caller holds c.mu.
func (c *Container) save() error {
	return writeJSONAtomic(c.configPath(), &c.rec)
}

// setState moves the container to a new state through the state machine.
// The caller holds c.mu.
func (c *Container) setState(to container.ContainerState) error {
	from := c.rec.State.Status
	if from == to {
		return nil
	}
	if !canTransition(from, to) {
		return errIllegalTransition(c.rec.ID, from, to)
	}
	c.rec.State.Status = to
	return nil
}

func (c *Container) running() bool {
	s := c.rec.State.Status
	return s == StateRunning || s == StatePaused
}
