package linux

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// A rootless engine is an ordinary user's process that re-executed itself
// into new user, mount and network namespaces (StartInUserNamespace, then
// EnterUserNamespace in the new process), where it is uid 0 with every
// capability over what it owns. Containers are then made exactly as by
// root, minus what a user namespace forbids: see Rootless.

// IDMap maps Size consecutive ids, from Inside in a user namespace to
// Outside in its parent (a line of /proc/PID/uid_map).
type IDMap struct {
	Inside, Outside, Size int
}

// subIDSize is how many subordinate ids a rootless engine maps, after 0:
// 1 to 65536 inside, which covers the ids images use (nobody is 65534),
// like Docker rootless with the usual /etc/subuid range.
const subIDSize = 65536

// usernsInfo is what the container side needs to know of the user
// namespace it runs in.
type usernsInfo struct {
	uids, gids []IDMap
	// noSetgroups: setgroups(2) is disabled, as it must be when an
	// unprivileged process wrote the gid map itself.
	noSetgroups bool
}

// ownUserns describes this process's user namespace, read once: the exec
// helper must read it before it enters a container, whose /proc has no
// "self" for a process outside its pid namespace.
var ownUserns = sync.OnceValue(func() usernsInfo {
	ns := usernsInfo{uids: readIDMap("/proc/self/uid_map"), gids: readIDMap("/proc/self/gid_map")}
	b, err := os.ReadFile("/proc/self/setgroups")
	ns.noSetgroups = err == nil && strings.TrimSpace(string(b)) == "deny"
	return ns
})

func readIDMap(path string) []IDMap {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return parseIDMap(string(b))
}

func parseIDMap(s string) []IDMap {
	var maps []IDMap
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		var m IDMap
		var err error
		for i, p := range []*int{&m.Inside, &m.Outside, &m.Size} {
			var v uint64
			if v, err = strconv.ParseUint(f[i], 10, 32); err != nil {
				break
			}
			*p = int(v)
		}
		if err == nil {
			maps = append(maps, m)
		}
	}
	return maps
}

// Rootless reports whether this process runs in a user namespace of its
// own rather than the host's (a rootless engine and its helpers): it may be
// uid 0 there, but it is an ordinary user to the kernel. Containers then
// differ from root's: the overlay uses user.* xattrs (userxattr), the
// standard devices are the host's bound in (mknod is refused), there are no
// cgroups unless the host delegated some (so no limits, and Pause fails
// with ErrNoFreezer), and only the ids mapped into the namespace can be
// users of a container.
func Rootless() bool {
	uids := ownUserns().uids
	return len(uids) > 0 && (len(uids) != 1 || uids[0] != IDMap{0, 0, 1<<32 - 1})
}

// mapped reports whether id is mapped in maps.
func mapped(maps []IDMap, id int) bool {
	for _, m := range maps {
		if id >= m.Inside && id-m.Inside < m.Size {
			return true
		}
	}
	return false
}

// checkMapped fails for a user or group a rootless engine (in namespace
// ns) cannot switch to. groupAdd are the groups asked for explicitly (--group-add): without
// newgidmap the namespace cannot set supplementary groups at all, and
// those the image's /etc/group lists are dropped, the explicit ones
// refused.
func checkMapped(ns usernsInfo, u execUser, groupAdd []string) error {
	uids, gids := ns.uids, ns.gids
	what := ""
	switch {
	case !mapped(uids, u.UID):
		what = fmt.Sprintf("uid %d", u.UID)
	case !mapped(gids, u.GID):
		what = fmt.Sprintf("gid %d", u.GID)
	case ns.noSetgroups:
		if len(groupAdd) > 0 {
			return errors.New("supplementary groups need newgidmap (package uidmap) and a range for the engine's user in /etc/subgid: the rootless engine cannot set them")
		}
	default:
		for _, g := range u.Groups {
			if !mapped(gids, g) {
				what = fmt.Sprintf("supplementary gid %d", g)
				break
			}
		}
	}
	if what == "" {
		return nil
	}
	msg := fmt.Sprintf("%s is not mapped in the rootless engine's user namespace, which has ids %s only", what, describeMaps(uids))
	if len(uids) == 1 {
		msg += ": other users need newuidmap and newgidmap (package uidmap) and ranges for the engine's user in /etc/subuid and /etc/subgid"
	}
	return errors.New(msg)
}

// describeMaps lists the ids inside a namespace, adjacent ranges merged:
// "0", "0-65536".
func describeMaps(maps []IDMap) string {
	var parts []string
	for i := 0; i < len(maps); {
		lo, hi := maps[i].Inside, maps[i].Inside+maps[i].Size-1
		for i++; i < len(maps) && maps[i].Inside == hi+1; i++ {
			hi += maps[i].Size
		}
		if lo == hi {
			parts = append(parts, strconv.Itoa(lo))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", lo, hi))
		}
	}
	return strings.Join(parts, ", ")
}

