package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"

	"github.com/boxlab/boxlab/runtime/linux"
)

// Start starts a created or stopped container.
func (e *Engine) Start(ctx context.Context, ref string) error {
	c, err := e.lookup(ref)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch c.rec.State.Status {
	case StateRunning:
		return errNotModified
	case StatePaused:
		return errdefs.ErrConflict.WithMessage("cannot start a paused container, try unpause instead")
	case StateRemoving, StateDead:
		return errdefs.ErrConflict.WithMessage("container is marked for removal and cannot be started")
	case StateRestarting:
		if c.restartTimer != nil {
			c.restartTimer.Stop()
			c.restartTimer = nil
		}
	}
	c.rec.ManuallyStopped = false
	err = e.startLocked(c)
	if err != nil && c.rec.HostConfig.AutoRemove {
		// Docker removes an auto-remove container whose start failed, so
		// docker run --rm leaves nothing behind and its wait returns.
		c.mu.Unlock()
		defer c.mu.Lock()
		if rerr := e.Remove(context.Background(), c.rec.ID, RemoveOptions{Force: true, Volumes: true}); rerr != nil {
			e.log.Warn("auto-remove after failed start", "id", c.rec.ID, "err", rerr)
		}
	}
	return err
}

// startLocked runs the container's process; the caller holds c.mu.
func (e *Engine) startLocked(c *Container) error {
	e.mu.RLock()
	closed := e.closed
	e.mu.RUnlock()
	if closed {
		return errdefs.ErrUnavailable.WithMessage("the engine is shutting down")
	}
	if c.released != nil {
		<-c.released // the previous run's teardown
		c.released = nil
	}
	offline.wait(c) // docker cp into the stopped container (archive.go)
	spec, err := e.spec(c)
	if err != nil {
		return err
	}
	logw, err := openLogWriter(c.logPath())
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	proc, err := linux.Start(spec, nil)
	if err != nil {
		logw.close()
		return e.startFailed(c, err)
	}
	var stdin io.WriteCloser
	sources := map[string]io.Reader{}
	if spec.Tty {
		sources["stdout"] = proc.Console
		if spec.Stdin {
			stdin = nopCloser{proc.Console}
		}
	} else {
		sources["stdout"] = proc.Stdout
		sources["stderr"] = proc.Stderr
		if spec.Stdin {
			stdin = proc.Stdin
		}
	}
	st := newStreams(logw, spec.Tty, stdin)
	for sub := range c.waiting {
		st.add(sub)
		delete(c.waiting, sub)
	}
	st.pump(sources)

	from := c.rec.State.Status
	if err := c.setState(StateRunning); err != nil {
		proc.Signal(syscall.SIGKILL)
		proc.Wait()
		proc.Release()
		logw.close()
		return err
	}
	c.proc, c.streams, c.stopping = proc, st, false
	c.rec.State.Pid = proc.Pid
	c.rec.State.PidNS = pidNamespace(proc.Pid)
	c.rec.State.StartedAt = time.Now().UTC()
	c.rec.State.Error = ""
	c.rec.State.OOMKilled = false
	c.rec.StartedBefore = true
	if err := c.save(); err != nil {
		e.log.Error("save container", "id", c.rec.ID, "err", err)
	}
	close(c.started)
	c.started = make(chan struct{})
	if from == StateRestarting {
		e.emit(c, events.ActionRestart, nil)
	}
	e.emit(c, events.ActionStart, nil)
	e.monitors.Add(1)
	go e.monitor(c, proc, st)
	return nil
}

