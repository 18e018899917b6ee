package api

import (
	"encoding/json"
	"net/http"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/system"

	"github.com/boxlab/boxlab/runtime/engine"
)

// EngineVersion is the version boxlab's engine reports.
const EngineVersion = "0.1.0-boxlab"

func (s *Server) routesSystem() {
	ping := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache, no-store, must-revalidate")
		w.Header().Set("Pragma", "no-cache")
		w.Header().Set("Builder-Version", "1")
		if r.Method == http.MethodHead {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Content-Length", "0")
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("OK"))
	}
	s.mux.HandleFunc("GET /_ping", ping)
	s.mux.HandleFunc("HEAD /_ping", ping)
	s.handle("GET /version", s.version)
	s.handle("GET /info", s.info)
	s.handle("GET /events", s.events)
}

func (s *Server) version(w http.ResponseWriter, r *http.Request) error {
	kernel := kernelVersion()
	return writeJSON(w, http.StatusOK, system.VersionResponse{
		Platform:      system.PlatformInfo{Name: "boxlab"},
		Version:       EngineVersion,
		APIVersion:    APIVersion,
		MinAPIVersion: MinAPIVersion,
		Os:            runtime.GOOS,
		Arch:          runtime.GOARCH,
		KernelVersion: kernel,
		GoVersion:     runtime.Version(),
		GitCommit:     "boxlab",
		BuildTime:     "",
		Components: []system.ComponentVersion{{
			Name:    "Engine",
			Version: EngineVersion,
			Details: map[string]string{
				"ApiVersion":    APIVersion,
				"MinAPIVersion": MinAPIVersion,
				"Os":            runtime.GOOS,
				"Arch":          runtime.GOARCH,
				"KernelVersion": kernel,
				"GoVersion":     runtime.Version(),
				"GitCommit":     "boxlab",
				"Experimental":  "false",
			},
		}},
	})
}

func kernelVersion() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func (s *Server) info(w http.ResponseWriter, r *http.Request) error {
	counts, err := s.eng.Counts(r.Context())
	if err != nil {
		return err
	}
	images, err := s.images.List()
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	return writeJSON(w, http.StatusOK, system.Info{
		ID:                 "boxlab",
		Containers:         counts.Total,
		ContainersRunning:  counts.Running,
		ContainersPaused:   counts.Paused,
		ContainersStopped:  counts.Stopped,
		Images:             len(images),
		Driver:             "overlay2",
		DriverStatus:       [][2]string{{"Backing Filesystem", "extfs"}},
		LoggingDriver:      "json-file",
		CgroupDriver:       "cgroupfs",
		KernelVersion:      kernelVersion(),
		OperatingSystem:    "boxlab",
		OSType:             runtime.GOOS,
		Architecture:       runtime.GOARCH,
		NCPU:               runtime.NumCPU(),
		Name:               host,
		ServerVersion:      EngineVersion,
		DockerRootDir:      s.eng.Root(),
		IndexServerAddress: "https://index.docker.io/v1/",
		DefaultRuntime:     "runc",
		Runtimes:           map[string]system.RuntimeWithStatus{"runc": {Runtime: system.Runtime{Path: "boxlab-init"}}},
		SystemTime:         time.Now().Format(time.RFC3339Nano),
		Labels:             []string{},
		SecurityOptions:    []string{"name=seccomp,profile=builtin"},
		Warnings:           []string{},
	})
}

// events streams engine events as JSON lines, filtered like Docker's.
func (s *Server) events(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	since, err := engine.ParseTimeArg(q.Get("since"))
	if err != nil {
		return err
	}
	until, err := engine.ParseTimeArg(q.Get("until"))
	if err != nil {
		return err
	}
	f, err := parseFilters(q.Get("filters"))
	if err != nil {
		return err
	}
	ch, cancel := s.eng.Subscribe(r.Context(), since, until)
	defer cancel()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	rc.Flush()
	enc := json.NewEncoder(w)
	for ev := range ch {
		if !matchEvent(ev, f) {
			continue
		}
		if err := enc.Encode(ev); err != nil {
			return nil
		}
		rc.Flush()
	}
	return nil
}

func matchEvent(ev events.Message, f engine.Filters) bool {
	if v := f["type"]; len(v) > 0 && !has(v, string(ev.Type)) {
		return false
	}
	if v := f["event"]; len(v) > 0 {
		action := string(ev.Action)
		if i := strings.Index(action, ":"); i >= 0 {
			action = action[:i]
		}
		if !has(v, action) {
			return false
		}
	}
	if v := f["container"]; len(v) > 0 {
		if ev.Type != events.ContainerEventType {
			return false
		}
		ok := false
		for _, c := range v {
			if strings.HasPrefix(ev.Actor.ID, c) || ev.Actor.Attributes["name"] == c {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	if v := f["image"]; len(v) > 0 && !has(v, ev.Actor.Attributes["image"]) {
		return false
	}
	for _, l := range f["label"] {
		k, want, hasValue := strings.Cut(l, "=")
		got, ok := ev.Actor.Attributes[k]
		if !ok || hasValue && got != want {
			return false
		}
	}
	return true
}

func has(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// parseFilters decodes Docker's filters parameter in both of its forms:
// {"key":{"value":true}} (current) and {"key":["value"]} (old clients).
func parseFilters(raw string) (engine.Filters, error) {
	f := engine.Filters{}
	if raw == "" {
		return f, nil
	}
	var current map[string]map[string]bool
	if err := json.Unmarshal([]byte(raw), &current); err == nil {
		for k, vals := range current {
			for v := range vals {
				f[k] = append(f[k], v)
			}
		}
		return f, nil
	}
	var old map[string][]string
	if err := json.Unmarshal([]byte(raw), &old); err != nil {
		return nil, invalidArg("invalid filter: " + err.Error())
	}
	for k, vals := range old {
		f[k] = append(f[k], vals...)
	}
	return f, nil
}
