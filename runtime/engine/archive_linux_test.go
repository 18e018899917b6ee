package engine_test

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"

	"github.com/boxlab/boxlab/runtime/engine"
)

// cpEngine is an engine of its own for a docker cp test, closed at the end.
func cpEngine(t *testing.T) *engine.Engine {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("real containers need root")
	}
	e, err := engine.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func cpCreate(t *testing.T, e *engine.Engine, hc *container.HostConfig, user string, cmd ...string) string {
	t.Helper()
	resp, err := e.Create(context.Background(), engine.CreateRequest{
		Config:     &container.Config{Image: "boxlab/base", Cmd: cmd, User: user},
		HostConfig: hc,
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.ID
}

func cpWait(t *testing.T, e *engine.Engine, id string) {
	t.Helper()
	wait, err := e.WaitFor(id, container.WaitConditionNotRunning)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := wait(ctx); err != nil {
		t.Fatal(err)
	}
}

func cpLogs(t *testing.T, e *engine.Engine, id string) string {
	t.Helper()
	var b bytes.Buffer
	err := e.Logs(context.Background(), id, engine.LogsOptions{Stdout: true, Stderr: true}, func(_ string, p []byte) error {
		b.Write(p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func oneFileTar(t *testing.T, name, body string) io.Reader {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg, ModTime: time.Now()}); err != nil {
		t.Fatal(err)
	}
	io.WriteString(tw, body)
	tw.Close()
	return &b
}

// get returns the archive entries (name → header) and file contents.
func get(t *testing.T, e *engine.Engine, id, path string) (map[string]*tar.Header, map[string]string, container.PathStat) {
	t.Helper()
	var b bytes.Buffer
	var st container.PathStat
	if err := e.ArchiveGet(context.Background(), id, path, &b, func(s container.PathStat) { st = s }); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	hdrs, bodies := map[string]*tar.Header{}, map[string]string{}
	tr := tar.NewReader(&b)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return hdrs, bodies, st
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		hdrs[h.Name], bodies[h.Name] = h, string(body)
	}
}

func mountedOnHost(t *testing.T, dir string) bool {
	t.Helper()
	for _, f := range []string{"/proc/self/mountinfo", "/proc/thread-self/mountinfo", "/proc/1/mountinfo"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), dir) {
			return true
		}
	}
	return false
}

// A file copied into a container that never ran is there when it starts;
// the rootfs is never mounted where the host could see it; docker cp's
// events are emitted.
func TestArchiveStoppedContainer(t *testing.T) {
	e := cpEngine(t)
	ctx := context.Background()
	evs, cancel := e.Subscribe(ctx, time.Now(), time.Time{})
	defer cancel()
	id := cpCreate(t, e, nil, "", "cat", "/hello.txt")
	merged := filepath.Join(e.Root(), "containers", id, "fs", "merged")

	if err := e.ArchivePut(ctx, id, "/", oneFileTar(t, "hello.txt", "hello from the host\n"), engine.ArchivePutOptions{NoOverwriteDirNonDir: true}); err != nil {
		t.Fatal(err)
	}
	st, err := e.ArchiveStat(ctx, id[:12], "/hello.txt")
	if err != nil || st.Name != "hello.txt" || st.Size != 20 {
		t.Errorf("stat after PUT: %+v, %v", st, err)
	}
	// While a GET streams, the host's mount tables do not have the rootfs.
	bw := &blockingWriter{started: make(chan struct{}), release: make(chan struct{})}
	errc := make(chan error, 1)
	go func() {
		errc <- e.ArchiveGet(ctx, id, "/etc", bw, func(container.PathStat) {})
	}()
	<-bw.started
	if mountedOnHost(t, merged) {
		t.Error("the stopped container's rootfs is in a host mount table during a copy")
	}
	close(bw.release)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(bw.buf.String(), "etc/passwd") {
		t.Error("archive of /etc has no etc/passwd")
	}
	if ents, _ := os.ReadDir(merged); len(ents) != 0 || mountedOnHost(t, merged) {
		t.Errorf("rootfs left mounted: %v", ents)
	}

	if err := e.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	cpWait(t, e, id)
	if got := cpLogs(t, e, id); got != "hello from the host\n" {
		t.Errorf("container printed %q", got)
	}

	// The exited container can be copied from, too.
	_, bodies, _ := get(t, e, id, "/hello.txt")
	if bodies["hello.txt"] != "hello from the host\n" {
		t.Errorf("GET from the exited container: %q", bodies)
	}

	var got []events.Action
	timeout := time.After(5 * time.Second)
	for len(got) < 6 {
		select {
		case ev := <-evs:
			if ev.Action == events.ActionArchivePath || ev.Action == events.ActionExtractToDir {
				if ev.Actor.ID != id || ev.Actor.Attributes["image"] != "boxlab/base" {
					t.Errorf("event %+v", ev)
				}
			}
			got = append(got, ev.Action)
		case <-timeout:
			t.Fatalf("events so far: %v", got)
		}
	}
	want := []events.Action{events.ActionCreate, events.ActionExtractToDir, events.ActionArchivePath, events.ActionStart, events.ActionDie, events.ActionArchivePath}
	if strings.Join(actions(got), " ") != strings.Join(actions(want), " ") {
		t.Errorf("events %v, want %v", got, want)
	}
}

func actions(a []events.Action) []string {
	var out []string
	for _, x := range a {
		out = append(out, string(x))
	}
	return out
}

// blockingWriter blocks its first write until released.
type blockingWriter struct {
	buf     bytes.Buffer
	once    sync.Once
	started chan struct{}
	release chan struct{}
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	w.once.Do(func() {
		close(w.started)
		<-w.release
	})
	return w.buf.Write(p)
}

// A copy of a running container goes through its process's root: its
// mounts (the /etc files Docker bind-mounts) are seen, kernel file systems
// are neither listed nor writable, and files copied in are seen at once.
func TestArchiveRunningContainer(t *testing.T) {
	e := cpEngine(t)
	ctx := context.Background()
	id := cpCreate(t, e, nil, "", "sh", "-c", "echo hi > /tmp/mine; while [ ! -f /tmp/in ]; do sleep 0.05; done; cat /tmp/in")
	if err := e.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := e.ArchiveStat(ctx, id, "/tmp/mine"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the container's /tmp/mine never appeared")
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, bodies, _ := get(t, e, id, "/tmp/mine")
	if bodies["mine"] != "hi\n" {
		t.Errorf("GET /tmp/mine: %q", bodies)
	}

	hdrs, bodies, st := get(t, e, id, "/")
	if st.Name != "/" || !st.Mode.IsDir() {
		t.Errorf("stat of /: %+v", st)
	}
	insp, err := e.Inspect(ctx, id, false)
	if err != nil {
		t.Fatal(err)
	}
	if bodies["/etc/hostname"] != insp.Config.Hostname+"\n" {
		t.Errorf("/etc/hostname in the archive: %q, want the container's", bodies["/etc/hostname"])
	}
	for _, dir := range []string{"/proc/", "/sys/", "/dev/pts/"} {
		if hdrs[dir] == nil {
			t.Errorf("archive of / lacks %s", dir)
		}
	}
	for name := range hdrs {
		if strings.HasPrefix(name, "/proc/") && name != "/proc/" || strings.HasPrefix(name, "/sys/") && name != "/sys/" {
			t.Errorf("archive of / lists kernel file system entry %s", name)
			break
		}
	}
	if _, err := e.ArchiveStat(ctx, id, "/proc/1/status"); !errdefs.IsNotFound(err) || err.Error() != "Could not find the file /proc/1/status in container "+id {
		t.Errorf("stat of /proc/1/status: %v", err)
	}
	if err := e.ArchivePut(ctx, id, "/proc/sys", oneFileTar(t, "x", "x"), engine.ArchivePutOptions{}); !errdefs.IsInvalidArgument(err) {
		t.Errorf("PUT into /proc/sys: %v", err)
	}

	if err := e.ArchivePut(ctx, id, "/tmp", oneFileTar(t, "in", "copied while running\n"), engine.ArchivePutOptions{}); err != nil {
		t.Fatal(err)
	}
	cpWait(t, e, id)
	if got := cpLogs(t, e, id); got != "copied while running\n" {
		t.Errorf("container printed %q", got)
	}
}

// Docker's errors, with the names the client used.
func TestArchiveErrors(t *testing.T) {
	e := cpEngine(t)
	ctx := context.Background()
	id := cpCreate(t, e, nil, "", "true")
	ro := cpCreate(t, e, &container.HostConfig{ReadonlyRootfs: true}, "", "sleep", "100")
	tests := []struct {
		name string
		err  error
		is   func(error) bool
		msg  string
	}{
		{"stat missing", stat(e, id[:10], "/nosuch"), errdefs.IsNotFound, "Could not find the file /nosuch in container " + id[:10]},
		{"get missing", getErr(e, id, "/nosuch/x"), errdefs.IsNotFound, "Could not find the file /nosuch/x in container " + id},
		{"put missing", put(e, id, "/nosuch", engine.ArchivePutOptions{}), errdefs.IsNotFound, "Could not find the file /nosuch in container " + id},
		{"put into a file", put(e, id, "/etc/passwd", engine.ArchivePutOptions{}), errdefs.IsInvalidArgument, "extraction point is not a directory"},
		{"stat through a file", stat(e, id, "/etc/passwd/"), func(err error) bool { return err != nil }, "lstat /etc/passwd/: not a directory"},
		{"no such container", stat(e, "nosuchcontainer", "/"), errdefs.IsNotFound, "No such container: nosuchcontainer"},
		{"read-only rootfs", put(e, ro, "/tmp", engine.ArchivePutOptions{}), errdefs.IsInvalidArgument, "container rootfs is marked read-only"},
		{"dir over file", putTar(e, id, "/", oneFileTar(t, "etc", "x"), engine.ArchivePutOptions{NoOverwriteDirNonDir: true}), func(err error) bool { return err != nil }, `cannot overwrite directory "etc" with non-directory "/"`},
		{"tar slip", putTar(e, id, "/tmp", oneFileTar(t, "../etc/evil", "x"), engine.ArchivePutOptions{}), func(err error) bool { return err != nil }, `invalid entry name "../etc/evil"`},
	}
	for _, tt := range tests {
		if tt.err == nil || !tt.is(tt.err) || tt.err.Error() != tt.msg {
			t.Errorf("%s: got %v, want %q", tt.name, tt.err, tt.msg)
		}
	}
	if err := e.Start(ctx, ro); err != nil {
		t.Fatal(err)
	}
	if err := put(e, ro, "/tmp", engine.ArchivePutOptions{}); !errdefs.IsInvalidArgument(err) {
		t.Errorf("running read-only container: %v", err)
	}
}

func stat(e *engine.Engine, id, p string) error {
	_, err := e.ArchiveStat(context.Background(), id, p)
	return err
}

func getErr(e *engine.Engine, id, p string) error {
	return e.ArchiveGet(context.Background(), id, p, io.Discard, func(container.PathStat) {})
}

func put(e *engine.Engine, id, p string, opts engine.ArchivePutOptions) error {
	return putTar(e, id, p, strings.NewReader(""), opts)
}

func putTar(e *engine.Engine, id, p string, r io.Reader, opts engine.ArchivePutOptions) error {
	return e.ArchivePut(context.Background(), id, p, r, opts)
}

// docker cp -a: the container's user owns what is copied in.
func TestArchiveCopyUIDGID(t *testing.T) {
	e := cpEngine(t)
	ctx := context.Background()
	id := cpCreate(t, e, nil, "4242:4343", "true")
	if err := e.ArchivePut(ctx, id, "/tmp", oneFileTar(t, "owned", "x"), engine.ArchivePutOptions{CopyUIDGID: true}); err != nil {
		t.Fatal(err)
	}
	if err := e.ArchivePut(ctx, id, "/tmp", oneFileTar(t, "plain", "x"), engine.ArchivePutOptions{}); err != nil {
		t.Fatal(err)
	}
	hdrs, _, _ := get(t, e, id, "/tmp")
	if h := hdrs["tmp/owned"]; h == nil || h.Uid != 4242 || h.Gid != 4343 {
		t.Errorf("copyUIDGID: %+v", h)
	}
	if h := hdrs["tmp/plain"]; h == nil || h.Uid != 0 || h.Gid != 0 {
		t.Errorf("without copyUIDGID: %+v", h)
	}
	named := cpCreate(t, e, nil, "nosuchuser", "true")
	err := e.ArchivePut(ctx, named, "/tmp", oneFileTar(t, "x", "x"), engine.ArchivePutOptions{CopyUIDGID: true})
	if !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), `failed to look up user "nosuchuser" in container`) {
		t.Errorf("unknown container user: %v", err)
	}
}

