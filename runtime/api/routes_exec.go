package api

import (
	"context"
	"io"
	"net/http"

	"github.com/moby/moby/api/types/container"

	"github.com/boxlab/boxlab/runtime/engine"
)

func (s *Server) routesExec() {
	s.handle("POST /containers/{id}/exec", s.execCreate)
	s.handle("POST /exec/{id}/start", s.execStart)
	s.handle("POST /exec/{id}/resize", s.execResize)
	s.handle("GET /exec/{id}/json", s.execInspect)
}

func (s *Server) execCreate(w http.ResponseWriter, r *http.Request) error {
	var req container.ExecCreateRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	id, err := s.eng.ExecCreate(r.Context(), r.PathValue("id"), req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, container.ExecCreateResponse{ID: id})
}

func (s *Server) execStart(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var req container.ExecStartRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	info, err := s.eng.ExecInspect(r.Context(), id)
	if err != nil {
		return err
	}
	opts := engine.ExecStartOptions{Detach: req.Detach, Tty: req.Tty, ConsoleSize: req.ConsoleSize}
	if req.Detach {
		if err := s.eng.ExecStart(r.Context(), id, opts, nil, nil); err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, struct{}{})
	}
	tty := req.Tty || info.ProcessConfig.Tty
	return serveStream(w, r, tty, info.OpenStdin, func(ctx context.Context, in io.Reader, out func(string, []byte) error) error {
		return s.eng.ExecStart(ctx, id, opts, in, out)
	})
}

func (s *Server) execResize(w http.ResponseWriter, r *http.Request) error {
	h, wd, err := sizeParams(r)
	if err != nil {
		return err
	}
	if err := s.eng.ExecResize(r.Context(), r.PathValue("id"), h, wd); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) execInspect(w http.ResponseWriter, r *http.Request) error {
	resp, err := s.eng.ExecInspect(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, resp)
}
