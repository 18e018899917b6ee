package api

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/moby/api/types/container"
	imagetypes "github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/storage"

	"github.com/boxlab/boxlab/runtime/image"
)

// routesImages registers the /images endpoints. Image names contain
// slashes ("boxlab/base"), so per-image routes take the rest of the path
// and split off the action suffix.
func (s *Server) routesImages() {
	s.handle("GET /images/json", s.imageList)
	s.handle("GET /images/get", s.imageSave)
	s.handle("POST /images/load", s.imageLoad)
	s.handle("POST /images/create", s.imageCreate)
	s.handle("GET /images/{rest...}", s.imageGet)
	s.handle("POST /images/{rest...}", s.imagePost)
	s.handle("DELETE /images/{rest...}", s.imageDelete)
}

// errPageNotFound is Docker's answer for a path it has no route for.
var errPageNotFound = errdefs.ErrNotFound.WithMessage("page not found")

// imageAction splits "/images/{name}/{action}" with a name that may
// contain slashes.
func imageAction(r *http.Request, actions ...string) (name, action string, ok bool) {
	rest := r.PathValue("rest")
	for _, a := range actions {
		if n, found := strings.CutSuffix(rest, "/"+a); found && n != "" {
			return n, a, true
		}
	}
	return "", "", false
}

func (s *Server) imageGet(w http.ResponseWriter, r *http.Request) error {
	name, action, ok := imageAction(r, "json", "history", "get")
	if !ok {
		return errPageNotFound
	}
	switch action {
	case "json":
		return s.imageInspect(w, name)
	case "history":
		h, err := s.images.History(name)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, h)
	default:
		return s.save(w, []string{name})
	}
}

