package linux

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// execRequest is what Exec sends the exec helper.
type execRequest struct {
	Pid  int // the container init's host pid
	Spec ExecSpec
}

// Exec runs a process inside the running container whose init has host
// pid containerPid, through the toolbox at toolbox (run as ExecCommand). A
// program that cannot be started gives a *StartError with Docker's text.
//
// Go cannot enter a mount namespace from a multithreaded process with
// setns(2), which requires an unshared fs_struct. The helper does it on one
// locked thread after unshare(CLONE_FS), which gives that thread alone its
// own root and working directory: setns then works for it, and the child
// it forks is entirely inside the container — mount, pid, ipc, uts, net
// and cgroup namespaces, with the container's /proc and mounts, no chroot.
func Exec(toolbox string, containerPid int, spec *ExecSpec) (*Process, error) {
	if len(spec.Args) == 0 {
		return nil, errors.New("exec: no command")
	}
	if _, err := Capabilities(spec.Privileged, spec.CapAdd, spec.CapDrop); err != nil {
		return nil, err
	}
	req := encodeExecRequest(execRequest{Pid: containerPid, Spec: *spec})
	p := &Process{sys: &sysProcess{exec: true}}
	sio, err := newStdio(p, spec.Stdin, spec.Tty)
	if err != nil {
		return nil, err
	}
	if spec.Tty {
		// The pty comes from the container's own devpts, as with runc.
		master, slave, _, err := openPty(fmt.Sprintf("/proc/%d/root/dev/pts/ptmx", containerPid))
		if err != nil {
			sio.close()
			return nil, fmt.Errorf("exec: %w", err)
		}
		setWinsize(master, spec.ConsoleSize)
		unix.SetNonblock(master, true)
		p.Console = os.NewFile(uintptr(master), "/dev/ptmx")
		s := os.NewFile(uintptr(slave), "pty")
		sio.child = [3]*os.File{s, s, s}
		sio.closer = append(sio.closer, s)
	}
	conn, child, err := socketPair()
	if err != nil {
		sio.close()
		p.Release()
		return nil, err
	}
	p.sys.conn = conn
	reqR, reqW, err := os.Pipe()
	if err != nil {
		sio.close()
		child.Close()
		p.Release()
		return nil, err
	}
	cmd := &exec.Cmd{
		Path:        toolbox,
		Args:        []string{ExecCommand},
		Env:         helperEnv,
		Stdin:       sio.child[0],
		Stdout:      sio.child[1],
		Stderr:      sio.child[2],
		ExtraFiles:  []*os.File{reqR, child},
		SysProcAttr: &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL},
	}
	err = spawn(cmd)
	sio.close()
	reqR.Close()
	child.Close()
	if err != nil {
		reqW.Close()
		p.Release()
		return nil, fmt.Errorf("exec: %w", err)
	}
	p.sys.cmd = cmd
	reqW.Write(req)
	reqW.Close()
	m, _, err := conn.recv()
	switch {
	case err == nil && m.Type == msgPid:
		p.Pid = m.Pid
		return p, nil
	case err == nil && m.Type == msgExit:
		// Found but not executable by the kernel: Docker runs it and it
		// fails, with the reason on its stderr.
		st := exitStatus(syscall.WaitStatus(m.Status))
		p.sys.preset = &st
		return p, nil
	case err == nil && m.Type == msgError:
		cmd.Wait()
		p.Release()
		return nil, startErr(m)
	}
	cmd.Process.Kill()
	cmd.Wait()
	p.Release()
	if err == nil || err == io.EOF {
		err = fmt.Errorf("the exec helper died: %v", cmd.ProcessState)
	}
	return nil, fmt.Errorf("exec: %w", err)
}

// waitExec waits for the exec helper's report of the program's end.
func (s *sysProcess) waitExec() ExitStatus {
	st := ExitStatus{Code: 126}
	got := false
	if s.preset != nil {
		st, got = *s.preset, true
	}
	for !got {
		m, _, err := s.conn.recv()
		if err != nil {
			break
		}
		if m.Type == msgExit {
			st, got = exitStatus(syscall.WaitStatus(m.Status)), true
		}
	}
	s.cmd.Wait()
	if !got {
		// The helper was killed (the engine's own Signal goes through it,
		// so this is someone else's doing): report how it ended.
		st = exitStatus(s.cmd.ProcessState.Sys().(syscall.WaitStatus))
	}
	return st
}

