package lean

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrUnsupportedArch is returned on a GOARCH without an embedded toolbox.
var ErrUnsupportedArch = errors.New("boxlab has no embedded toolbox for this CPU architecture")

// Toolbox returns the embedded static toolbox binary for this GOARCH.
func Toolbox() ([]byte, error) {
	if len(toolbox) == 0 {
		return nil, ErrUnsupportedArch
	}
	return toolbox, nil
}

// Digest is the hex sha256 of the embedded toolbox ("" when there is none).
func Digest() string {
	if len(toolbox) == 0 {
		return ""
	}
	sum := sha256.Sum256(toolbox)
	return hex.EncodeToString(sum[:])
}

// Install writes the toolbox once into dir as boxlab-toolbox-<digest prefix>
// (atomically, mode 0755) and returns its path. A present file is reused.
func Install(dir string) (string, error) {
	bin, err := Toolbox()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "boxlab-toolbox-"+Digest()[:16])
	if st, err := os.Stat(path); err == nil && st.Size() == int64(len(bin)) {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("install toolbox: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".toolbox-*")
	if err != nil {
		return "", fmt.Errorf("install toolbox: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(bin); err != nil {
		tmp.Close()
		return "", fmt.Errorf("install toolbox: %w", err)
	}
	if err := tmp.Chmod(0o755); err != nil {
		tmp.Close()
		return "", fmt.Errorf("install toolbox: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("install toolbox: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("install toolbox: %w", err)
	}
	return path, nil
}