// startFailed records a process that could not be started, as Docker does:
// the state stays, ExitCode and Error say why.
func (e *Engine) startFailed(c *Container, err error) error {
	var se *linux.StartError
	if !errors.As(err, &se) {
		return fmt.Errorf("start container %s: %w", c.Name(), err)
	}
	msg := se.Msg
	if !se.Daemon {
		// Modern Docker's wording for a failure inside the OCI runtime;
		// errors the daemon finds itself (an unknown user) stand alone.
		msg = "failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: " + se.Msg + ": unknown"
	}
	c.rec.State.ExitCode = se.ExitCode
	if c.rec.State.ExitCode == 0 {
		c.rec.State.ExitCode = 128 // Docker's exitUnknown
	}
	c.rec.State.Error = msg
	if c.rec.State.Status == StateRestarting {
		c.setState(StateExited)
	}
	if err := c.save(); err != nil {
		e.log.Error("save container", "id", c.rec.ID, "err", err)
	}
	// Clients attached before the start see the end of the stream, and
	// waiters registered before it (docker run) get the exit code.
	for sub := range c.waiting {
		close(sub.done)
		delete(c.waiting, sub)
	}
	close(c.exited)
	c.exited = make(chan struct{})
	if se.ExitCode == 126 || se.ExitCode == 127 {
		return errdefs.ErrInvalidArgument.WithMessage(msg)
	}
	return errdefs.ErrUnknown.WithMessage(msg)
}

// spec turns the container's record into what runtime/linux runs.
func (e *Engine) spec(c *Container) (*linux.Spec, error) {
	cfg, hc := c.rec.Config, c.rec.HostConfig
	layers, err := e.images.LeasedLayers(c.rec.ID)
	if err != nil {
		return nil, fmt.Errorf("layers of container %s: %w", c.Name(), err)
	}
	files, err := e.writeEtcFiles(c)
	if err != nil {
		return nil, err
	}
	base := []string{"PATH=" + linux.DefaultPath, "HOSTNAME=" + cfg.Hostname}
	if cfg.Tty {
		base = append(base, "TERM=xterm")
	}
	spec := &linux.Spec{
		ID:      c.rec.ID,
		Toolbox: e.toolbox,
		Rootfs: linux.Rootfs{
			Lower:  layers,
			Upper:  c.upperDir(),
			Work:   c.workDir(),
			Target: c.mergedDir(),
		},
		Mounts:         files,
		Args:           append([]string{c.rec.Path}, c.rec.Args...),
		Env:            mergeEnv(base, cfg.Env),
		Cwd:            cfg.WorkingDir,
		User:           cfg.User,
		Hostname:       cfg.Hostname,
		Domainname:     cfg.Domainname,
		Tty:            cfg.Tty,
		ConsoleSize:    consoleSize(hc.ConsoleSize),
		Stdin:          cfg.OpenStdin,
		Init:           hc.Init != nil && *hc.Init,
		Privileged:     hc.Privileged,
		CapAdd:         hc.CapAdd,
		CapDrop:        hc.CapDrop,
		ReadonlyRootfs: hc.ReadonlyRootfs,
		Sysctls:        hc.Sysctls,
		Resources: linux.Resources{
			Memory:    hc.Memory,
			CPUShares: hc.CPUShares,
		},
	}
	if hc.PidsLimit != nil {
		spec.Resources.PidsLimit = *hc.PidsLimit
	}
	if spec.Cwd == "" {
		spec.Cwd = "/"
	}
	if cfg.StopSignal != "" {
		spec.StopSignal, _ = linux.ParseSignal(cfg.StopSignal)
	}
	dests := make([]string, 0, len(hc.Tmpfs))
	for dest := range hc.Tmpfs {
		dests = append(dests, dest)
	}
	sort.Strings(dests)
	for _, dest := range dests {
		opts := []string{"nosuid", "nodev", "noexec"} // Docker's --tmpfs defaults
		if o := hc.Tmpfs[dest]; o != "" {
			opts = append(opts, strings.Split(o, ",")...)
		}
		spec.Mounts = append(spec.Mounts, linux.Mount{Type: "tmpfs", Source: "tmpfs", Destination: dest, Options: opts})
	}
	switch mode := string(hc.NetworkMode); {
	case mode == "host":
		spec.Network = "host"
	case strings.HasPrefix(mode, "container:"):
		other, err := e.lookup(strings.TrimPrefix(mode, "container:"))
		if err != nil {
			return nil, err
		}
		other.mu.Lock()
		pid, running := other.rec.State.Pid, other.running()
		other.mu.Unlock()
		if !running {
			return nil, errdefs.ErrConflict.WithMessage(fmt.Sprintf("cannot join network namespace of a non running container: container %s is %s", other.rec.ID, other.rec.State.Status))
		}
		spec.Network = fmt.Sprintf("/proc/%d/ns/net", pid)
	default:
		// bridge and user networks get their own namespace; links and
		// addresses arrive with the networking work (issue 5).
		spec.Network = ""
	}
	return spec, nil
}

