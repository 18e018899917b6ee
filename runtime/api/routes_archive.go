package api

import (
	"compress/flate"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/container"

	"github.com/boxlab/boxlab/runtime/engine"
)

// The archive routes are docker cp: HEAD stats a path in a container, GET
// downloads it as a tar archive, PUT extracts a tar archive into a
// directory.

// archivePath is the required path query parameter, with Docker's
// (misspelt) error when it is missing.
func archivePath(r *http.Request) (string, error) {
	p := r.URL.Query().Get("path")
	if p == "" {
		return "", invalidArg("bad parameter: pathcannot be empty")
	}
	return p, nil
}

// setPathStat sends a path's stat as Docker does: base64 of its JSON in
// the X-Docker-Container-Path-Stat header.
func setPathStat(h http.Header, st container.PathStat) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	h.Set("X-Docker-Container-Path-Stat", base64.StdEncoding.EncodeToString(b))
	return nil
}

func (s *Server) containerArchiveHead(w http.ResponseWriter, r *http.Request) error {
	p, err := archivePath(r)
	if err != nil {
		return err
	}
	st, err := s.eng.ArchiveStat(r.Context(), r.PathValue("id"), p)
	if err != nil {
		return err
	}
	if err := setPathStat(w.Header(), st); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) containerArchiveGet(w http.ResponseWriter, r *http.Request) error {
	p, err := archivePath(r)
	if err != nil {
		return err
	}
	out := &switchWriter{w: w}
	var compressor io.WriteCloser
	var headerErr error
	sent := false
	err = s.eng.ArchiveGet(r.Context(), r.PathValue("id"), p, out, func(st container.PathStat) {
		if headerErr = setPathStat(w.Header(), st); headerErr != nil {
			return
		}
		w.Header().Set("Content-Type", "application/x-tar")
		// Docker compresses what the client accepts (Go's HTTP client,
		// so the docker CLI, asks for gzip and undoes it unseen).
		switch negotiateEncoding(r.Header.Get("Accept-Encoding")) {
		case "gzip":
			compressor = gzip.NewWriter(w)
			w.Header().Set("Content-Encoding", "gzip")
		case "deflate":
			compressor, _ = flate.NewWriter(w, flate.DefaultCompression)
			w.Header().Set("Content-Encoding", "deflate")
		}
		if compressor != nil {
			out.w = compressor
		}
		w.WriteHeader(http.StatusOK)
		sent = true
	})
	if headerErr != nil {
		return headerErr
	}
	if !sent {
		return err
	}
	if err == nil && compressor != nil {
		err = compressor.Close()
	}
	if err != nil {
		// The status is sent: cut the stream so the client sees it
		// broken rather than a short archive.
		s.log.Debug("archive stream", "path", r.URL.Path, "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

// switchWriter writes to w, which may change before the first write.
type switchWriter struct{ w io.Writer }

func (s *switchWriter) Write(p []byte) (int, error) { return s.w.Write(p) }

// negotiateEncoding picks gzip or deflate from an Accept-Encoding header
// as Docker does: the offer with the highest quality (gzip first on a
// tie), "identity" when none is asked for, "" when the best has q=0.
func negotiateEncoding(accept string) string {
	best, bestQ := "identity", -1.0
	for _, offer := range []string{"gzip", "deflate"} {
		for _, spec := range strings.Split(accept, ",") {
			value, params, _ := strings.Cut(spec, ";")
			value = strings.ToLower(strings.TrimSpace(value))
			if value == "" {
				continue
			}
			q := 1.0
			for _, param := range strings.Split(params, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(param), "=")
				if ok && strings.TrimSpace(k) == "q" {
					if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
						q = f
					}
				}
			}
			if q > bestQ && (value == "*" || value == offer) {
				best, bestQ = offer, q
			}
		}
	}
	if bestQ == 0 {
		return ""
	}
	return best
}

func (s *Server) containerArchivePut(w http.ResponseWriter, r *http.Request) error {
	p, err := archivePath(r)
	if err != nil {
		return err
	}
	opts := engine.ArchivePutOptions{
		NoOverwriteDirNonDir: boolParam(r, "noOverwriteDirNonDir"),
		CopyUIDGID:           boolParam(r, "copyUIDGID"),
	}
	if err := s.eng.ArchivePut(r.Context(), r.PathValue("id"), p, r.Body, opts); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
