package linux

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// hostState is what a container could leave behind on the host.
type hostState struct {
	mounts   string
	fds      []string
	children []int
	cgroups  []string
}

func snapshot(t *testing.T) hostState {
	t.Helper()
	var s hostState
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	// Only mounts of this test's directories can be ours (other programs,
	// such as a Docker engine, may mount things meanwhile).
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, filepath.Dir(t.TempDir())) || strings.Contains(l, filepath.Dir(fixture.lower)) {
			s.mounts += l + "\n"
		}
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		target, _ := os.Readlink("/proc/self/fd/" + fd.Name())
		s.fds = append(s.fds, fd.Name()+" "+target)
	}
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + p.Name() + "/stat")
		if err != nil {
			continue
		}
		i := strings.LastIndexByte(string(stat), ')')
		f := strings.Fields(string(stat[i+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(os.Getpid()) {
			s.children = append(s.children, pid)
		}
	}
	_, hs, err := hostHierarchies()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		filepath.WalkDir(filepath.Join(h.mount, h.own, cgroupParent), func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				s.cgroups = append(s.cgroups, p)
			}
			return nil
		})
	}
	return s
}

// Containers leave nothing behind: no mounts, processes, descriptors or
// cgroups, however they ended.
func TestNoLeaks(t *testing.T) {
	needRoot(t)
	runOne := func(i int) {
		spec := newSpec(t, "true")
		switch i % 5 {
		case 1:
			spec.Tty = true
		case 2:
			spec.Args = []string{"nosuch"} // fails to start
		case 3:
			spec.Init = true
			spec.Stdin = true
		case 4:
			spec.Args = []string{"sleep", "1h"}
		}
		p, err := Start(spec, nil)
		if err != nil {
			return
		}
		if i%5 == 4 {
			x, err := Exec(fixture.probe, p.Pid, &ExecSpec{Args: []string{"true"}, Env: spec.Env, Tty: i%2 == 0})
			if err != nil {
				t.Fatal(err)
			}
			collect(t, x)
			if _, err := Exec(fixture.probe, p.Pid, &ExecSpec{Args: []string{"nosuch"}, Env: spec.Env}); err == nil {
				t.Fatal("exec of nosuch worked")
			}
			p.Signal(syscall.SIGKILL)
		}
		if p.Stdin != nil {
			p.Stdin.Close()
		}
		collect(t, p)
	}
	runOne(4) // let the Go runtime and the package set up what they keep
	before := snapshot(t)
	for i := range 50 {
		runOne(i)
	}
	after := snapshot(t)
	if before.mounts != after.mounts {
		t.Errorf("mounts changed:\n%s\nnow:\n%s", before.mounts, after.mounts)
	}
	if !slices.Equal(before.fds, after.fds) {
		t.Errorf("descriptors changed:\n%s\nnow:\n%s", strings.Join(before.fds, "\n"), strings.Join(after.fds, "\n"))
	}
	if len(after.children) != 0 {
		t.Errorf("processes left: %v", after.children)
	}
	if !slices.Equal(before.cgroups, after.cgroups) {
		t.Errorf("cgroups changed:\n%s\nnow:\n%s", strings.Join(before.cgroups, "\n"), strings.Join(after.cgroups, "\n"))
	}
	for _, c := range after.cgroups {
		if strings.Contains(c, "/"+cgroupParent+"/") && !slices.Contains(before.cgroups, c) {
			t.Errorf("cgroup left: %s", c)
		}
	}
}

// cpuMetrics reports the CPU time the benchmark's children and the engine
// itself used per operation: steadier than wall time on a busy machine.
func cpuMetrics(b *testing.B) func() {
	var self0, kids0 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self0)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids0)
	return func() {
		var self1, kids1 syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &self1)
		syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids1)
		cpu := func(a, b syscall.Rusage) float64 {
			return float64(b.Utime.Nano()+b.Stime.Nano()-a.Utime.Nano()-a.Stime.Nano()) / 1e6
		}
		b.ReportMetric(cpu(kids0, kids1)/float64(b.N), "child-cpu-ms/op")
		b.ReportMetric(cpu(self0, self1)/float64(b.N), "engine-cpu-ms/op")
	}
}