// UserNamespace is the user namespace of a rootless engine: how ids map
// from inside to the host, and the setuid helpers that write maps an
// ordinary user may not write alone.
type UserNamespace struct {
	UIDs, GIDs []IDMap
	// NewUIDMap and NewGIDMap are the paths of newuidmap and newgidmap
	// (Debian's package uidmap); empty when UIDs and GIDs map only the
	// caller's own ids, which it may write itself.
	NewUIDMap, NewGIDMap string
	// Fallback is why Start mapped only the caller's own ids although
	// the helpers were there (they failed).
	Fallback error
}

// NewUserNamespace works out the namespace for the calling user: their
// uid and gid become 0 inside, and ids 1 to 65536 map to the start of their
// ranges in /etc/subuid and /etc/subgid when newuidmap and newgidmap are
// installed and both ranges exist (fewer ids if a range is smaller).
// Otherwise only 0 is mapped and containers can run only as root.
func NewUserNamespace() *UserNamespace {
	uid, gid := os.Getuid(), os.Getgid()
	u := &UserNamespace{
		UIDs: []IDMap{{0, uid, 1}},
		GIDs: []IDMap{{0, gid, 1}},
	}
	newuidmap, err1 := exec.LookPath("newuidmap")
	newgidmap, err2 := exec.LookPath("newgidmap")
	if err1 != nil || err2 != nil {
		return u
	}
	name := strconv.Itoa(uid)
	if usr, err := user.LookupId(name); err == nil {
		name = usr.Username
	}
	// newgidmap looks up the user's ranges in /etc/subgid too, not the
	// group's.
	subUID, ok1 := subIDRange("/etc/subuid", name, strconv.Itoa(uid))
	subGID, ok2 := subIDRange("/etc/subgid", name, strconv.Itoa(uid))
	if !ok1 || !ok2 {
		return u
	}
	u.UIDs = append(u.UIDs, IDMap{1, subUID.Outside, min(subUID.Size, subIDSize)})
	u.GIDs = append(u.GIDs, IDMap{1, subGID.Outside, min(subGID.Size, subIDSize)})
	u.NewUIDMap, u.NewGIDMap = newuidmap, newgidmap
	return u
}

// subIDRange finds the first range of user name (or uid) in a subuid or
// subgid file ("name:start:count" lines, as newuidmap reads them).
func subIDRange(path, name, uid string) (IDMap, bool) {
	f, err := os.Open(path)
	if err != nil {
		return IDMap{}, false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		p := strings.Split(strings.TrimSpace(s.Text()), ":")
		if len(p) != 3 || p[0] != name && p[0] != uid {
			continue
		}
		start, err1 := strconv.ParseUint(p[1], 10, 32)
		count, err2 := strconv.ParseUint(p[2], 10, 32)
		if err1 == nil && err2 == nil && count > 0 {
			return IDMap{Outside: int(start), Size: int(count)}, true
		}
	}
	return IDMap{}, false
}

// fdUserns is the descriptor of the sync socket in the process started by
// StartInUserNamespace.
const fdUserns = 3

// Start runs cmd (which must be this program, re-executed to call
// EnterUserNamespace first) in new user, mount and network namespaces
// mapped as u says, and returns once it is set up there. cmd must have no
// ExtraFiles; its SysProcAttr, if any, is kept and extended. The process
// gets SIGTERM if the thread that started it exits.
//
// A process that gains a mapping after it started has no capabilities in
// its namespace: the kernel grants them at execve. So the new process
// waits until Start has written the maps and then executes itself again
// (EnterUserNamespace), which makes it root inside.
func (u *UserNamespace) Start(cmd *exec.Cmd) error {
	if len(cmd.ExtraFiles) > 0 {
		return errors.New("user namespace: the command must not have ExtraFiles")
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("user namespace: %w", err)
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "userns"), os.NewFile(uintptr(fds[1]), "userns")
	defer ours.Close()
	cmd.ExtraFiles = []*os.File{theirs} // fdUserns
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Cloneflags |= unix.CLONE_NEWUSER | unix.CLONE_NEWNS | unix.CLONE_NEWNET
	cmd.SysProcAttr.Pdeathsig = syscall.SIGTERM
	err = cmd.Start()
	theirs.Close()
	if err != nil {
		return fmt.Errorf("user namespace: %w", cloneError(err))
	}
	fail := func(err error) error {
		cmd.Process.Kill()
		cmd.Wait()
		return err
	}
	if err := u.writeMaps(cmd.Process.Pid); err != nil {
		return fail(err)
	}
	if _, err := ours.Write([]byte{1}); err != nil {
		return fail(fmt.Errorf("user namespace: the process died before it was mapped: %w", err))
	}
	// The reply comes once the process runs again as root inside and
	// has set up its namespaces; EOF means it failed (and said why on
	// its stderr).
	if n, _ := ours.Read(make([]byte, 1)); n != 1 {
		cmd.Wait()
		return fmt.Errorf("user namespace: setting up the namespaces failed (%v)", cmd.ProcessState)
	}
	return nil
}

