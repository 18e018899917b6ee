package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"

	"github.com/boxlab/boxlab/runtime/engine"
)

func invalidArg(msg string) error { return errdefs.ErrInvalidArgument.WithMessage(msg) }

func boolParam(r *http.Request, name string) bool {
	v := strings.ToLower(r.URL.Query().Get(name))
	return v != "" && v != "0" && v != "false" && v != "no"
}

// intParam parses an optional integer query parameter (nil when absent).
func intParam(r *http.Request, name string) (*int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, invalidArg("invalid value for " + name + ": " + v)
	}
	return &n, nil
}

func (s *Server) routesContainers() {
	s.handle("POST /containers/create", s.containerCreate)
	s.handle("GET /containers/json", s.containerList)
	s.handle("POST /containers/prune", s.containerPrune)
	s.handle("GET /containers/{id}/json", s.containerInspect)
	s.handle("POST /containers/{id}/start", s.containerStart)
	s.handle("POST /containers/{id}/stop", s.containerStop)
	s.handle("POST /containers/{id}/restart", s.containerRestart)
	s.handle("POST /containers/{id}/kill", s.containerKill)
	s.handle("POST /containers/{id}/wait", s.containerWait)
	s.handle("POST /containers/{id}/pause", s.containerPause)
	s.handle("POST /containers/{id}/unpause", s.containerUnpause)
	s.handle("POST /containers/{id}/rename", s.containerRename)
	s.handle("POST /containers/{id}/resize", s.containerResize)
	s.handle("POST /containers/{id}/attach", s.containerAttach)
	s.handle("GET /containers/{id}/logs", s.containerLogs)
	s.handle("GET /containers/{id}/top", s.containerTop)
	s.handle("DELETE /containers/{id}", s.containerRemove)
	s.handle("HEAD /containers/{id}/archive", s.containerArchiveHead)
	s.handle("GET /containers/{id}/archive", s.containerArchiveGet)
	s.handle("PUT /containers/{id}/archive", s.containerArchivePut)
}

func (s *Server) containerCreate(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		*container.Config
		HostConfig       *container.HostConfig
		NetworkingConfig *network.NetworkingConfig
	}
	body.Config = &container.Config{}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	resp, err := s.eng.Create(r.Context(), engine.CreateRequest{
		Name:       r.URL.Query().Get("name"),
		Config:     body.Config,
		HostConfig: body.HostConfig,
		Networking: body.NetworkingConfig,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, resp)
}

func (s *Server) containerList(w http.ResponseWriter, r *http.Request) error {
	f, err := parseFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit")
	if err != nil {
		return err
	}
	opts := engine.ListOptions{All: boolParam(r, "all"), Size: boolParam(r, "size"), Filters: f}
	if limit != nil {
		opts.Limit = *limit
	}
	list, err := s.eng.List(r.Context(), opts)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list)
}

func (s *Server) containerPrune(w http.ResponseWriter, r *http.Request) error {
	f, err := parseFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	report, err := s.eng.Prune(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, report)
}

func (s *Server) containerInspect(w http.ResponseWriter, r *http.Request) error {
	resp, err := s.eng.Inspect(r.Context(), r.PathValue("id"), boolParam(r, "size"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, resp)
}

func noContent(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) containerStart(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.eng.Start(r.Context(), r.PathValue("id")))
}

func (s *Server) containerStop(w http.ResponseWriter, r *http.Request) error {
	t, err := intParam(r, "t")
	if err != nil {
		return err
	}
	return noContent(w, s.eng.Stop(r.Context(), r.PathValue("id"), t, r.URL.Query().Get("signal")))
}

func (s *Server) containerRestart(w http.ResponseWriter, r *http.Request) error {
	t, err := intParam(r, "t")
	if err != nil {
		return err
	}
	return noContent(w, s.eng.Restart(r.Context(), r.PathValue("id"), t, r.URL.Query().Get("signal")))
}

func (s *Server) containerKill(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.eng.Kill(r.Context(), r.PathValue("id"), r.URL.Query().Get("signal")))
}

func (s *Server) containerPause(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.eng.Pause(r.Context(), r.PathValue("id")))
}

func (s *Server) containerUnpause(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.eng.Unpause(r.Context(), r.PathValue("id")))
}

func (s *Server) containerRename(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.eng.Rename(r.Context(), r.PathValue("id"), r.URL.Query().Get("name")))
}

