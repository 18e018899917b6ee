package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/containerd/errdefs"

	"github.com/boxlab/boxlab/runtime/engine"
	"github.com/boxlab/boxlab/runtime/image"
)

// APIVersion is the Engine API version boxlab advertises; MinAPIVersion the
// oldest it accepts.
const (
	APIVersion    = "1.47"
	MinAPIVersion = "1.24"
)

// maxJSONBody bounds request bodies that are decoded as JSON.
const maxJSONBody = 8 << 20

// Server is the Docker Engine API over one engine and its image store.
type Server struct {
	mux    *http.ServeMux
	log    *slog.Logger
	eng    *engine.Engine
	images *image.Store
}

// New returns a Server for eng.
func New(eng *engine.Engine, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{mux: http.NewServeMux(), log: log, eng: eng, images: eng.Images()}
	s.routesSystem()
	s.routesContainers()
	s.routesExec()
	s.routesImages()
	return s
}

var versionPrefix = regexp.MustCompile(`^/v([0-9]+\.[0-9]+)(/.*)$`)

// ServeHTTP strips an optional /vX.Y prefix, checks the version and routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if m := versionPrefix.FindStringSubmatch(r.URL.Path); m != nil {
		if versionLess(m[1], MinAPIVersion) {
			writeError(w, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("client version %s is too old. Minimum supported API version is %s, please upgrade your client to a newer version", m[1], MinAPIVersion)))
			return
		}
		if versionLess(APIVersion, m[1]) {
			writeError(w, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("client version %s is too new. Maximum supported API version is %s", m[1], APIVersion)))
			return
		}
		r.URL.Path = m[2]
		r.URL.RawPath = ""
	}
	w.Header().Set("Api-Version", APIVersion)
	w.Header().Set("Docker-Experimental", "false")
	w.Header().Set("Ostype", "linux")
	w.Header().Set("Server", "Docker/"+EngineVersion+" (linux)")
	s.log.Debug("api", "method", r.Method, "path", r.URL.Path)
	if _, pattern := s.mux.Handler(r); pattern == "" {
		// Docker answers unknown paths and methods alike with a JSON 404.
		writeError(w, errdefs.ErrNotFound.WithMessage("page not found"))
		return
	}
	s.mux.ServeHTTP(w, r)
}

// versionLess compares dotted API versions numerically.
func versionLess(a, b string) bool {
	var amaj, amin, bmaj, bmin int
	fmt.Sscanf(a, "%d.%d", &amaj, &amin)
	fmt.Sscanf(b, "%d.%d", &bmaj, &bmin)
	if amaj != bmaj {
		return amaj < bmaj
	}
	return amin < bmin
}

// handle registers a handler that returns an error mapped by writeError.
func (s *Server) handle(pattern string, h func(w http.ResponseWriter, r *http.Request) error) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		err := h(w, r)
		if err != nil {
			writeError(w, err)
		}
		s.log.Debug("api done", "method", r.Method, "path", r.URL.Path, "took", time.Since(start), "err", err)
	})
}

// decodeJSON reads a bounded JSON body into v. An empty body leaves v as is.
func decodeJSON(r *http.Request, v any) error {
	if r.Body == nil {
		return nil
	}
	body := http.MaxBytesReader(nil, r.Body, maxJSONBody)
	dec := json.NewDecoder(body)
	if err := dec.Decode(v); err != nil {
		if err == io.EOF {
			return nil
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errdefs.ErrInvalidArgument.WithMessage("request body is too large")
		}
		return errdefs.ErrInvalidArgument.WithMessage(strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

// writeJSON writes v with the given status.
func writeJSON(w http.ResponseWriter, code int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	return json.NewEncoder(w).Encode(v)
}

// jsonEncode writes v after the header was already sent.
func jsonEncode(w http.ResponseWriter, v any) error {
	return json.NewEncoder(w).Encode(v)
}