// writeEtcFiles writes hostname, hosts and resolv.conf for the container and
// returns their bind mounts, as Docker bind-mounts its own copies.
func (e *Engine) writeEtcFiles(c *Container) ([]linux.Mount, error) {
	cfg := c.rec.Config
	hostname := cfg.Hostname
	if cfg.Domainname != "" {
		hostname += "." + cfg.Domainname
	}
	hosts := "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n"
	for _, h := range c.rec.HostConfig.ExtraHosts {
		name, ip, ok := strings.Cut(h, ":")
		if ok {
			hosts += ip + "\t" + name + "\n"
		}
	}
	files := []struct{ name, content string }{
		{"hostname", cfg.Hostname + "\n"},
		{"hosts", hosts},
		{"resolv.conf", resolvConf(addrStrings(c.rec.HostConfig.DNS), c.rec.HostConfig.DNSSearch, c.rec.HostConfig.DNSOptions)},
	}
	var mounts []linux.Mount
	for _, f := range files {
		// Rewritten before every start, so a torn file from a crash never
		// reaches a container: no temp file and rename needed.
		p := filepath.Join(c.dir, f.name)
		if err := os.WriteFile(p, []byte(f.content), 0o644); err != nil {
			return nil, err
		}
		opts := []string{"rbind", "rprivate"}
		if c.rec.HostConfig.ReadonlyRootfs {
			opts = append(opts, "ro")
		}
		mounts = append(mounts, linux.Mount{Type: "bind", Source: p, Destination: "/etc/" + f.name, Options: opts})
	}
	return mounts, nil
}

// resolvConf builds the container's resolv.conf like Docker on the default
// bridge: the host's file without loopback nameservers (unreachable from a
// container), Google's public resolvers when none remain, then --dns
// overrides.
func resolvConf(dns, search, options []string) string {
	host, _ := os.ReadFile("/etc/resolv.conf")
	var servers, searches, opts []string
	for _, line := range strings.Split(string(host), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "nameserver":
			if !strings.HasPrefix(f[1], "127.") && f[1] != "::1" {
				servers = append(servers, f[1])
			}
		case "search":
			searches = f[1:]
		case "options":
			opts = append(opts, f[1:]...)
		}
	}
	if len(dns) > 0 {
		servers = dns
	}
	if len(search) > 0 {
		searches = search
	}
	if len(options) > 0 {
		opts = options
	}
	if len(servers) == 0 {
		servers = []string{"8.8.8.8", "8.8.4.4"}
	}
	var b strings.Builder
	for _, s := range servers {
		b.WriteString("nameserver " + s + "\n")
	}
	if len(searches) > 0 {
		b.WriteString("search " + strings.Join(searches, " ") + "\n")
	}
	if len(opts) > 0 {
		b.WriteString("options " + strings.Join(opts, " ") + "\n")
	}
	return b.String()
}

