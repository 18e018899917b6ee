package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/errdefs"
	units "github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
)

// Filters are Docker's list filters: key → set of values.
type Filters map[string][]string

// ListOptions are GET /containers/json's query parameters.
type ListOptions struct {
	All     bool
	Limit   int
	Size    bool
	Filters Filters
}

var containerFilterKeys = map[string]bool{
	"ancestor": true, "before": true, "expose": true, "exited": true, "health": true,
	"id": true, "isolation": true, "is-task": true, "label": true, "name": true,
	"network": true, "publish": true, "since": true, "status": true, "volume": true,
}

var validStatus = map[string]bool{"created": true, "restarting": true, "running": true, "removing": true, "paused": true, "exited": true, "dead": true}

// List returns container summaries, newest first, as docker ps shows them.
func (e *Engine) List(ctx context.Context, opts ListOptions) ([]container.Summary, error) {
	for k, vals := range opts.Filters {
		if !containerFilterKeys[k] {
			return nil, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("Invalid filter '%s'", k))
		}
		for _, v := range vals {
			if k == "status" && !validStatus[v] {
				return nil, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("Invalid filter 'status=%s'", v))
			}
			if k == "exited" {
				if _, err := strconv.Atoi(v); err != nil {
					return nil, errdefs.ErrInvalidArgument.WithMessage(err.Error())
				}
			}
		}
	}
	e.mu.RLock()
	all := make([]*Container, 0, len(e.containers))
	for _, c := range e.containers {
		all = append(all, c)
	}
	e.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool { return all[i].rec.Created.After(all[j].rec.Created) })

	var before, since time.Time
	if v := opts.Filters["before"]; len(v) > 0 {
		c, err := e.lookup(v[0])
		if err != nil {
			return nil, err
		}
		before = c.rec.Created
	}
	if v := opts.Filters["since"]; len(v) > 0 {
		c, err := e.lookup(v[0])
		if err != nil {
			return nil, err
		}
		since = c.rec.Created
	}
	ancestors, err := e.ancestorIDs(opts.Filters["ancestor"])
	if err != nil {
		return nil, err
	}
	// An explicit status or exited filter shows stopped containers too.
	showAll := opts.All || len(opts.Filters["status"]) > 0 || len(opts.Filters["exited"]) > 0 || opts.Limit > 0 || !before.IsZero() || !since.IsZero()
	out := []container.Summary{}
	for _, c := range all {
		c.mu.Lock()
		rec := c.rec
		c.mu.Unlock()
		if !showAll && rec.State.Status != StateRunning && rec.State.Status != StatePaused && rec.State.Status != StateRestarting {
			continue
		}
		if !before.IsZero() && !rec.Created.Before(before) || !since.IsZero() && !rec.Created.After(since) {
			continue
		}
		if !matchContainer(&rec, opts.Filters, ancestors) {
			continue
		}
		s := summary(&rec)
		if opts.Size {
			s.SizeRw = dirSize(c.upperDir())
			if img, err := e.images.Get(rec.ImageID); err == nil {
				s.SizeRootFs = s.SizeRw + img.Size
			}
		}
		out = append(out, s)
		if opts.Limit > 0 && len(out) == opts.Limit {
			break
		}
	}
	return out, nil
}

// ancestorIDs resolves ancestor filter values to image ids.
func (e *Engine) ancestorIDs(refs []string) (map[string]bool, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	ids := map[string]bool{}
	for _, ref := range refs {
		img, err := e.images.Get(ref)
		if err != nil {
			continue // Docker matches nothing for an unknown image
		}
		ids[img.ID] = true
	}
	return ids, nil
}