// ExecHelper is the toolbox run as ExecCommand by Exec: it enters the
// container, becomes the exec's user, forks the program into the
// container's pid namespace and relays signals to it and its exit status
// back. It never returns.
func ExecHelper(args []string) {
	runtime.LockOSThread() // see Exec: this thread enters the container
	unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0)
	var req execRequest
	conn, err := helperConn(func(b []byte) (err error) {
		req, err = decodeExecRequest(b)
		return err
	})
	if conn == nil {
		fmt.Fprintln(os.Stderr, ExecCommand+":", err)
		os.Exit(125)
	}
	var proc *os.Process
	if err == nil {
		proc, err = startInContainer(&req)
	}
	if err != nil {
		var failed *execFailed
		if errors.As(err, &failed) {
			fmt.Fprintf(os.Stderr, "exec %s: %v\n", failed.path, failed.err)
			conn.send(message{Type: msgExit, Status: 1 << 8})
			os.Exit(0)
		}
		conn.send(errMessage(err, true))
		os.Exit(1)
	}
	conn.send(message{Type: msgPid, Pid: proc.Pid})
	go func() {
		for {
			m, _, err := conn.recv()
			if err != nil {
				// The engine is gone (it would have killed us first had
				// it died; this is a Release without Wait): so is the exec.
				proc.Kill()
				return
			}
			if m.Type == msgSignal {
				proc.Signal(syscall.Signal(m.Signal))
			}
		}
	}()
	state, err := proc.Wait()
	status := 1 << 8
	if err == nil {
		status = int(state.Sys().(syscall.WaitStatus))
	}
	conn.send(message{Type: msgExit, Status: status})
	os.Exit(0)
}

// execFailed is a program that was found but that execve refused.
type execFailed struct {
	path string
	err  error
}

func (e *execFailed) Error() string { return fmt.Sprintf("exec %s: %v", e.path, e.err) }

// containerNamespaces are joined in this order: the mount namespace last,
// because it changes what paths mean.
var containerNamespaces = []struct {
	name string
	kind int
}{
	{"ipc", unix.CLONE_NEWIPC}, {"uts", unix.CLONE_NEWUTS}, {"net", unix.CLONE_NEWNET},
	{"cgroup", unix.CLONE_NEWCGROUP}, {"pid", unix.CLONE_NEWPID}, {"mnt", unix.CLONE_NEWNS},
}

// startInContainer runs on the helper's locked thread.
func startInContainer(req *execRequest) (*os.Process, error) {
	spec := &req.Spec
	caps, err := capsFor(spec.Privileged, spec.CapAdd, spec.CapDrop)
	if err != nil {
		return nil, err
	}
	// Open and read everything on the host side first: after setns the
	// paths resolve inside the container.
	rootless := Rootless()
	var nsfds []int
	defer func() {
		for _, fd := range nsfds {
			unix.Close(fd)
		}
	}()
	var kinds []int
	for _, ns := range containerNamespaces {
		theirs := fmt.Sprintf("/proc/%d/ns/%s", req.Pid, ns.name)
		if same, err := sameNamespace(theirs, "/proc/self/ns/"+ns.name); err != nil {
			if errors.Is(err, os.ErrNotExist) && ns.name == "cgroup" {
				continue
			}
			return nil, fmt.Errorf("container %d: %w", req.Pid, err)
		} else if same {
			continue
		}
		fd, err := unix.Open(theirs, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, fmt.Errorf("container %d: %w", req.Pid, err)
		}
		nsfds = append(nsfds, fd)
		kinds = append(kinds, ns.kind)
	}
	cg, err := containerCgroup(req.Pid)
	if err != nil {
		return nil, err
	}
	if err := checkContainerInit(req.Pid, cg, rootless); err != nil {
		return nil, err
	}
	// The helper joins the container's cgroups only to fork the program
	// into them, then goes back, so that it never counts as one of the
	// container's processes (docker top, pids.max, the freezer).
	back, err := openOwnCgroups(cg)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, f := range back {
			f.Close()
		}
	}()

	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return nil, fmt.Errorf("unshare fs: %w", err)
	}
	for i, fd := range nsfds {
		if err := unix.Setns(fd, kinds[i]); err != nil {
			return nil, fmt.Errorf("enter the container's namespaces: %w", err)
		}
	}
	u, err := lookupUser(spec.User, spec.GroupAdd, "/etc/passwd", "/etc/group")
	if err != nil {
		return nil, &StartError{Msg: err.Error(), Daemon: true}
	}
	if rootless {
		if err := checkMapped(ownUserns(), u, spec.GroupAdd); err != nil {
			return nil, err
		}
	}
	env := withHome(spec.Env, u.Home)
	fixStdio(u.UID)
	if err := becomeUser(u, caps, spec.NoNewPrivileges); err != nil {
		return nil, err
	}
	unix.Umask(0o022)
	cwd := spec.Cwd
	if cwd == "" {
		cwd = "/"
	}
	if err := unix.Chdir(cwd); err != nil {
		return nil, fmt.Errorf("chdir to cwd (%q) set in config.json failed: %w", cwd, err)
	}
	path, err := lookPath(spec.Args[0], envValue(env, "PATH"))
	if err != nil {
		return nil, err
	}

	// Joining and leaving cgroups needs root, and this thread is the
	// container's user now: other threads still are root.
	if err := onAnotherThread(func() error { return cg.join(os.Getpid()) }); err != nil {
		return nil, err
	}
	proc, err := os.StartProcess(path, spec.Args, &os.ProcAttr{
		Env:   env,
		Files: []*os.File{os.Stdin, os.Stdout, os.Stderr},
		// No Pdeathsig: Go's check that the parent is still alive compares
		// getppid() with the parent's pid, and a child in another pid
		// namespace sees 0, so it would kill itself at once. The program
		// dies with the engine anyway: the container's init does, and its
		// pid namespace goes with it.
		Sys: &syscall.SysProcAttr{Setsid: true, Setctty: spec.Tty, Ctty: 0},
	})
	if berr := onAnotherThread(func() error { return leaveCgroups(back) }); berr != nil && err == nil {
		proc.Kill()
		proc.Wait()
		return nil, berr
	}
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &execFailed{path: path, err: err}
	}
	return proc, nil
}