// BenchmarkStartTrue is the runtime's share of `docker run --rm IMAGE true`:
// namespaces, cgroups, rootfs, exec of a static program, exit, cleanup.
func BenchmarkStartTrue(b *testing.B) {
	spec := newSpec(b, "true")
	dir := b.TempDir()
	i := 0
	defer cpuMetrics(b)()
	for b.Loop() {
		// A fresh container layer, as the engine gives each container
		// (outside the runtime's share).
		b.StopTimer()
		i++
		spec.ID = randomID()
		spec.Rootfs.Upper = filepath.Join(dir, strconv.Itoa(i), "upper")
		spec.Rootfs.Work = filepath.Join(dir, strconv.Itoa(i), "work")
		os.MkdirAll(spec.Rootfs.Upper, 0o755)
		os.MkdirAll(spec.Rootfs.Work, 0o755)
		b.StartTimer()
		p, err := Start(spec, nil)
		if err != nil {
			b.Fatal(err)
		}
		if r := collect(b, p); r.status.Code != 0 {
			b.Fatal(r)
		}
	}
}

// BenchmarkExecTrue is the baseline for BenchmarkStartTrue: the same static
// program started without any container around it.
func BenchmarkExecTrue(b *testing.B) {
	needRoot(b)
	defer cpuMetrics(b)()
	for b.Loop() {
		if err := exec.Command(fixture.probe, "true").Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// An engine that crashed leaves empty cgroups; RemoveStaleCgroups removes
// them and keeps those of running containers.
func TestRemoveStaleCgroups(t *testing.T) {
	crashed, err := Start(newSpec(t, "true"), nil)
	if err != nil {
		t.Fatal(err)
	}
	crashed.Wait() // and no Release, as after a crash
	stale := crashed.sys.cg.dirs
	running, err := Start(newSpec(t, "sleep", "1h"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		running.Signal(syscall.SIGKILL)
		collect(t, running)
		crashed.Release()
	}()
	if len(stale) == 0 {
		t.Skip("no cgroups on this host")
	}
	// Just made, a cgroup may be another engine's container starting.
	if err := RemoveStaleCgroups(); err != nil {
		t.Fatal(err)
	}
	for _, d := range stale {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("a new empty cgroup was removed: %v", err)
		}
		old := time.Now().Add(-2 * staleCgroupAge)
		if err := os.Chtimes(d, old, old); err != nil {
			t.Fatal(err)
		}
	}
	if err := RemoveStaleCgroups(); err != nil {
		t.Fatal(err)
	}
	for _, d := range stale {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("stale cgroup %s remains: %v", d, err)
		}
	}
	for _, d := range running.sys.cg.dirs {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("running container's cgroup %s: %v", d, err)
		}
	}
}

// A container restarted after its engine crashed finds the cgroup of its
// previous run, too recent for RemoveStaleCgroups, and replaces it.
func TestRestartAfterACrashReplacesTheOldCgroup(t *testing.T) {
	spec := newSpec(t, "true")
	crashed, err := Start(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	crashed.Wait() // and no Release, as after a crash
	defer crashed.Release()
	if len(crashed.sys.cg.dirs) == 0 {
		t.Skip("no cgroups on this host")
	}
	again := newSpec(t, "true")
	again.ID = spec.ID
	if r := mustRun(t, again); r.status.Code != 0 {
		t.Fatalf("restarted container: %+v", r)
	}
}

// Containers started and released at the same time share the boxlab
// cgroup parent, which comes and goes: none may fail for it.
func TestConcurrentContainers(t *testing.T) {
	needRoot(t)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			spec := newSpec(t, "echo", strconv.Itoa(i))
			p, err := Start(spec, nil)
			if err != nil {
				errs <- err
				return
			}
			if i%2 == 0 {
				x, err := Exec(fixture.probe, p.Pid, &ExecSpec{Args: []string{"true"}, Env: spec.Env})
				if err == nil {
					collect(t, x)
				} else if !errors.Is(err, os.ErrNotExist) {
					var se *StartError
					if !errors.As(err, &se) {
						t.Logf("exec into a container that may have exited: %v", err)
					}
				}
			}
			if r := collect(t, p); r.stdout != strconv.Itoa(i)+"\n" {
				errs <- fmt.Errorf("container %d: %q %q", i, r.stdout, r.stderr)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