func matchContainer(rec *record, f Filters, ancestors map[string]bool) bool {
	if v := f["status"]; len(v) > 0 && !contains(v, string(rec.State.Status)) {
		return false
	}
	if v := f["id"]; len(v) > 0 && !anyPrefix(rec.ID, v) {
		return false
	}
	if v := f["name"]; len(v) > 0 {
		ok := false
		for _, pat := range v {
			if re, err := regexp.Compile(pat); err == nil && re.MatchString(rec.Name) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	if v := f["exited"]; len(v) > 0 {
		if rec.State.Status != StateExited || !contains(v, strconv.Itoa(rec.State.ExitCode)) {
			return false
		}
	}
	for _, l := range f["label"] {
		k, want, hasValue := strings.Cut(l, "=")
		got, ok := rec.Config.Labels[k]
		if !ok || hasValue && got != want {
			return false
		}
	}
	if ancestors != nil && !ancestors[rec.ImageID] {
		return false
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func anyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func summary(rec *record) container.Summary {
	labels := rec.Config.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	s := container.Summary{
		ID:      rec.ID,
		Names:   []string{rec.Name},
		Image:   rec.Config.Image,
		ImageID: rec.ImageID,
		Command: strings.Join(append([]string{rec.Path}, rec.Args...), " "),
		Created: rec.Created.Unix(),
		Ports:   []container.PortSummary{},
		Labels:  labels,
		State:   rec.State.Status,
		Status:  statusString(rec, time.Now()),
		Mounts:  []container.MountPoint{},
	}
	s.HostConfig.NetworkMode = string(rec.HostConfig.NetworkMode)
	s.NetworkSettings = &container.NetworkSettingsSummary{Networks: networksOf(rec)}
	return s
}

// networksOf lists the container's network endpoints. Until networking
// lands (issue 5) an endpoint has no address: what inspect shows is what
// the container really has.
func networksOf(rec *record) map[string]*network.EndpointSettings {
	mode := string(rec.HostConfig.NetworkMode)
	if strings.HasPrefix(mode, "container:") {
		return map[string]*network.EndpointSettings{}
	}
	return map[string]*network.EndpointSettings{mode: {}}
}

// statusString is docker ps's STATUS column, worded as Docker words it.
func statusString(rec *record, now time.Time) string {
	st := rec.State
	switch st.Status {
	case StateRunning:
		return "Up " + units.HumanDuration(now.Sub(st.StartedAt))
	case StatePaused:
		return "Up " + units.HumanDuration(now.Sub(st.StartedAt)) + " (Paused)"
	case StateRestarting:
		return fmt.Sprintf("Restarting (%d) %s ago", st.ExitCode, units.HumanDuration(now.Sub(st.FinishedAt)))
	case StateRemoving:
		return "Removal In Progress"
	case StateDead:
		return "Dead"
	case StateCreated:
		return "Created"
	case StateExited:
		if st.FinishedAt.IsZero() {
			return ""
		}
		return fmt.Sprintf("Exited (%d) %s ago", st.ExitCode, units.HumanDuration(now.Sub(st.FinishedAt)))
	}
	return ""
}

// dirSize is the apparent size of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

// PruneReport is POST /containers/prune's answer.
type PruneReport = container.PruneReport

// Prune removes every stopped container matching the label/until filters.
func (e *Engine) Prune(ctx context.Context, f Filters) (PruneReport, error) {
	for k := range f {
		if k != "label" && k != "label!" && k != "until" {
			return PruneReport{}, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("Invalid filter '%s'", k))
		}
	}
	var until time.Time
	if v := f["until"]; len(v) > 0 {
		t, err := parseUntil(v[0], time.Now())
		if err != nil {
			return PruneReport{}, err
		}
		until = t
	}
	e.mu.RLock()
	var victims []*Container
	for _, c := range e.containers {
		victims = append(victims, c)
	}
	e.mu.RUnlock()
	report := PruneReport{ContainersDeleted: []string{}}
	for _, c := range victims {
		c.mu.Lock()
		rec := c.rec
		c.mu.Unlock()
		switch rec.State.Status {
		case StateCreated, StateExited, StateDead:
		default:
			continue
		}
		if !until.IsZero() && !rec.Created.Before(until) {
			continue
		}
		if !matchContainer(&rec, Filters{"label": f["label"]}, nil) {
			continue
		}
		excluded := false
		for _, l := range f["label!"] {
			k, want, hasValue := strings.Cut(l, "=")
			if got, ok := rec.Config.Labels[k]; ok && (!hasValue || got == want) {
				excluded = true
			}
		}
		if excluded {
			continue
		}
		size := dirSize(c.upperDir())
		if err := e.Remove(ctx, rec.ID, RemoveOptions{}); err != nil {
			continue
		}
		report.ContainersDeleted = append(report.ContainersDeleted, rec.ID)
		report.SpaceReclaimed += uint64(size)
	}
	return report, nil
}

// parseUntil accepts a Go duration ("24h", relative to now), an RFC3339
// time, or unix seconds — the forms Docker accepts for until=.
func parseUntil(v string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(v); err == nil {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	if t, err := parseTimeArg(v); err == nil {
		return t, nil
	}
	return time.Time{}, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("failed to parse value as time or duration: %q", v))
}

// Counts are the container totals docker info shows.
type Counts struct{ Total, Running, Paused, Stopped int }

// Counts tallies containers by state.
func (e *Engine) Counts(ctx context.Context) (Counts, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var n Counts
	for _, c := range e.containers {
		c.mu.Lock()
		switch c.rec.State.Status {
		case StateRunning, StateRestarting:
			n.Running++
		case StatePaused:
			n.Paused++
		default:
			n.Stopped++
		}
		c.mu.Unlock()
		n.Total++
	}
	return n, nil
}
