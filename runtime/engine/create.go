package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/network"

	"github.com/boxlab/boxlab/runtime/image"
	"github.com/boxlab/boxlab/runtime/linux"
)

// CreateRequest is POST /containers/create.
type CreateRequest struct {
	Name       string
	Config     *container.Config
	HostConfig *container.HostConfig
	Networking *network.NetworkingConfig
}

// Create makes a container: validates the request as Docker does, merges
// it with the image's config, prepares its writable layer and persists it.
func (e *Engine) Create(ctx context.Context, req CreateRequest) (container.CreateResponse, error) {
	cfg, hc := req.Config, req.HostConfig
	if cfg == nil {
		return container.CreateResponse{}, errdefs.ErrInvalidArgument.WithMessage("config cannot be empty in order to create a container")
	}
	if hc == nil {
		hc = &container.HostConfig{}
	}
	if err := validateHostConfig(hc); err != nil {
		return container.CreateResponse{}, err
	}
	if cfg.StopSignal != "" {
		if _, err := linux.ParseSignal(cfg.StopSignal); err != nil {
			return container.CreateResponse{}, errdefs.ErrInvalidArgument.WithMessage(err.Error())
		}
	}
	if _, err := linux.Capabilities(hc.Privileged, hc.CapAdd, hc.CapDrop); err != nil {
		return container.CreateResponse{}, errdefs.ErrInvalidArgument.WithMessage("invalid CapAdd: " + err.Error())
	}
	img, err := e.images.Get(cfg.Image)
	if err != nil {
		return container.CreateResponse{}, err
	}
	cfg = mergeImageConfig(cfg, img)
	path, args := entrypointAndArgs(cfg)
	if path == "" {
		return container.CreateResponse{}, errdefs.ErrInvalidArgument.WithMessage("no command specified")
	}
	id := newID()
	if cfg.Hostname == "" {
		cfg.Hostname = id[:12]
	}
	defaultHostConfig(hc)

	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return container.CreateResponse{}, errdefs.ErrUnavailable.WithMessage("the engine is shutting down")
	}
	name := req.Name
	if name == "" {
		name = generateName(func(n string) bool { _, taken := e.names[n]; return taken })
	} else {
		if !validName.MatchString(name) {
			e.mu.Unlock()
			return container.CreateResponse{}, errInvalidName(name)
		}
		name = strings.TrimPrefix(name, "/")
		if other, taken := e.names[name]; taken {
			e.mu.Unlock()
			return container.CreateResponse{}, errNameInUse("/"+name, other.rec.ID)
		}
	}
	// Reserve the name while the directory is prepared outside the lock.
	placeholder := &Container{rec: record{ID: id, Name: "/" + name}}
	e.names[name] = placeholder
	e.mu.Unlock()

	c, err := e.prepare(id, name, path, args, cfg, hc, req.Networking, img)
	e.mu.Lock()
	if err != nil {
		delete(e.names, name)
		e.mu.Unlock()
		return container.CreateResponse{}, err
	}
	e.names[name] = c
	e.containers[id] = c
	e.mu.Unlock()

	c.mu.Lock()
	e.emit(c, events.ActionCreate, nil)
	c.mu.Unlock()
	return container.CreateResponse{ID: id, Warnings: []string{}}, nil
}

// prepare writes the container's directory and record; on failure nothing
// is left behind.
func (e *Engine) prepare(id, name, path string, args []string, cfg *container.Config, hc *container.HostConfig, nc *network.NetworkingConfig, img *image.Image) (*Container, error) {
	dir := filepath.Join(e.root, "containers", id)
	c := newContainer(dir, record{
		ID:         id,
		Name:       "/" + name,
		Created:    time.Now().UTC(),
		Path:       path,
		Args:       args,
		Config:     cfg,
		HostConfig: hc,
		Networking: nc,
		ImageID:    img.ID,
		State:      stateRecord{Status: StateCreated},
	})
	for _, d := range []string{c.upperDir(), c.workDir(), c.mergedDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("create container %s: %w", name, err)
		}
	}
	// The lease keeps the image's layers while the container exists, even
	// if the image is removed with rmi -f.
	if err := e.images.Lease(id, img); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("create container %s: %w", name, err)
	}
	if err := c.save(); err != nil {
		e.images.Release(id)
		os.RemoveAll(dir)
		return nil, fmt.Errorf("create container %s: %w", name, err)
	}
	return c, nil
}