// monitor waits for the container's process, records how it ended, and
// applies the restart policy and --rm.
func (e *Engine) monitor(c *Container, proc *linux.Process, st *streams) {
	defer e.monitors.Done()
	status := proc.Wait()
	select {
	case <-st.drained:
	case <-time.After(2 * time.Second):
		// Output held open by a process that escaped the container's pid
		// namespace cannot keep the exit from being reported.
	}
	st.closeStdin()
	// Teardown (cgroups) happens after the exit is reported, so docker run
	// does not wait for it; the next start of this container waits instead.
	released := make(chan struct{})
	e.monitors.Add(1)
	go func() {
		defer e.monitors.Done()
		defer close(released)
		if err := proc.Release(); err != nil {
			e.log.Warn("release container", "id", c.rec.ID, "err", err)
		}
	}()

	c.mu.Lock()
	c.released = released
	st.log.close()
	c.proc, c.streams = nil, nil
	c.rec.State.Pid, c.rec.State.PidNS = 0, 0
	c.rec.State.ExitCode = status.Code
	c.rec.State.OOMKilled = status.OOM
	c.rec.State.FinishedAt = time.Now().UTC()
	delay, restart := e.restartDecision(c)
	if restart {
		c.setState(StateRestarting)
		c.rec.RestartCount++
	} else {
		c.setState(StateExited)
	}
	if err := c.save(); err != nil {
		e.log.Error("save container", "id", c.rec.ID, "err", err)
	}
	e.emit(c, events.ActionDie, map[string]string{"exitCode": fmt.Sprint(status.Code)})
	if status.OOM {
		e.emit(c, events.ActionOOM, nil)
	}
	close(c.exited)
	c.exited = make(chan struct{})
	autoRemove := c.rec.HostConfig.AutoRemove && !restart
	if restart {
		c.restartTimer = time.AfterFunc(delay, func() { e.policyRestart(c) })
	}
	c.mu.Unlock()

	if autoRemove {
		if err := e.Remove(context.Background(), c.rec.ID, RemoveOptions{Force: true, Volumes: true}); err != nil && !errdefs.IsNotFound(err) {
			e.log.Warn("auto-remove", "id", c.rec.ID, "err", err)
		}
	}
}

// restartDecision applies the restart policy to an exit; the caller holds
// c.mu. The delay doubles from 100 ms per restart, up to a minute, and
// starts over when the container had run for 10 s (Docker's back-off).
func (e *Engine) restartDecision(c *Container) (time.Duration, bool) {
	e.mu.RLock()
	closed := e.closed
	e.mu.RUnlock()
	if closed || c.stopping || c.rec.ManuallyStopped {
		return 0, false
	}
	rp := c.rec.HostConfig.RestartPolicy
	switch rp.Name {
	case container.RestartPolicyAlways, container.RestartPolicyUnlessStopped:
	case container.RestartPolicyOnFailure:
		if c.rec.State.ExitCode == 0 {
			return 0, false
		}
		if rp.MaximumRetryCount > 0 && c.rec.RestartCount >= rp.MaximumRetryCount {
			return 0, false
		}
	default:
		return 0, false
	}
	if c.rec.State.FinishedAt.Sub(c.rec.State.StartedAt) >= 10*time.Second {
		c.rec.RestartCount = 0
	}
	delay := 100 * time.Millisecond << min(c.rec.RestartCount, 10)
	return min(delay, time.Minute), true
}

func (e *Engine) policyRestart(c *Container) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.restartTimer = nil
	if c.rec.State.Status != StateRestarting {
		return
	}
	if err := e.startLocked(c); err != nil {
		e.log.Warn("policy restart failed", "id", c.rec.ID, "err", err)
		c.setState(StateExited)
		c.save()
	}
}

// restartOnBoot starts the containers whose policy says so after an engine
// restart (always, and unless-stopped when not stopped by hand).
func (e *Engine) restartOnBoot() {
	e.mu.RLock()
	var todo []*Container
	for _, c := range e.containers {
		rp := c.rec.HostConfig.RestartPolicy.Name
		if rp == container.RestartPolicyAlways || (rp == container.RestartPolicyUnlessStopped && !c.rec.ManuallyStopped) {
			if c.rec.StartedBefore {
				todo = append(todo, c)
			}
		}
	}
	e.mu.RUnlock()
	for _, c := range todo {
		c.mu.Lock()
		if err := e.startLocked(c); err != nil {
			e.log.Warn("restart on boot", "id", c.rec.ID, "err", err)
		}
		c.mu.Unlock()
	}
}

func addrStrings(addrs []netip.Addr) []string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.String()
	}
	return out
}

// consoleSize converts the API's [height, width] to the pty size the
// process starts with (0 × 0: the kernel's default).
func consoleSize(s [2]uint) [2]uint16 {
	return [2]uint16{uint16(s[0]), uint16(s[1])}
}
