package linux

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testEngineEnv makes the test binary a tiny engine (runTestEngine) for
// TestContainersDieWithTheEngine.
const testEngineEnv = "BOXLAB_TEST_ENGINE"

// runTestEngine starts a container from a goroutine that locks its thread
// and exits — the kernel then ends that thread — reports whether the
// container survived that, and waits to be killed.
func runTestEngine() {
	f := strings.Split(os.Getenv(testEngineEnv), "\n")
	dir := f[2]
	spec := &Spec{
		ID: "engine-death-" + strconv.Itoa(os.Getpid()), Toolbox: f[0],
		Rootfs: Rootfs{Lower: []string{f[1]}, Upper: filepath.Join(dir, "upper"), Work: filepath.Join(dir, "work"), Target: filepath.Join(dir, "merged")},
		Args:   []string{"sleep", "1h"}, Env: []string{"PATH=/bin"},
	}
	// Keep the main thread, which Go never ends, out of the way.
	runtime.LockOSThread()
	started := make(chan *Process)
	go func() {
		runtime.LockOSThread() // and exit locked: Go terminates this thread
		p, err := Start(spec, nil)
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		started <- p
	}()
	p := <-started
	time.Sleep(100 * time.Millisecond)
	state := "alive"
	if !running(p.Pid) {
		state = "dead"
	}
	fmt.Println(p.Pid, state)
	select {}
}

// A container dies with its engine (Pdeathsig), and only then: not when
// the engine thread that happened to start it goes away.
func TestContainersDieWithTheEngine(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	for _, d := range []string{"upper", "work", "merged"} {
		os.Mkdir(filepath.Join(dir, d), 0o755)
	}
	engine := exec.Command(os.Args[0], "-test.run=XXX")
	engine.Env = append(os.Environ(), testEngineEnv+"="+fixture.probe+"\n"+fixture.lower+"\n"+dir)
	out, err := engine.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		engine.Process.Kill()
		engine.Wait()
		t.Fatalf("engine: %v %q", err, line)
	}
	var pid int
	var state string
	fmt.Sscan(line, &pid, &state)
	if state != "alive" {
		engine.Process.Kill()
		engine.Wait()
		t.Fatalf("the container died with the thread that started it: %q", line)
	}
	engine.Process.Kill()
	engine.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for running(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatal("the container outlived its engine")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The cgroups of the dead engine's container are stale now; they can
	// go once its last process is reaped.
	cg := filepath.Join("/sys/fs/cgroup/pids", cgroupParent, "engine-death-"+strconv.Itoa(engine.Process.Pid))
	for {
		RemoveStaleCgroups()
		if _, err := os.Stat(cg); err != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// running reports whether pid is a live process (not a zombie).
func running(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i > 0 && i+2 < len(b) && b[i+2] != 'Z'
}
