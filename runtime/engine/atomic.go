package engine

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// writeJSONAtomic writes v to path so an engine crash leaves either the old
// or the new file, never a torn one: temp file in the same dir, then
// rename. There is no fsync: container state is consistent after a crash
// of the engine (what kill -9 does), and a power loss may lose the last
// transitions, as it may with Docker; a state write on every transition
// of every container cannot pay a disk flush.
func writeJSONAtomic(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, b, 0o600)
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