func sameNamespace(a, b string) (bool, error) {
	x, err := os.Readlink(a)
	if err != nil {
		return false, err
	}
	y, err := os.Readlink(b)
	if err != nil {
		return false, err
	}
	return x == y, nil
}

// checkContainerInit makes sure pid is still the init of a container the
// engine started, not a process that took over the pid of one that died.
// A container normally has its own cgroups; rootless, where it often has
// none, it must be a child of the engine (the helper's parent) in a pid
// namespace of its own.
func checkContainerInit(pid int, cg *cgroup, rootless bool) error {
	_, hs, _ := hostHierarchies()
	if len(hs) == 0 || len(cg.dirs) > 0 {
		return nil
	}
	notInit := fmt.Errorf("process %d is not a container's init", pid)
	if !rootless {
		return notInit
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return notInit
	}
	// The command name in parentheses may hold anything: the fields that
	// follow start after its last ")". The parent pid is the second.
	i := strings.LastIndexByte(string(stat), ')')
	if i < 0 {
		return notInit
	}
	if f := strings.Fields(string(stat[i+1:])); len(f) < 2 || f[1] != strconv.Itoa(os.Getppid()) {
		return notInit
	}
	if same, err := sameNamespace(fmt.Sprintf("/proc/%d/ns/pid", pid), "/proc/self/ns/pid"); err != nil || same {
		return notInit
	}
	return nil
}

// openOwnCgroups opens the cgroup.procs files of the helper's own cgroups
// in the hierarchies where the container has one.
func openOwnCgroups(cg *cgroup) ([]*os.File, error) {
	_, hs, err := hostHierarchies()
	if err != nil {
		return nil, err
	}
	var files []*os.File
	for _, h := range hs {
		if !slices.Contains(cg.mounts, h.mount) {
			continue
		}
		f, err := os.OpenFile(h.mount+h.own+"/cgroup.procs", os.O_WRONLY, 0)
		if err != nil {
			for _, f := range files {
				f.Close()
			}
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

func leaveCgroups(files []*os.File) error {
	pid := strconv.Itoa(os.Getpid())
	for _, f := range files {
		if _, err := f.WriteString(pid); err != nil {
			return fmt.Errorf("leave the container's cgroup: %w", err)
		}
	}
	return nil
}

// onAnotherThread runs fn in a new goroutine, which never runs on the
// calling goroutine's locked thread, and waits for it.
func onAnotherThread(fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	return <-done
}
