package linux

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The container's init and the exec helper are forked from one dedicated OS
// thread that never exits. Pdeathsig (SIGKILL, so that containers die with
// the engine) fires when the *thread* that forked a child exits, not the
// process; an ordinary goroutine's thread can be reused by a goroutine that
// locks it and exits, which kills the thread — and every container it ever
// started. The spawner goroutine holds its thread locked forever instead.
var spawner struct {
	once sync.Once
	reqs chan spawnRequest
}

type spawnRequest struct {
	cmd  *exec.Cmd
	done chan error
}

func spawn(cmd *exec.Cmd) error {
	spawner.once.Do(func() {
		spawner.reqs = make(chan spawnRequest)
		go func() {
			runtime.LockOSThread()
			for r := range spawner.reqs {
				r.done <- r.cmd.Start()
			}
		}()
	})
	r := spawnRequest{cmd: cmd, done: make(chan error, 1)}
	spawner.reqs <- r
	return <-r.done
}

// initEnv is the environment of the init (the container's program gets its
// own): one P and no garbage collector keep the Go runtime from starting
// threads it does not need in a process that execs within milliseconds.
// The exec helper, which stays to relay signals, keeps its collector.
var (
	initEnv   = []string{"GOMAXPROCS=1", "GOGC=off"}
	helperEnv = []string{"GOMAXPROCS=1"}
)

// stdio is the standard streams of a helper process: the child's ends go
// to the process, the parent's become the Process fields.
type stdio struct {
	child  [3]*os.File
	closer []io.Closer // the child's ends, closed once it has them
}

func newStdio(p *Process, wantStdin, tty bool) (*stdio, error) {
	s := &stdio{}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	s.closer = append(s.closer, null)
	s.child = [3]*os.File{null, null, null}
	if tty {
		return s, nil
	}
	if wantStdin {
		r, w, err := os.Pipe()
		if err != nil {
			s.close()
			return nil, err
		}
		s.child[0], p.Stdin = r, w
		s.closer = append(s.closer, r)
	}
	for i, dst := range []*io.ReadCloser{&p.Stdout, &p.Stderr} {
		r, w, err := os.Pipe()
		if err != nil {
			s.close()
			p.closeStreams()
			return nil, err
		}
		s.child[i+1], *dst = w, r
		s.closer = append(s.closer, w)
	}
	return s, nil
}

func (s *stdio) close() {
	for _, c := range s.closer {
		c.Close()
	}
	s.closer = nil
}

