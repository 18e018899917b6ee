package engine

import (
	"testing"

	"github.com/moby/moby/api/types/container"
)

func TestTransitions(t *testing.T) {
	all := []container.ContainerState{StateCreated, StateRunning, StatePaused, StateRestarting, StateRemoving, StateExited, StateDead}
	legal := map[[2]container.ContainerState]bool{
		{StateCreated, StateRunning}:     true, // start
		{StateCreated, StateRemoving}:    true, // rm
		{StateCreated, StateExited}:      true, // start failed (exec error)
		{StateRunning, StatePaused}:      true, // pause
		{StateRunning, StateExited}:      true, // process exit
		{StateRunning, StateRestarting}:  true, // exit with a restart policy
		{StatePaused, StateRunning}:      true, // unpause
		{StatePaused, StateExited}:       true, // kill -9 while paused
		{StateRestarting, StateRunning}:  true, // restarted
		{StateRestarting, StateExited}:   true, // stop during back-off
		{StateRestarting, StateRemoving}: true, // rm -f during back-off
		{StateExited, StateRunning}:      true, // start again
		{StateExited, StateRemoving}:     true, // rm
		{StateExited, StateRestarting}:   true, // policy restart after exit
		{StateRemoving, StateDead}:       true, // removal failed
		{StateDead, StateRemoving}:       true, // rm of a dead container
	}
	for _, from := range all {
		for _, to := range all {
			want := legal[[2]container.ContainerState{from, to}]
			if got := canTransition(from, to); got != want {
				t.Errorf("%s → %s: got %v, want %v", from, to, got, want)
			}
		}
	}
}
