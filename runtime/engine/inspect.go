package engine

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/storage"

	"github.com/boxlab/boxlab/runtime/linux"
)

// dockerTime formats a time as Docker's inspect does; the zero time is
// "0001-01-01T00:00:00Z".
func dockerTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

// Inspect returns the container as GET /containers/{id}/json shows it.
func (e *Engine) Inspect(ctx context.Context, ref string, size bool) (container.InspectResponse, error) {
	c, err := e.lookup(ref)
	if err != nil {
		return container.InspectResponse{}, err
	}
	c.mu.Lock()
	rec := c.rec
	execIDs := append([]string(nil), c.execIDs...)
	c.mu.Unlock()
	st := rec.State
	state := &container.State{
		Status:     st.Status,
		Running:    st.Status == StateRunning || st.Status == StatePaused,
		Paused:     st.Status == StatePaused,
		Restarting: st.Status == StateRestarting,
		OOMKilled:  st.OOMKilled,
		Dead:       st.Status == StateDead,
		Pid:        st.Pid,
		ExitCode:   st.ExitCode,
		Error:      st.Error,
		StartedAt:  dockerTime(st.StartedAt),
		FinishedAt: dockerTime(st.FinishedAt),
	}
	var lower []string
	if img, err := e.images.Get(rec.ImageID); err == nil {
		lower, _ = e.images.Layers(img)
	}
	if len(execIDs) == 0 {
		execIDs = nil
	}
	resp := container.InspectResponse{
		ID:             rec.ID,
		Created:        dockerTime(rec.Created),
		Path:           rec.Path,
		Args:           nonNil(rec.Args),
		State:          state,
		Image:          rec.ImageID,
		ResolvConfPath: filepath.Join(c.dir, "resolv.conf"),
		HostnamePath:   filepath.Join(c.dir, "hostname"),
		HostsPath:      filepath.Join(c.dir, "hosts"),
		LogPath:        c.logPath(),
		Name:           rec.Name,
		RestartCount:   rec.RestartCount,
		Driver:         "overlay2",
		Platform:       "linux",
		ExecIDs:        execIDs,
		HostConfig:     rec.HostConfig,
		GraphDriver: &storage.DriverData{
			Name: "overlay2",
			Data: map[string]string{
				"LowerDir":  strings.Join(lower, ":"),
				"MergedDir": c.mergedDir(),
				"UpperDir":  c.upperDir(),
				"WorkDir":   c.workDir(),
			},
		},
		Mounts: []container.MountPoint{},
		Config: rec.Config,
		NetworkSettings: &container.NetworkSettings{
			Networks: networksOf(&rec),
		},
	}
	if size {
		rw := dirSize(c.upperDir())
		resp.SizeRw = &rw
		if img, err := e.images.Get(rec.ImageID); err == nil {
			rootfs := rw + img.Size
			resp.SizeRootFs = &rootfs
		}
	}
	return resp, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Top lists the container's processes by running the host's ps, as Docker
// does, and keeping the rows whose PID belongs to the container.
func (e *Engine) Top(ctx context.Context, ref, psArgs string) (container.TopResponse, error) {
	c, err := e.lookup(ref)
	if err != nil {
		return container.TopResponse{}, err
	}
	c.mu.Lock()
	running, pid := c.running(), c.rec.State.Pid
	c.mu.Unlock()
	if !running {
		return container.TopResponse{}, errNotRunning(c.rec.ID)
	}
	pids, err := linux.Pids(pid)
	if err != nil {
		return container.TopResponse{}, err
	}
	if psArgs == "" {
		psArgs = "-ef"
	}
	out, err := exec.CommandContext(ctx, "ps", strings.Fields(psArgs)...).Output()
	if err != nil {
		return container.TopResponse{}, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("Error running ps: %v", err))
	}
	return parsePS(out, pids)
}

// parsePS keeps the ps rows whose PID column is one of pids; the last
// column (the command) may contain spaces.
func parsePS(out []byte, pids []int) (container.TopResponse, error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	if !sc.Scan() {
		return container.TopResponse{}, errdefs.ErrInvalidArgument.WithMessage("ps printed nothing")
	}
	titles := strings.Fields(sc.Text())
	pidCol := -1
	for i, t := range titles {
		if t == "PID" {
			pidCol = i
		}
	}
	if pidCol < 0 {
		return container.TopResponse{}, errdefs.ErrInvalidArgument.WithMessage("Couldn't find PID field in ps output")
	}
	want := map[int]bool{}
	for _, p := range pids {
		want[p] = true
	}
	resp := container.TopResponse{Titles: titles, Processes: [][]string{}}
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) <= pidCol {
			continue
		}
		p, err := strconv.Atoi(fields[pidCol])
		if err != nil || !want[p] {
			continue
		}
		if len(fields) > len(titles) {
			last := strings.Join(fields[len(titles)-1:], " ")
			fields = append(fields[:len(titles)-1], last)
		}
		resp.Processes = append(resp.Processes, fields)
	}
	return resp, nil
}