// mergeImageConfig fills what the request leaves unset from the image, with
// the daemon's rules: the user's Entrypoint replaces the image's and then
// the image's Cmd is not used; env and labels merge key by key.
func mergeImageConfig(user *container.Config, img *image.Image) *container.Config {
	cfg := *user
	ic := img.Config.Config
	cfg.Image = user.Image
	cfg.Env = mergeEnv(ic.Env, user.Env)
	if len(cfg.Entrypoint) == 0 {
		if len(cfg.Cmd) == 0 {
			cfg.Cmd = ic.Cmd
		}
		if cfg.Entrypoint == nil {
			cfg.Entrypoint = ic.Entrypoint
		}
	}
	// --entrypoint "" clears the entrypoint (and the image's Cmd went with it).
	if len(cfg.Entrypoint) == 1 && cfg.Entrypoint[0] == "" {
		cfg.Entrypoint = nil
	}
	if cfg.WorkingDir == "" {
		cfg.WorkingDir = ic.WorkingDir
	}
	if cfg.User == "" {
		cfg.User = ic.User
	}
	if cfg.StopSignal == "" {
		cfg.StopSignal = ic.StopSignal
	}
	if cfg.Healthcheck == nil && ic.Healthcheck != nil {
		hc := *ic.Healthcheck
		cfg.Healthcheck = &hc
	}
	if len(ic.Labels) > 0 {
		labels := map[string]string{}
		for k, v := range ic.Labels {
			labels[k] = v
		}
		for k, v := range user.Labels {
			labels[k] = v
		}
		cfg.Labels = labels
	} else if cfg.Labels == nil {
		cfg.Labels = map[string]string{}
	}
	if len(ic.ExposedPorts) > 0 {
		ports := network.PortSet{}
		for p := range ic.ExposedPorts {
			if port, err := network.ParsePort(p); err == nil {
				ports[port] = struct{}{}
			}
		}
		for p := range user.ExposedPorts {
			ports[p] = struct{}{}
		}
		cfg.ExposedPorts = ports
	}
	if len(ic.Volumes) > 0 || len(user.Volumes) > 0 {
		vols := map[string]struct{}{}
		for v := range ic.Volumes {
			vols[v] = struct{}{}
		}
		for v := range user.Volumes {
			vols[v] = struct{}{}
		}
		cfg.Volumes = vols
	}
	if len(cfg.OnBuild) == 0 && len(ic.OnBuild) > 0 {
		cfg.OnBuild = ic.OnBuild
	}
	return &cfg
}

// mergeEnv overlays user KEY=VALUE entries on the image's, keeping order.
func mergeEnv(base, over []string) []string {
	out := append([]string(nil), base...)
	index := map[string]int{}
	for i, kv := range out {
		index[envKey(kv)] = i
	}
	for _, kv := range over {
		k := envKey(kv)
		if i, ok := index[k]; ok {
			out[i] = kv
			continue
		}
		index[k] = len(out)
		out = append(out, kv)
	}
	if out == nil {
		out = []string{}
	}
	return out
}

func envKey(kv string) string {
	k, _, _ := strings.Cut(kv, "=")
	return k
}

// entrypointAndArgs is the process a container runs: Entrypoint then Cmd.
func entrypointAndArgs(cfg *container.Config) (string, []string) {
	full := append(append([]string{}, cfg.Entrypoint...), cfg.Cmd...)
	if len(full) == 0 {
		return "", nil
	}
	return full[0], full[1:]
}

func validateHostConfig(hc *container.HostConfig) error {
	rp := hc.RestartPolicy
	switch rp.Name {
	case "", container.RestartPolicyDisabled, container.RestartPolicyAlways, container.RestartPolicyUnlessStopped:
		if rp.MaximumRetryCount != 0 {
			return errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("invalid restart policy: maximum retry count can only be used with 'on-failure'"))
		}
	case container.RestartPolicyOnFailure:
		if rp.MaximumRetryCount < 0 {
			return errdefs.ErrInvalidArgument.WithMessage("invalid restart policy: maximum retry count cannot be negative")
		}
	default:
		return errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("invalid restart policy: unknown policy '%s'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'", rp.Name))
	}
	if hc.AutoRemove && rp.Name != "" && rp.Name != container.RestartPolicyDisabled {
		return errdefs.ErrInvalidArgument.WithMessage("can't create 'AutoRemove' container with restart policy")
	}
	return nil
}

// defaultHostConfig fills the fields Docker fills on create.
func defaultHostConfig(hc *container.HostConfig) {
	if hc.RestartPolicy.Name == "" {
		hc.RestartPolicy.Name = container.RestartPolicyDisabled
	}
	if hc.NetworkMode == "" || hc.NetworkMode == "default" {
		hc.NetworkMode = "bridge"
	}
	if hc.LogConfig.Type == "" {
		hc.LogConfig.Type = "json-file"
	}
	if hc.LogConfig.Config == nil {
		hc.LogConfig.Config = map[string]string{}
	}
	if hc.ShmSize == 0 {
		hc.ShmSize = 64 << 20
	}
	if hc.IpcMode == "" {
		hc.IpcMode = "private"
	}
	if hc.CgroupnsMode == "" {
		hc.CgroupnsMode = "private"
	}
}
