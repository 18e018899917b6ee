package toolbox

import (
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// children are the processes the shell started and waits for itself. As
// a container's PID 1 the shell also adopts orphans, and it reaps those
// when they end, as ash does (its waitpid(-1) collects any child); Go's
// os/exec only waits for its own pids, so without this they would stay
// zombies. The set keeps the reaper away from the shell's own children:
// Start and the scan for zombies happen under one lock.
type children struct {
	mu   sync.Mutex
	pids map[int]bool
	once sync.Once
}

// start starts cmd and records it as the shell's own.
func (ch *children) start(cmd *exec.Cmd) error {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	err := cmd.Start()
	if err == nil {
		if ch.pids == nil {
			ch.pids = map[int]bool{}
		}
		ch.pids[cmd.Process.Pid] = true
	}
	return err
}

// wait waits for a child start started.
func (ch *children) wait(cmd *exec.Cmd) error {
	err := cmd.Wait()
	ch.mu.Lock()
	delete(ch.pids, cmd.Process.Pid)
	ch.mu.Unlock()
	return err
}

// reapOrphans starts reaping adopted orphans when the shell is PID 1.
func (ch *children) reapOrphans() {
	if os.Getpid() != 1 {
		return
	}
	ch.once.Do(func() {
		sigchld := make(chan os.Signal, 1)
		signal.Notify(sigchld, syscall.SIGCHLD)
		go func() {
			for range sigchld {
				ch.reap()
			}
		}()
	})
}

// reap collects the zombies among this process's children that the shell
// did not start.
func (ch *children) reap() {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	tasks, _ := filepath.Glob("/proc/self/task/*/children")
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			pid, err := strconv.Atoi(f)
			if err != nil || ch.pids[pid] || !isZombie(pid) {
				continue
			}
			var ws syscall.WaitStatus
			syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
		}
	}
}

func isZombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i >= 0 && i+2 < len(b) && b[i+2] == 'Z'
}