// Start creates the container's namespaces and cgroups and runs its init.
// hook(pid) (may be nil) runs while the init builds the rootfs; the init
// applies sysctls and execs Args only after the hook returned, so the
// engine configures networking there. If the process cannot be started,
// Start returns a *StartError (or another error for engine-side failures)
// and nothing it created remains.
func Start(spec *Spec, hook func(pid int) error) (*Process, error) {
	if len(spec.Args) == 0 {
		return nil, errors.New("start container: no command")
	}
	if spec.Toolbox == "" || spec.Rootfs.Target == "" {
		return nil, errors.New("start container: the spec needs Toolbox and Rootfs.Target")
	}
	if _, err := Capabilities(spec.Privileged, spec.CapAdd, spec.CapDrop); err != nil {
		return nil, err
	}
	flags := uintptr(unix.CLONE_NEWNS | unix.CLONE_NEWPID | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC)
	if spec.Network == "" || spec.Network == "none" {
		flags |= unix.CLONE_NEWNET
	}
	p := &Process{sys: &sysProcess{}}
	conn, child, err := socketPair()
	if err != nil {
		return nil, err
	}
	p.sys.conn = conn
	reqR, reqW, err := os.Pipe()
	if err != nil {
		child.Close()
		p.Release()
		return nil, err
	}
	sio, err := newStdio(p, spec.Stdin, spec.Tty)
	if err != nil {
		child.Close()
		reqR.Close()
		reqW.Close()
		p.Release()
		return nil, err
	}
	cmd := &exec.Cmd{
		Path:       spec.Toolbox,
		Args:       []string{InitCommand},
		Env:        initEnv,
		Stdin:      sio.child[0],
		Stdout:     sio.child[1],
		Stderr:     sio.child[2],
		ExtraFiles: []*os.File{reqR, child}, // fdSpec, fdSync
		// Go's fork checks that the parent is alive by comparing getppid()
		// with its pid and sends Pdeathsig otherwise; in a new pid
		// namespace getppid() is 0, so the init signals itself, which the
		// kernel ignores for a namespace's PID 1. The init sets Pdeathsig
		// again on its locked thread.
		SysProcAttr: &syscall.SysProcAttr{
			Cloneflags: flags,
			Setsid:     true,
			Pdeathsig:  syscall.SIGKILL,
		},
	}
	// The cgroups are made while the kernel creates the namespaces and the
	// init's Go runtime starts; the init needs their paths, not to be in
	// them, until it execs.
	type cgResult struct {
		cg  *cgroup
		err error
	}
	cgDone := make(chan cgResult, 1)
	go func() {
		cg, err := newCgroup(spec.ID, spec.Resources, spec.Privileged)
		cgDone <- cgResult{cg, err}
	}()
	err = spawn(cmd)
	sio.close()
	reqR.Close()
	child.Close()
	cgr := <-cgDone
	p.sys.cg = cgr.cg
	if err != nil {
		reqW.Close()
		p.Release()
		return nil, fmt.Errorf("start container %s: %w", spec.ID, err)
	}
	p.Pid = cmd.Process.Pid
	p.sys.cmd = cmd
	fail := func(err error) (*Process, error) {
		reqW.Close()
		cmd.Process.Kill()
		cmd.Wait()
		p.Release()
		return nil, err
	}
	if cgr.err != nil {
		return fail(cgr.err)
	}
	_, werr := reqW.Write(encodeInitRequest(initRequest{Spec: spec, Cgroup: p.sys.cg.paths()}))
	reqW.Close()
	// The init builds the rootfs meanwhile; it waits for the go-ahead
	// below before it execs, so the program runs in the cgroups.
	if err := p.sys.cg.join(p.Pid); err != nil {
		return fail(fmt.Errorf("start container %s: %w", spec.ID, err))
	}
	if hook != nil && werr == nil {
		if err := hook(p.Pid); err != nil {
			return fail(err)
		}
	}
	conn.send(message{Type: msgGo}) // fails if the init already gave up: read why below
	execing := false
	for {
		m, fds, err := conn.recv()
		if err == io.EOF {
			break // the init exec'd (its end is close-on-exec) or died
		}
		if err != nil {
			return fail(err)
		}
		switch m.Type {
		case msgPty:
			if len(fds) == 1 {
				unix.SetNonblock(fds[0], true)
				p.Console = os.NewFile(uintptr(fds[0]), "/dev/ptmx")
			}
		case msgExec:
			execing = true
		case msgError:
			cmd.Wait()
			p.Release()
			return nil, startErr(m)
		}
	}
	if !execing {
		cmd.Wait()
		p.Release()
		return nil, fmt.Errorf("start container %s: the container's init died: %v", spec.ID, cmd.ProcessState)
	}
	conn.Close()
	p.sys.conn = nil
	return p, nil
}

// initRequest is what Start sends the init.
type initRequest struct {
	Spec   *Spec
	Cgroup cgroupPaths
}

// sysProcess is the Linux side of a Process.
type sysProcess struct {
	cmd  *exec.Cmd
	conn *syncConn // exec: the helper relays signals and the exit status
	cg   *cgroup   // Start: the container's cgroups
	exec bool

	waitOnce sync.Once
	status   ExitStatus
	preset   *ExitStatus // exec: the program never ran

	mu       sync.Mutex
	exited   bool
	released bool
}

// Wait blocks until the process exits and returns how it ended. Call it once.
func (p *Process) Wait() ExitStatus {
	s := p.sys
	s.waitOnce.Do(func() {
		if s.exec {
			s.status = s.waitExec()
		} else {
			s.cmd.Wait()
			s.status = exitStatus(s.cmd.ProcessState.Sys().(syscall.WaitStatus))
			if s.cg != nil && s.cg.oomKilled() {
				s.status.OOM = true
			}
		}
		s.mu.Lock()
		s.exited = true
		s.mu.Unlock()
	})
	return s.status
}

func exitStatus(ws syscall.WaitStatus) ExitStatus {
	if ws.Signaled() {
		return ExitStatus{Code: 128 + int(ws.Signal()), Signal: ws.Signal()}
	}
	return ExitStatus{Code: ws.ExitStatus()}
}

