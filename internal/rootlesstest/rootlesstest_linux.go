package rootlesstest

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// The test accounts.
const (
	SubIDUser  = "boxtest"       // has ranges in /etc/subuid and /etc/subgid
	SingleUser = "boxtest-noids" // has none: a rootless engine maps only its uid
)

// User is an ordinary user for rootless tests.
type User struct {
	Name     string
	UID, GID int
	// SubUID is the first subordinate uid a rootless engine of this user
	// maps (to uid 1); 0 when it maps only UID (to root).
	SubUID int
}

// Get returns the test account with subordinate ids (SubIDUser) or
// without (SingleUser), creating it if needed. It skips tb unless the
// account can create user namespaces, and, with subIDs, map its
// subordinate ids (newuidmap and newgidmap installed).
func Get(tb testing.TB, subIDs bool) *User {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skip("needs root to create the test users and run programs as them")
	}
	for _, tool := range []string{"setpriv", "useradd", "unshare"} {
		if _, err := exec.LookPath(tool); err != nil {
			tb.Skipf("needs %s: %v", tool, err)
		}
	}
	lockUsers(tb)
	name := SingleUser
	if subIDs {
		name = SubIDUser
		for _, tool := range []string{"newuidmap", "newgidmap"} {
			if _, err := exec.LookPath(tool); err != nil {
				tb.Skipf("mapping subordinate ids needs %s (package uidmap)", tool)
			}
		}
	}
	if _, err := user.Lookup(name); err != nil {
		args := []string{"-m", name}
		if !subIDs {
			args = append([]string{"-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0"}, args...)
		}
		if out, err := exec.Command("useradd", args...).CombinedOutput(); err != nil {
			tb.Fatalf("useradd %s: %v\n%s", name, err, out)
		}
	}
	acct, err := user.Lookup(name)
	if err != nil {
		tb.Fatal(err)
	}
	u := &User{Name: name}
	u.UID, _ = strconv.Atoi(acct.Uid)
	u.GID, _ = strconv.Atoi(acct.Gid)
	start, hasUIDs := subIDStart("/etc/subuid", name, acct.Uid)
	_, hasGIDs := subIDStart("/etc/subgid", name, acct.Uid)
	switch {
	case subIDs && !(hasUIDs && hasGIDs):
		tb.Skipf("%s has no range in /etc/subuid and /etc/subgid", name)
	case !subIDs && (hasUIDs || hasGIDs):
		tb.Skipf("%s has a range in /etc/subuid or /etc/subgid", name)
	}
	if subIDs {
		u.SubUID = start
	}
	if out, err := u.Command(nil, "unshare", "-Ur", "true").CombinedOutput(); err != nil {
		tb.Skipf("unprivileged user namespaces do not work here (unshare -Ur true as %s: %v: %s)", name, err, out)
	}
	return u
}

func subIDStart(file, name, uid string) (int, bool) {
	b, _ := os.ReadFile(file)
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Split(l, ":")
		if len(f) == 3 && (f[0] == name || f[0] == uid) && f[2] != "0" {
			n, err := strconv.Atoi(f[1])
			return n, err == nil
		}
	}
	return 0, false
}

// Command runs a program as the user, in /, with PATH, HOME (the user's
// home) and env as its environment.
func (u *User) Command(env []string, name string, args ...string) *exec.Cmd {
	cmd := exec.Command("setpriv", append([]string{"--reuid=" + strconv.Itoa(u.UID), "--regid=" + strconv.Itoa(u.GID), "--init-groups", name}, args...)...)
	home := "/"
	if acct, err := user.LookupId(strconv.Itoa(u.UID)); err == nil {
		home = acct.HomeDir
	}
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + home}, env...)
	cmd.Dir = "/"
	return cmd
}

// Owns reports whether host uid belongs to the user: its own, or one of
// the subordinate ids its rootless engine maps.
func (u *User) Owns(uid int) bool {
	return uid == u.UID || u.SubUID != 0 && uid >= u.SubUID && uid < u.SubUID+65536
}

// SharedDir makes a directory that every user can read, for programs the
// test users run; it is removed when tb ends.
func SharedDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.MkdirTemp("", "boxlab-rootless-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// CopyExecutable copies the program at src into dir, readable and
// executable by everyone, and returns its path.
func CopyExecutable(tb testing.TB, src, dir string) string {
	tb.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		tb.Fatal(err)
	}
	dst := dir + "/" + src[strings.LastIndexByte(src, '/')+1:]
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dst
}

// lockUsers holds a machine-wide lock for the rest of tb: go test runs
// packages in parallel, and two packages creating the same account, or
// running as it at once, break each other (useradd's lock on /etc/passwd,
// shared subordinate ids).
func lockUsers(tb testing.TB) {
	tb.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "boxlab-rootlesstest.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		tb.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() }) // closing releases the lock
}