func (s *Server) imagePost(w http.ResponseWriter, r *http.Request) error {
	name, _, ok := imageAction(r, "tag")
	if !ok {
		return errPageNotFound
	}
	q := r.URL.Query()
	if q.Get("repo") == "" {
		return invalidArg("repository name must have at least one component")
	}
	if err := s.images.Tag(name, q.Get("repo"), q.Get("tag")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (s *Server) imageDelete(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("rest")
	if strings.TrimSpace(name) == "" {
		return invalidArg("image name cannot be blank")
	}
	records, err := s.images.Delete(name, boolParam(r, "force"), !boolParam(r, "noprune"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, records)
}

func (s *Server) imageList(w http.ResponseWriter, r *http.Request) error {
	f, err := parseFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	// Old clients send the reference filter as ?filter=.
	if v := r.URL.Query().Get("filter"); v != "" {
		f["reference"] = append(f["reference"], v)
	}
	sums, err := s.images.Summaries(image.ListOptions{
		All:        boolParam(r, "all"),
		Filters:    f,
		SharedSize: boolParam(r, "shared-size"),
	})
	if err != nil {
		return err
	}
	// Docker counts containers per image only for API 1.51 and newer; the
	// store's counts serve `system df`.
	for i := range sums {
		sums[i].Containers = -1
	}
	return writeJSON(w, http.StatusOK, sums)
}

// imageInspectResponse is GET /images/{name}/json in the shape of API 1.47
// (Docker 27): the moby api module of this version dropped Parent and
// DockerVersion, which 1.47 still sends, and API 1.49 and older send the
// image config as a container config with every legacy field (Hostname,
// AttachStdin, ...), so the reply is declared here with Docker's field
// order, reusing the module's types for the parts.
type imageInspectResponse struct {
	ID            string `json:"Id"`
	RepoTags      []string
	RepoDigests   []string
	Parent        string
	Comment       string
	Created       string `json:",omitempty"`
	DockerVersion string
	Author        string
	Config        *container.Config
	Architecture  string
	Variant       string `json:",omitempty"`
	Os            string
	OsVersion     string `json:",omitempty"`
	Size          int64
	GraphDriver   storage.DriverData
	RootFS        imagetypes.RootFS
	Metadata      imagetypes.Metadata
}

func (s *Server) imageInspect(w http.ResponseWriter, name string) error {
	img, err := s.images.Get(name)
	if err != nil {
		return err
	}
	dirs, err := s.images.Layers(img)
	if err != nil {
		return err
	}
	c := img.Config
	resp := imageInspectResponse{
		ID:            img.ID,
		RepoTags:      img.RepoTags,
		RepoDigests:   img.RepoDigests,
		Parent:        img.Parent,
		Comment:       img.Comment,
		DockerVersion: img.DockerVersion,
		Author:        c.Author,
		Config:        legacyImageConfig(c.Config),
		Architecture:  c.Architecture,
		Variant:       c.Variant,
		Os:            c.OS,
		OsVersion:     c.OSVersion,
		Size:          img.Size,
		GraphDriver:   storage.DriverData{Name: "overlay2", Data: map[string]string{}},
		RootFS:        imagetypes.RootFS{Type: c.RootFS.Type},
		Metadata:      imagetypes.Metadata{LastTagTime: img.LastTagTime},
	}
	if c.Created != nil {
		resp.Created = c.Created.Format(time.RFC3339Nano)
	}
	for _, d := range c.RootFS.DiffIDs {
		resp.RootFS.Layers = append(resp.RootFS.Layers, d.String())
	}
	if len(dirs) > 0 {
		top := filepath.Dir(dirs[0])
		resp.GraphDriver.Data["UpperDir"] = dirs[0]
		resp.GraphDriver.Data["MergedDir"] = filepath.Join(top, "merged")
		resp.GraphDriver.Data["WorkDir"] = filepath.Join(top, "work")
		if len(dirs) > 1 {
			resp.GraphDriver.Data["LowerDir"] = strings.Join(dirs[1:], ":")
		}
	}
	return writeJSON(w, http.StatusOK, resp)
}

// legacyImageConfig converts an image config to the container config API
// 1.49 and older report it as.
func legacyImageConfig(c dockerspec.DockerOCIImageConfig) *container.Config {
	cfg := &container.Config{
		User:        c.User,
		Env:         c.Env,
		Cmd:         c.Cmd,
		Healthcheck: c.Healthcheck,
		ArgsEscaped: c.ArgsEscaped,
		Volumes:     c.Volumes,
		WorkingDir:  c.WorkingDir,
		Entrypoint:  c.Entrypoint,
		OnBuild:     c.OnBuild,
		Labels:      c.Labels,
		StopSignal:  c.StopSignal,
		Shell:       c.Shell,
	}
	for p := range c.ExposedPorts {
		if port, err := network.ParsePort(p); err == nil {
			if cfg.ExposedPorts == nil {
				cfg.ExposedPorts = network.PortSet{}
			}
			cfg.ExposedPorts[port] = struct{}{}
		}
	}
	return cfg
}

func (s *Server) imageSave(w http.ResponseWriter, r *http.Request) error {
	return s.save(w, r.URL.Query()["names"])
}

// save streams a docker-archive; errors found before the first byte are
// answered as errors, later ones can only cut the stream.
func (s *Server) save(w http.ResponseWriter, names []string) error {
	w.Header().Set("Content-Type", "application/x-tar")
	tw := &trackingWriter{w: w}
	if err := s.images.Save(tw, names); err != nil {
		if !tw.wrote {
			return err
		}
		// Docker appends the error to the stream it already started.
		data, _ := json.Marshal(streamError{Detail: jsonstream.Error{Message: err.Error()}, Message: err.Error()})
		w.Write(append(data, '\r', '\n'))
	}
	return nil
}

type trackingWriter struct {
	w     io.Writer
	wrote bool
}

func (t *trackingWriter) Write(p []byte) (int, error) {
	t.wrote = true
	return t.w.Write(p)
}

// streamWriter writes Docker's JSON progress stream, one message per line
// ("\r\n" as Docker's stream formatter ends them), flushed as it goes.
type streamWriter struct {
	mu sync.Mutex
	w  io.Writer
	rc *http.ResponseController
}

func newStreamWriter(w http.ResponseWriter) *streamWriter {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	return &streamWriter{w: w, rc: http.NewResponseController(w)}
}

func (sw *streamWriter) send(v any) {
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	sw.mu.Lock()
	defer sw.mu.Unlock()
	sw.w.Write(append(data, '\r', '\n'))
	sw.rc.Flush()
}

// streamError is Docker's error message in a JSON stream; it keeps the
// deprecated "error" string that clients still read next to errorDetail.
type streamError struct {
	Detail  jsonstream.Error `json:"errorDetail"`
	Message string           `json:"error"`
}

func (sw *streamWriter) fail(err error) {
	sw.send(streamError{Detail: jsonstream.Error{Message: err.Error()}, Message: err.Error()})
}

func (s *Server) imageLoad(w http.ResponseWriter, r *http.Request) error {
	// Progress goes out while the archive still comes in.
	_ = http.NewResponseController(w).EnableFullDuplex()
	sw := newStreamWriter(w)
	var opts []image.LoadOption
	// Docker is quiet unless the client says quiet=0 (the CLI always says).
	if r.URL.Query().Has("quiet") && !boolParam(r, "quiet") {
		var last time.Time
		opts = append(opts, image.WithLoadProgress(func(p image.LoadProgress) {
			// One message per 100ms per layer, and the last one, like Docker's throttled progress.
			if now := time.Now(); p.Current == p.Total || now.Sub(last) >= 100*time.Millisecond {
				last = now
				sw.send(jsonstream.Message{Status: "Loading layer", Progress: &jsonstream.Progress{Current: p.Current, Total: p.Total}, ID: p.ID})
			}
		}))
	}
	lines, err := s.images.Load(r.Body, opts...)
	if err != nil {
		sw.fail(err)
		return nil
	}
	for _, l := range lines {
		sw.send(jsonstream.Message{Stream: l + "\n"})
	}
	return nil
}

// imageCreate is POST /images/create: `docker pull` (fromImage) and
// `docker import` (fromSrc).
func (s *Server) imageCreate(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if q.Get("fromSrc") != "" {
		return image.ErrImportUnsupported
	}
	if q.Get("fromImage") == "" {
		return invalidArg("fromImage or fromSrc is required")
	}
	// `docker pull -a` may send the name with a trailing ":".
	ref, err := image.PullReference(strings.TrimSuffix(q.Get("fromImage"), ":"), q.Get("tag"))
	if err != nil {
		return err
	}
	if reference.FamiliarName(ref) == "scratch" {
		return errdefs.ErrPermissionDenied.WithMessage("'scratch' is a reserved name")
	}
	return s.images.Pull(r.Context(), ref)
}