// A start waits for a copy into the stopped container to end (its overlay
// must not be mounted twice) and a copy holds no lock others need.
func TestArchiveStartWaitsForCopy(t *testing.T) {
	e := cpEngine(t)
	ctx := context.Background()
	id := cpCreate(t, e, nil, "", "cat", "/etc/hostname")
	bw := &blockingWriter{started: make(chan struct{}), release: make(chan struct{})}
	getErrc := make(chan error, 1)
	go func() { getErrc <- e.ArchiveGet(ctx, id, "/etc", bw, func(container.PathStat) {}) }()
	<-bw.started
	if _, err := e.Inspect(ctx, id, false); err != nil {
		t.Fatal(err)
	}
	startErrc := make(chan error, 1)
	go func() { startErrc <- e.Start(ctx, id) }()
	select {
	case err := <-startErrc:
		t.Fatalf("start did not wait for the copy: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(bw.release)
	if err := <-getErrc; err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-startErrc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("start never happened after the copy")
	}
	cpWait(t, e, id)
	if got := cpLogs(t, e, id); got == "" {
		t.Error("container printed nothing")
	}
	// Copies of one stopped container run one after the other.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := e.ArchivePut(ctx, id, "/tmp", oneFileTar(t, "same", "x"), engine.ArchivePutOptions{}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