func (s *Server) containerRemove(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.eng.Remove(r.Context(), r.PathValue("id"), engine.RemoveOptions{
		Force:   boolParam(r, "force"),
		Volumes: boolParam(r, "v"),
	}))
}

func sizeParams(r *http.Request) (uint16, uint16, error) {
	h, err1 := strconv.ParseUint(r.URL.Query().Get("h"), 10, 16)
	wd, err2 := strconv.ParseUint(r.URL.Query().Get("w"), 10, 16)
	if err1 != nil || err2 != nil {
		return 0, 0, invalidArg("invalid resize parameters: h and w must be numbers")
	}
	return uint16(h), uint16(wd), nil
}

func (s *Server) containerResize(w http.ResponseWriter, r *http.Request) error {
	h, wd, err := sizeParams(r)
	if err != nil {
		return err
	}
	if err := s.eng.Resize(r.Context(), r.PathValue("id"), h, wd); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) containerWait(w http.ResponseWriter, r *http.Request) error {
	wait, err := s.eng.WaitFor(r.PathValue("id"), container.WaitCondition(r.URL.Query().Get("condition")))
	if err != nil {
		return err
	}
	// The header tells the client the wait is registered (docker run
	// starts the container only after that).
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	http.NewResponseController(w).Flush()
	res, err := wait(r.Context())
	if err != nil {
		return nil // the client went away
	}
	resp := container.WaitResponse{StatusCode: int64(res.StatusCode)}
	if res.Error != "" {
		resp.Error = &container.WaitExitError{Message: res.Error}
	}
	return jsonEncode(w, resp)
}

func (s *Server) containerAttach(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	resp, err := s.eng.Inspect(r.Context(), id, false)
	if err != nil {
		return err
	}
	opts := engine.AttachOptions{
		Stdin:      boolParam(r, "stdin"),
		Stdout:     boolParam(r, "stdout"),
		Stderr:     boolParam(r, "stderr"),
		Logs:       boolParam(r, "logs"),
		Stream:     boolParam(r, "stream"),
		DetachKeys: r.URL.Query().Get("detachKeys"),
	}
	return serveStream(w, r, resp.Config.Tty, opts.Stdin, func(ctx context.Context, in io.Reader, out func(string, []byte) error) error {
		err := s.eng.Attach(ctx, id, opts, in, out)
		if errors.Is(err, engine.ErrDetached) {
			return nil
		}
		return err
	})
}

// watchClient reads a hijacked connection that carries no input, to notice
// a client that went away. A clean half-close (EOF) is not a departure:
// the client still reads the output.
func watchClient(in io.Reader, cancel context.CancelFunc) {
	buf := make([]byte, 512)
	for {
		if _, err := in.Read(buf); err != nil {
			if err != io.EOF {
				cancel()
			}
			return
		}
	}
}

func (s *Server) containerLogs(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	resp, err := s.eng.Inspect(r.Context(), id, false)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	since, err := engine.ParseTimeArg(q.Get("since"))
	if err != nil {
		return err
	}
	until, err := engine.ParseTimeArg(q.Get("until"))
	if err != nil {
		return err
	}
	opts := engine.LogsOptions{
		Stdout:     boolParam(r, "stdout"),
		Stderr:     boolParam(r, "stderr"),
		Follow:     boolParam(r, "follow"),
		Timestamps: boolParam(r, "timestamps"),
		Details:    boolParam(r, "details"),
		Since:      since,
		Until:      until,
		Tail:       q.Get("tail"),
	}
	if !opts.Stdout && !opts.Stderr {
		return invalidArg("Bad parameters: you must choose at least one stream")
	}
	tty := resp.Config.Tty
	if tty {
		w.Header().Set("Content-Type", "application/vnd.docker.raw-stream")
	} else {
		w.Header().Set("Content-Type", "application/vnd.docker.multiplexed-stream")
	}
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	rc.Flush()
	out := &muxWriter{w: flushWriter{w: w, rc: rc}, raw: tty}
	if err := s.eng.Logs(r.Context(), id, opts, out.write); err != nil {
		out.write("stderr", []byte("Error grabbing logs: "+err.Error()+"\n"))
	}
	return nil
}

func (s *Server) containerTop(w http.ResponseWriter, r *http.Request) error {
	resp, err := s.eng.Top(r.Context(), r.PathValue("id"), r.URL.Query().Get("ps_args"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, resp)
}
