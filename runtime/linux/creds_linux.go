package linux

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Credentials, capabilities, no_new_privs and the parent-death signal are
// per thread in Linux. Everything here acts on the calling OS thread only
// (raw syscalls, not Go's all-threads Setuid), so it must run on the locked
// thread that then execs or forks the container's program, which inherits
// exactly that thread's state.

// boundingSet returns the capabilities this thread may still hold.
func boundingSet() (mask uint64, last int) {
	for i := 0; i < 64; i++ {
		r, err := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(i), 0, 0, 0)
		if err != nil {
			return mask, i - 1
		}
		if r == 1 {
			mask |= 1 << uint(i)
		}
	}
	return mask, 63
}

// capsFor works out the capability mask a process gets. Privileged and
// "ALL" mean everything this host allows (the engine may itself run with
// a reduced bounding set); a capability named explicitly that the host
// does not allow fails as it does in runc.
func capsFor(privileged bool, add, drop []string) (uint64, error) {
	names, err := Capabilities(privileged, add, drop)
	if err != nil {
		return 0, err
	}
	want := capMask(names)
	have, _ := boundingSet()
	all := privileged || slices.ContainsFunc(add, func(s string) bool { return strings.EqualFold(s, "ALL") })
	if all {
		return want & have, nil
	}
	if want&^have != 0 {
		return 0, errors.New("unable to apply caps: operation not permitted")
	}
	return want, nil
}

// becomeUser switches the calling thread to u with capability mask caps:
// the bounding set is cut first (that needs CAP_SETPCAP), then the ids
// change (the kernel clears a non-root user's capabilities on its own),
// then root keeps exactly caps. Ambient capabilities are always cleared.
func becomeUser(u execUser, caps uint64, noNewPrivs bool) error {
	_, last := boundingSet()
	for i := 0; i <= last; i++ {
		if caps&(1<<uint(i)) == 0 {
			if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(i), 0, 0, 0); err != nil {
				return fmt.Errorf("drop capability %d from the bounding set: %w", i, err)
			}
		}
	}
	gids := make([]uint32, len(u.Groups))
	for i, g := range u.Groups {
		gids[i] = uint32(g)
	}
	var p unsafe.Pointer
	if len(gids) > 0 {
		p = unsafe.Pointer(&gids[0])
	}
	// A user namespace whose gid map its unprivileged creator wrote
	// forbids setgroups (checkMapped refused explicit groups then).
	if !ownUserns().noSetgroups {
		if _, _, e := unix.RawSyscall(unix.SYS_SETGROUPS, uintptr(len(gids)), uintptr(p), 0); e != 0 {
			return fmt.Errorf("setgroups: %w", e)
		}
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESGID, uintptr(u.GID), uintptr(u.GID), uintptr(u.GID)); e != 0 {
		return fmt.Errorf("setgid %d: %w", u.GID, e)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, uintptr(u.UID), uintptr(u.UID), uintptr(u.UID)); e != 0 {
		return fmt.Errorf("setuid %d: %w", u.UID, e)
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("clear ambient capabilities: %w", err)
	}
	var set uint64
	if u.UID == 0 {
		set = caps
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	data := [2]unix.CapUserData{
		{Effective: uint32(set), Permitted: uint32(set)},
		{Effective: uint32(set >> 32), Permitted: uint32(set >> 32)},
	}
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("unable to apply caps: %w", err)
	}
	if noNewPrivs {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("set no_new_privs: %w", err)
		}
	}
	return nil
}

// fixStdio gives the process's standard streams to uid (keeping their
// group), as runc does, so a non-root program can reopen /dev/stdout.
func fixStdio(uid int) {
	if uid == 0 {
		return
	}
	for fd := 0; fd <= 2; fd++ {
		var st unix.Stat_t
		if unix.Fstat(fd, &st) != nil {
			continue
		}
		if st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == unix.Mkdev(1, 3) {
			continue // /dev/null is everyone's already
		}
		unix.Fchown(fd, uid, int(st.Gid))
	}
}

// lookPath finds file the way runc does (Go's exec.LookPath) but in the
// given PATH, with Docker's error texts.
func lookPath(file, pathEnv string) (string, error) {
	if containsSlash(file) {
		if err := findExecutable(file); err != nil {
			return "", &StartError{Msg: fmt.Sprintf("exec: %q: %v", file, err)}
		}
		return file, nil
	}
	for _, dir := range splitList(pathEnv) {
		if dir == "" {
			dir = "."
		}
		p := dir + "/" + file
		if err := findExecutable(p); err == nil {
			return p, nil
		}
	}
	return "", &StartError{Msg: fmt.Sprintf("exec: %q: executable file not found in $PATH", file)}
}

func containsSlash(s string) bool {
	for i := range len(s) {
		if s[i] == '/' {
			return true
		}
	}
	return false
}

func splitList(p string) []string {
	if p == "" {
		return nil
	}
	var out []string
	start := 0
	for i := range len(p) {
		if p[i] == ':' {
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return append(out, p[start:])
}

// findExecutable is Go's check (and so runc's): modern runc says "is a
// directory" for a directory where Docker 20.10 said "permission denied".
func findExecutable(file string) error {
	st, err := os.Stat(file)
	if err != nil {
		return err
	}
	if st.IsDir() {
		return unix.EISDIR
	}
	err = unix.Faccessat(unix.AT_FDCWD, file, unix.X_OK, unix.AT_EACCESS)
	if err == nil || (err != unix.ENOSYS && err != unix.EPERM) {
		if err == unix.EACCES {
			return os.ErrPermission
		}
		return err
	}
	if st.Mode()&0o111 != 0 {
		return nil
	}
	return os.ErrPermission
}
