package linux

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// rootfsLayers makes an image of n lower layers (the topmost holds "a") and
// a container layer; long (digest-like) names push the overlay options past
// a page.
func rootfsLayers(t *testing.T, n int, long bool) Rootfs {
	t.Helper()
	dir := t.TempDir()
	var r Rootfs
	for i := range n {
		name := fmt.Sprintf("layer%d", i)
		if long {
			name = fmt.Sprintf("%064d", i)
		}
		l := filepath.Join(dir, "layers", name)
		if err := os.MkdirAll(l, 0o755); err != nil {
			t.Fatal(err)
		}
		r.Lower = append(r.Lower, l)
	}
	if err := os.WriteFile(filepath.Join(r.Lower[0], "a"), []byte("from the image\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.Upper, r.Work, r.Target = filepath.Join(dir, "c", "upper"), filepath.Join(dir, "c", "work"), filepath.Join(dir, "c", "merged")
	for _, d := range []string{r.Upper, r.Work, r.Target} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// mountedAt reports whether the mount table a process or thread sees
// (a /proc/.../mountinfo file's bytes) has a mount at target.
func mountedAt(mountinfo []byte, target string) bool {
	for _, m := range parseMountinfo(mountinfo) {
		if m.point == target {
			return true
		}
	}
	return false
}

// The rootfs is mounted for fn alone: its own thread sees it, the rest of
// the engine (another thread, a child process) and the host never do, and
// writes land in the container's layer.
func TestWithRootfsIsPrivate(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting an overlay needs root")
	}
	for _, tc := range []struct {
		name   string
		layers int
		long   bool
	}{
		{"one layer", 1, false},
		{"options longer than a page", 40, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rootfsLayers(t, tc.layers, tc.long)
			wd, _ := os.Getwd()
			mounted := make(chan struct{})
			checked := make(chan struct{})
			errc := make(chan error, 1)
			go func() {
				errc <- WithRootfs(r, func(root string) error {
					if root != r.Target {
						return fmt.Errorf("fn got root %q, want %q", root, r.Target)
					}
					b, err := os.ReadFile(filepath.Join(root, "a"))
					if err != nil || string(b) != "from the image\n" {
						return fmt.Errorf("image file through the mount: %q, %v", b, err)
					}
					if err := os.WriteFile(filepath.Join(root, "new"), []byte("copied in\n"), 0o644); err != nil {
						return err
					}
					own, err := os.ReadFile("/proc/thread-self/mountinfo")
					if err != nil {
						return err
					}
					if !mountedAt(own, r.Target) {
						return errors.New("fn's own thread does not see the mount")
					}
					close(mounted)
					<-checked
					return nil
				})
			}()
			select {
			case <-mounted:
			case err := <-errc:
				t.Fatalf("WithRootfs returned before fn saw its mount: %v", err)
			}
			runtime.LockOSThread() // a thread other than fn's, for the whole check
			for _, f := range []string{"/proc/thread-self/mountinfo", "/proc/self/mountinfo", "/proc/1/mountinfo"} {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if mountedAt(b, r.Target) {
					t.Errorf("%s shows the container's rootfs while fn runs", f)
				}
			}
			out, err := exec.Command("cat", "/proc/self/mountinfo").Output()
			if err != nil {
				t.Fatal(err)
			}
			if mountedAt(out, r.Target) {
				t.Error("a child process sees the container's rootfs while fn runs")
			}
			if now, _ := os.Getwd(); now != wd {
				t.Errorf("the process's working directory changed to %s", now)
			}
			runtime.UnlockOSThread()
			close(checked)
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			if b, err := os.ReadFile(filepath.Join(r.Upper, "new")); err != nil || string(b) != "copied in\n" {
				t.Errorf("write did not land in the container's layer: %q, %v", b, err)
			}
			if ents, _ := os.ReadDir(r.Target); len(ents) != 0 {
				t.Errorf("mount target not empty after WithRootfs: %v", ents)
			}
			b, _ := os.ReadFile("/proc/self/mountinfo")
			if mountedAt(b, r.Target) {
				t.Error("rootfs still mounted after WithRootfs")
			}
		})
	}
}

// fn never runs on the main thread: Go cannot end that thread, and its
// mount namespace is the one /proc/PID/mountinfo shows for the engine.
// Repeated, because which thread a goroutine lands on is up to the
// scheduler (the main one is often idle in tests).
func TestWithRootfsAvoidsMainThread(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting an overlay needs root")
	}
	r := rootfsLayers(t, 1, false)
	for i := range 50 {
		err := WithRootfs(r, func(root string) error {
			if unix.Gettid() == unix.Getpid() {
				return errors.New("fn runs on the main thread")
			}
			b, err := os.ReadFile("/proc/self/mountinfo")
			if err != nil {
				return err
			}
			if mountedAt(b, root) {
				return errors.New("/proc/self/mountinfo shows the rootfs")
			}
			return nil
		})
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
}

// fn's error is returned; a panic in fn is raised in the caller once the
// rootfs is unmounted, so an HTTP handler's recovery still sees it.
func TestWithRootfsErrorsAndPanics(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting an overlay needs root")
	}
	r := rootfsLayers(t, 1, false)
	want := errors.New("from fn")
	if err := WithRootfs(r, func(string) error { return want }); err != want {
		t.Errorf("got %v, want fn's error", err)
	}
	func() {
		defer func() {
			if v := recover(); v != "boom" {
				t.Errorf("recovered %v, want fn's panic", v)
			}
		}()
		WithRootfs(r, func(string) error { panic("boom") })
		t.Error("WithRootfs returned after fn panicked")
	}()
	if ents, _ := os.ReadDir(r.Target); len(ents) != 0 {
		t.Errorf("rootfs left mounted after a panic: %v", ents)
	}
	bad := r
	bad.Upper = filepath.Join(t.TempDir(), "missing")
	called := false
	if err := WithRootfs(bad, func(string) error { called = true; return nil }); err == nil || called {
		t.Errorf("mount of a missing upper dir: err %v, fn called %v", err, called)
	}
}