// cloneError explains the errors with which the kernel refuses an
// unprivileged user namespace: EPERM when disabled, ENOSPC when the limit
// is 0 (or reached), EACCES from a security module.
func cloneError(err error) error {
	for _, e := range []error{unix.EPERM, unix.ENOSPC, unix.EACCES} {
		if errors.Is(err, e) {
			return fmt.Errorf("%w (%w)", ErrNoUserNamespaces, err)
		}
	}
	return err
}

// writeMaps maps the ids of process pid: through the setuid helpers when
// u has them, falling back to the caller's own ids, which an unprivileged
// process may map for its child itself (after denying setgroups).
func (u *UserNamespace) writeMaps(pid int) error {
	if u.NewUIDMap != "" {
		err := runIDMapHelper(u.NewUIDMap, pid, u.UIDs)
		if err == nil {
			err = runIDMapHelper(u.NewGIDMap, pid, u.GIDs)
		}
		if err == nil {
			return nil
		}
		u.Fallback = err
		u.UIDs, u.GIDs = u.UIDs[:1], u.GIDs[:1]
		u.NewUIDMap, u.NewGIDMap = "", ""
	}
	dir := "/proc/" + strconv.Itoa(pid)
	for _, w := range []struct{ file, data string }{
		{"uid_map", formatIDMap(u.UIDs)},
		{"setgroups", "deny"},
		{"gid_map", formatIDMap(u.GIDs)},
	} {
		if err := os.WriteFile(dir+"/"+w.file, []byte(w.data), 0); err != nil {
			// gid_map may already be set if newgidmap failed after
			// newuidmap worked; a half-mapped process is of no use.
			return fmt.Errorf("user namespace: write %s: %w", w.file, err)
		}
	}
	return nil
}

func formatIDMap(maps []IDMap) string {
	var b strings.Builder
	for _, m := range maps {
		fmt.Fprintf(&b, "%d %d %d\n", m.Inside, m.Outside, m.Size)
	}
	return b.String()
}

func runIDMapHelper(helper string, pid int, maps []IDMap) error {
	args := []string{strconv.Itoa(pid)}
	for _, m := range maps {
		args = append(args, strconv.Itoa(m.Inside), strconv.Itoa(m.Outside), strconv.Itoa(m.Size))
	}
	out, err := exec.Command(helper, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", helper, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// executable is the path of the running program, for executing it again
// under its own name (ps, pgrep): /proc/self/exe would name it "exe".
func executable() string {
	if p, err := os.Executable(); err == nil {
		return p
	}
	return "/proc/self/exe"
}

// hasCapability reports whether the calling thread has capability c in
// its effective set.
func hasCapability(c int) bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return false
	}
	return data[c/32].Effective&(1<<uint(c%32)) != 0
}

// EnterUserNamespace is the first thing a process started by
// UserNamespace.Start does. Started unmapped, it waits for the maps and
// executes itself again (this call does not return then); as root in the
// namespace, it makes every mount a slave of the host's (nothing it mounts
// can reach the host), brings up lo in its network namespace, arms the
// parent-death signal and returns nil.
func EnterUserNamespace() error {
	var st unix.Stat_t
	if err := unix.Fstat(fdUserns, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFSOCK {
		return ErrNotInUserNamespace
	}
	conn := os.NewFile(fdUserns, "userns")
	defer conn.Close()
	if !hasCapability(unix.CAP_SYS_ADMIN) {
		// Started unmapped, so without capabilities (the maps may be
		// written by now: what counts is how the process was executed).
		if n, _ := conn.Read(make([]byte, 1)); n != 1 {
			os.Exit(1) // the parent gave up on us
		}
		// fdUserns stays open (not close-on-exec) for the reply.
		err := syscall.Exec(executable(), os.Args, os.Environ())
		return fmt.Errorf("user namespace: execute itself again: %w", err)
	}
	unix.CloseOnExec(fdUserns)
	if !Rootless() || os.Geteuid() != 0 {
		return ErrNotInUserNamespace
	}
	// Becoming root at execve cleared the parent-death signal.
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGTERM), 0, 0, 0); err != nil {
		return fmt.Errorf("user namespace: %w", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_SLAVE, ""); err != nil {
		return fmt.Errorf("user namespace: make / rslave: %w", err)
	}
	if err := loopbackUp(); err != nil {
		return fmt.Errorf("user namespace: %w", err)
	}
	// The reply fails if the parent died before the parent-death
	// signal was armed again.
	if _, err := conn.Write([]byte{1}); err != nil {
		return fmt.Errorf("user namespace: the parent is gone: %w", err)
	}
	return nil
}