// Signal sends sig to the process (for Exec, to the exec'd program).
func (p *Process) Signal(sig syscall.Signal) error {
	s := p.sys
	s.mu.Lock()
	exited := s.exited
	s.mu.Unlock()
	if exited || s.preset != nil {
		return os.ErrProcessDone
	}
	if s.exec {
		if err := s.conn.send(message{Type: msgSignal, Signal: int(sig)}); err != nil {
			return os.ErrProcessDone
		}
		return nil
	}
	return s.cmd.Process.Signal(sig)
}

// Resize sets the size of the process's terminal.
func (p *Process) Resize(width, height uint16) error {
	if p.Console == nil {
		return errors.New("the process has no terminal")
	}
	rc, err := p.Console.SyscallConn()
	if err != nil {
		return err
	}
	var ierr error
	if err := rc.Control(func(fd uintptr) {
		ierr = setWinsize(int(fd), [2]uint16{height, width})
	}); err != nil {
		return err
	}
	return ierr
}

// Pause freezes every process of the container (freezer cgroup).
func (p *Process) Pause() error { return p.freeze(true) }

// Resume thaws a paused container.
func (p *Process) Resume() error { return p.freeze(false) }

func (p *Process) freeze(frozen bool) error {
	if p.sys.exec {
		return ErrNotInit
	}
	if p.sys.cg == nil {
		return ErrNoFreezer
	}
	return p.sys.cg.freeze(frozen)
}

// Release frees what Start or Exec created: the container's cgroups, the
// streams and descriptors. Call it after Wait; calling it again does
// nothing.
func (p *Process) Release() error {
	s := p.sys
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.released {
		return nil
	}
	s.released = true
	p.closeStreams()
	if s.conn != nil {
		s.conn.Close()
	}
	if s.cg != nil {
		if err := s.cg.remove(); err != nil {
			return err
		}
	}
	return nil
}

func (p *Process) closeStreams() {
	for _, c := range []io.Closer{p.Stdin, p.Stdout, p.Stderr} {
		if c != nil {
			c.Close()
		}
	}
	if p.Console != nil {
		p.Console.Close()
	}
}

// staleCgroupAge is how old an empty container cgroup must be for
// RemoveStaleCgroups to take it: every engine on the host shares the boxlab
// parents, and a container's cgroup is empty between its creation and the
// init joining it, milliseconds later, while another engine may be cleaning
// up.
const staleCgroupAge = 10 * time.Second

// RemoveStaleCgroups removes the cgroups of containers that no longer run,
// such as those of an engine that crashed before releasing them. A cgroup
// with processes in it cannot be removed, so running containers keep
// theirs; one made in the last few seconds is left to the container being
// started in it.
func RemoveStaleCgroups() error {
	_, hs, err := hostHierarchies()
	if err != nil {
		return err
	}
	for _, h := range hs {
		parent := filepath.Join(h.mount, h.own, cgroupParent)
		entries, err := os.ReadDir(parent)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			if info, err := e.Info(); err != nil || time.Since(info.ModTime()) < staleCgroupAge {
				continue
			}
			unix.Rmdir(filepath.Join(parent, e.Name()))
		}
		unix.Rmdir(parent)
	}
	return nil
}

// Pids returns the host pids of every process in the container whose init
// has host pid containerPid (docker top).
func Pids(containerPid int) ([]int, error) {
	cg, err := containerCgroup(containerPid)
	if err == nil && len(cg.dirs) > 0 {
		return cg.procs()
	}
	if err != nil && errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no such process: %d", containerPid)
	}
	return pidsInNamespace(containerPid)
}

// pidsInNamespace finds a container's processes by its pid namespace, for
// hosts where it has no cgroup of its own.
func pidsInNamespace(pid int) ([]int, error) {
	want, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid))
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, e := range entries {
		var n int
		if _, err := fmt.Sscan(e.Name(), &n); err != nil || strings.TrimLeft(e.Name(), "0123456789") != "" {
			continue
		}
		if ns, err := os.Readlink("/proc/" + e.Name() + "/ns/pid"); err == nil && ns == want {
			pids = append(pids, n)
		}
	}
	return pids, nil
}
