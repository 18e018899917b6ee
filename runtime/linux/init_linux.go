package linux

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// Init is the container's init before it becomes the container's program:
// the toolbox re-exec'd by Start as InitCommand, in fresh namespaces, with
// the spec on fd 3 and the sync socket on fd 4. It builds the rootfs,
// waits for the engine's go-ahead, drops privileges and execs Args, which
// becomes PID 1 (or the child of the reaper with Spec.Init). It never
// returns; on failure it reports to the engine and exits.
func Init(args []string) {
	// Namespace joins, credentials, capabilities and the parent-death
	// signal are per thread: all of it happens on this thread, which then
	// execs. Go never runs other goroutines on it, nor clones new threads
	// from it, once it is locked.
	runtime.LockOSThread()
	unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0)
	var req initRequest
	conn, err := helperConn(func(b []byte) (err error) {
		req, err = decodeInitRequest(b)
		return err
	})
	if conn == nil {
		fmt.Fprintln(os.Stderr, InitCommand+":", err)
		os.Exit(125)
	}
	if err == nil && req.Spec == nil {
		err = fmt.Errorf("%s: no spec", InitCommand)
	}
	if err == nil {
		err = runInit(req.Spec, req.Cgroup, conn)
	}
	conn.send(errMessage(err, false))
	os.Exit(1)
}

func runInit(spec *Spec, cg cgroupPaths, conn *syncConn) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("container init panicked: %v", r)
		}
	}()
	newNet := spec.Network == "" || spec.Network == "none"
	if !newNet && spec.Network != "host" {
		if err := joinNamespace(spec.Network, unix.CLONE_NEWNET); err != nil {
			return err
		}
	}
	caps, err := capsFor(spec.Privileged, spec.CapAdd, spec.CapDrop)
	if err != nil {
		return err
	}
	unix.Umask(0)
	if err := setupRootfs(spec, cg); err != nil {
		return err
	}
	var slave = -1
	if spec.Tty {
		if slave, err = setupConsole(conn, spec.ConsoleSize); err != nil {
			return err
		}
	}
	if spec.Hostname != "" {
		if err := unix.Sethostname([]byte(spec.Hostname)); err != nil {
			return fmt.Errorf("sethostname: %w", err)
		}
	}
	if spec.Domainname != "" {
		if err := unix.Setdomainname([]byte(spec.Domainname)); err != nil {
			return fmt.Errorf("setdomainname: %w", err)
		}
	}
	if newNet {
		if err := loopbackUp(); err != nil {
			return err
		}
	}
	u, err := lookupUser(spec.User, spec.GroupAdd, "/etc/passwd", "/etc/group")
	if err != nil {
		return &StartError{Msg: err.Error(), Daemon: true}
	}
	if Rootless() {
		if err := checkMapped(ownUserns(), u, spec.GroupAdd); err != nil {
			return err
		}
	}
	cwd := spec.Cwd
	if cwd == "" {
		cwd = "/"
	}
	// Docker's daemon creates the working directory (as root) before the
	// container starts.
	if err := os.MkdirAll(cwd, 0o755); err != nil {
		if errors.Is(err, unix.ENOTDIR) {
			return &StartError{Msg: fmt.Sprintf("Cannot mkdir: %s is not a directory", cwd), Daemon: true}
		}
		return err
	}

	// Everything up to here ran while the engine's hook configured the
	// network namespace; the rest may depend on it.
	if m, _, err := conn.recv(); err != nil || m.Type != msgGo {
		os.Exit(1) // the engine gave up on us or died
	}
	if cg.V2 && len(cg.Dirs) > 0 {
		// Only now is the init in the container's cgroup: a cgroup
		// namespace rooted there makes /sys/fs/cgroup show only it.
		if err := unix.Unshare(unix.CLONE_NEWCGROUP); err != nil {
			return fmt.Errorf("unshare the cgroup namespace: %w", err)
		}
		if err := mountCgroup2(spec.Privileged); err != nil {
			return err
		}
	}
	if err := writeSysctls(spec.Sysctls); err != nil {
		return err
	}
	if !spec.Privileged {
		readonly, masked := spec.ReadonlyPaths, spec.MaskedPaths
		if readonly == nil {
			readonly = DefaultReadonlyPaths
		}
		if masked == nil {
			masked = DefaultMaskedPaths
		}
		if err := maskPaths(readonly, masked); err != nil {
			return err
		}
	}
	if spec.ReadonlyRootfs {
		if err := unix.Mount("", "/", "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
			return fmt.Errorf("remount / read-only: %w", err)
		}
	}
	env := withHome(spec.Env, u.Home)
	if slave >= 0 {
		if err := becomeTerminal(slave); err != nil {
			return err
		}
	}
	fixStdio(u.UID)
	if err := becomeUser(u, caps, spec.NoNewPrivileges); err != nil {
		return err
	}
	// A change of credentials clears the parent-death signal.
	unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0)
	if engineGone(conn) {
		os.Exit(1)
	}
	unix.Umask(0o022)
	if err := unix.Chdir(cwd); err != nil {
		return fmt.Errorf("chdir to cwd (%q) set in config.json failed: %w", cwd, err)
	}
	argv := spec.Args
	path := ReaperPath
	if spec.Init {
		argv = append([]string{ReaperPath, "--"}, spec.Args...)
	} else if path, err = lookPath(spec.Args[0], envValue(env, "PATH")); err != nil {
		return err
	}
	if err := conn.send(message{Type: msgExec}); err != nil {
		os.Exit(1) // the engine is gone
	}
	err = syscall.Exec(path, argv, env)
	// The program was found but the kernel would not run it: Docker reports
	// that as the program's own failure, on its stderr.
	fmt.Fprintf(os.Stderr, "exec %s: %v\n", path, err)
	os.Exit(1)
	return nil
}

// joinNamespace moves the calling thread into the namespace at path.
func joinNamespace(path string, kind int) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open namespace: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Setns(fd, kind); err != nil {
		return fmt.Errorf("join namespace %s: %w", path, err)
	}
	return nil
}

// setupConsole opens the container's pty, hands its master to the engine
// and binds the slave at /dev/console, as runc does.
func setupConsole(conn *syncConn, size [2]uint16) (int, error) {
	master, slave, name, err := openPty("/dev/pts/ptmx")
	if err != nil {
		return -1, err
	}
	defer unix.Close(master)
	if err := setWinsize(master, size); err != nil {
		return -1, err
	}
	console, err := fileIn("/", "/dev/console")
	if err != nil {
		return -1, err
	}
	if err := unix.Mount("/dev/pts/"+name, console, "", unix.MS_BIND, ""); err != nil {
		return -1, fmt.Errorf("bind /dev/console: %w", err)
	}
	if err := conn.send(message{Type: msgPty}, master); err != nil {
		return -1, fmt.Errorf("send the pty: %w", err)
	}
	return slave, nil
}

// loopbackUp brings lo up in a new network namespace, as Docker does.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("bring lo up: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring lo up: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring lo up: %w", err)
	}
	return nil
}

// engineGone reports whether the engine's end of the sync socket is closed:
// the engine died, perhaps before the parent-death signal was armed again.
func engineGone(conn *syncConn) bool {
	gone := false
	conn.rc.Control(func(fd uintptr) {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLRDHUP}}
		if n, err := unix.Poll(fds, 0); err == nil && n > 0 {
			gone = fds[0].Revents&(unix.POLLHUP|unix.POLLRDHUP) != 0
		}
	})
	return gone
}
