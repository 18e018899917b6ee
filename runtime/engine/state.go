package engine

import (
	"fmt"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
)

// The container states, as Docker names them.
const (
	StateCreated    = container.StateCreated
	StateRunning    = container.StateRunning
	StatePaused     = container.StatePaused
	StateRestarting = container.StateRestarting
	StateRemoving   = container.StateRemoving
	StateExited     = container.StateExited
	StateDead       = container.StateDead
)

// transitions is the whole state machine: from a state, the states a
// container may move to. Anything else is a bug in the engine.
var transitions = map[container.ContainerState][]container.ContainerState{
	StateCreated:    {StateRunning, StateRemoving, StateExited},
	StateRunning:    {StatePaused, StateExited, StateRestarting},
	StatePaused:     {StateRunning, StateExited},
	StateRestarting: {StateRunning, StateExited, StateRemoving},
	StateExited:     {StateRunning, StateRemoving, StateRestarting},
	StateRemoving:   {StateDead},
	StateDead:       {StateRemoving},
}

// canTransition reports whether from → to is a legal move.
func canTransition(from, to container.ContainerState) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// errIllegalTransition is returned when the engine tries an illegal move;
// it surfaces as a 409 so a client sees it rather than a crash.
func errIllegalTransition(id string, from, to container.ContainerState) error {
	return errdefs.ErrConflict.WithMessage(fmt.Sprintf("container %s cannot go from %s to %s", shortID(id), from, to))
}
