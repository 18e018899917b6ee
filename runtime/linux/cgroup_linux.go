package linux

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// cgroupParent is the directory, under the engine's own cgroup in every
// hierarchy, that holds one cgroup per container. Nesting under the
// engine's cgroup (not the hierarchy root) keeps containers inside whatever
// limits the engine itself runs under, and works with delegated subtrees.
const cgroupParent = "boxlab"

// cgroupMountFlags are cgroup v1 super options that are not controllers.
var cgroupMountFlags = []string{"rw", "ro", "xattr", "clone_children", "noprefix", "cpuset_v2_mode", "favordynmods"}

// hierarchy is one mounted cgroup hierarchy of the host.
type hierarchy struct {
	mount       string   // where it is mounted in the engine's mount namespace
	controllers []string // v1 controllers (and name=...); nil for cgroup2
	v2          bool
	own         string // the engine's cgroup in it
}

func (h hierarchy) has(c string) bool { return slices.Contains(h.controllers, c) }

var host struct {
	once sync.Once
	v2   bool // a pure cgroup2 host
	hs   []hierarchy
	err  error
}

// hostHierarchies lists the hierarchies containers use: the v1 ones with
// controllers boxlab wants, or the single cgroup2 one on a pure v2 host
// (on a hybrid host the cgroup2 mount has no controllers and is skipped).
func hostHierarchies() (bool, []hierarchy, error) {
	host.once.Do(func() {
		host.v2, host.hs, host.err = discoverCgroups()
	})
	return host.v2, host.hs, host.err
}

func discoverCgroups() (bool, []hierarchy, error) {
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return false, nil, err
	}
	own, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return false, nil, err
	}
	var v1 []hierarchy
	var v2 *hierarchy
	for _, m := range parseMountinfo(mounts) {
		switch m.fstype {
		case "cgroup":
			var ctrls []string
			for _, o := range strings.Split(m.super, ",") {
				if strings.HasPrefix(o, "name=") || !strings.Contains(o, "=") && !slices.Contains(cgroupMountFlags, o) {
					ctrls = append(ctrls, o)
				}
			}
			v1 = append(v1, hierarchy{mount: m.point, controllers: ctrls})
		case "cgroup2":
			if v2 == nil {
				v2 = &hierarchy{mount: m.point, v2: true}
			}
		}
	}
	lines := strings.Split(strings.TrimSpace(string(own)), "\n")
	var used []hierarchy
	// A container gets a cgroup in every v1 hierarchy, as with runc, so
	// that its /sys/fs/cgroup and /proc/self/cgroup look like Docker's.
	for _, h := range v1 {
		for _, l := range lines {
			f := strings.SplitN(l, ":", 3)
			if len(f) == 3 && sameSet(strings.Split(f[1], ","), h.controllers) {
				h.own = f[2]
				used = append(used, h)
				break
			}
		}
	}
	if len(used) > 0 || v2 == nil {
		return false, used, nil
	}
	for _, l := range lines {
		if p, ok := strings.CutPrefix(l, "0::"); ok {
			v2.own = p
			return true, []hierarchy{*v2}, nil
		}
	}
	return false, nil, nil
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

type mountEntry struct {
	point, fstype, source, super string
}

func parseMountinfo(b []byte) []mountEntry {
	var out []mountEntry
	s := bufio.NewScanner(bytes.NewReader(b))
	for s.Scan() {
		pre, post, ok := strings.Cut(s.Text(), " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(g) < 3 {
			continue
		}
		out = append(out, mountEntry{point: unescapeMount(f[4]), fstype: g[0], source: g[1], super: g[2]})
	}
	return out
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// cgroup is one container's cgroups: a directory per hierarchy.
type cgroup struct {
	v2     bool
	dirs   []string          // every directory, in hierarchy order
	mounts []string          // the hierarchy each of dirs is in
	ctrl   map[string]string // controller → directory ("" is the v2 one)
}

// cgroupPaths is what the init needs to know of its cgroups to show them
// at /sys/fs/cgroup.
type cgroupPaths struct {
	V2     bool
	Dirs   []string
	Mounts []string
}

func (c *cgroup) paths() cgroupPaths {
	if c == nil {
		return cgroupPaths{}
	}
	return cgroupPaths{V2: c.v2, Dirs: c.dirs, Mounts: c.mounts}
}

func (c *cgroup) dir(ctrl string) string {
	if c == nil {
		return ""
	}
	if c.v2 {
		return c.ctrl[""]
	}
	return c.ctrl[ctrl]
}

// newCgroup creates the container's cgroups and applies its limits. A host
// without usable cgroups gives a cgroup with no directories.
func newCgroup(id string, res Resources, privileged bool) (*cgroup, error) {
	v2, hs, err := hostHierarchies()
	if err != nil {
		return nil, fmt.Errorf("cgroups: %w", err)
	}
	c := &cgroup{v2: v2, ctrl: map[string]string{}}
	for _, h := range hs {
		parent := filepath.Join(h.mount, h.own, cgroupParent)
		dir := filepath.Join(parent, id)
		var setup func() // runs when the parent is new
		if v2 {
			setup = func() { enableControllers(filepath.Join(h.mount, h.own), parent) }
		}
		if err := mkdirCgroup(parent, dir, setup); err != nil {
			if errors.Is(err, os.ErrPermission) || errors.Is(err, unix.EROFS) {
				continue // not ours to change: run without this hierarchy
			}
			c.remove()
			return nil, fmt.Errorf("cgroups: %w", err)
		}
		if h.has("cpuset") {
			if err := fillCpuset(dir, filepath.Join(h.mount, h.own)); err != nil {
				c.remove()
				return nil, fmt.Errorf("cgroups: %w", err)
			}
		}
		c.dirs = append(c.dirs, dir)
		c.mounts = append(c.mounts, h.mount)
		if v2 {
			c.ctrl[""] = dir
			continue
		}
		for _, ctrl := range h.controllers {
			c.ctrl[ctrl] = dir
		}
	}
	if err := c.apply(res, privileged); err != nil {
		c.remove()
		return nil, err
	}
	return c, nil
}

// mkdirCgroup creates dir in parent, creating the parent (and running
// setup, if any) when it is missing: the first container, or after
// RemoveStaleCgroups removed it. An empty dir of the same name, which
// only an earlier run of the same container can have left, is replaced.
func mkdirCgroup(parent, dir string, setup func()) error {
	for range 5 {
		err := os.Mkdir(dir, 0o755)
		if errors.Is(err, os.ErrExist) {
			// Left by an earlier run of this container whose engine
			// died, and too recent for RemoveStaleCgroups: it is
			// empty (the container died with its engine), or busy and
			// not ours to take.
			if rerr := unix.Rmdir(dir); rerr != nil {
				return err
			}
			continue
		}
		if err == nil || !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return err
		}
		if setup != nil {
			setup()
		}
	}
	return os.Mkdir(dir, 0o755)
}

// fillCpuset gives a new v1 cpuset cgroup the cpus and memory nodes of
// its parent (up to top, which has them): a cpuset cgroup starts empty and
// no process can join it until they are set. The parent is told to do the
// same for the next child (clone_children).
func fillCpuset(dir, top string) error {
	cpus, err := readCgroup(dir, "cpuset.cpus")
	if err != nil || cpus != "" || dir == top {
		return err
	}
	parent := filepath.Dir(dir)
	if err := fillCpuset(parent, top); err != nil {
		return err
	}
	for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
		v, err := readCgroup(parent, f)
		if err != nil {
			return err
		}
		if err := writeCgroup(dir, f, v); err != nil {
			return err
		}
	}
	if parent != top {
		writeCgroup(parent, "cgroup.clone_children", "1")
	}
	return nil
}

// enableControllers delegates the v2 controllers boxlab uses down to the
// per-container cgroups. It fails harmlessly when the engine's own cgroup
// holds processes (cgroup2's no-internal-process rule): containers then run
// without limits, as Docker does when the host lacks a controller.
func enableControllers(own, parent string) {
	for _, dir := range []string{own, parent} {
		for _, c := range []string{"+pids", "+memory", "+cpu"} {
			writeCgroup(dir, "cgroup.subtree_control", c)
		}
	}
}

func writeCgroup(dir, file, value string) error {
	f, err := os.OpenFile(filepath.Join(dir, file), os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(value)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s to %s: %w", value, filepath.Join(dir, file), err)
	}
	return nil
}

func readCgroup(dir, file string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, file))
	return strings.TrimSpace(string(b)), err
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// defaultDeviceRules are the devices a non-privileged container may use
// (runc's defaults): mknod of anything, and the standard character devices.
var defaultDeviceRules = []string{
	"c *:* m", "b *:* m",
	"c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", // null zero full random urandom
	"c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", // tty console ptmx pts
	"c 10:200 rwm", // tun
}

func (c *cgroup) apply(r Resources, privileged bool) error {
	if c.v2 {
		d := c.ctrl[""]
		if d == "" {
			return nil
		}
		if r.Memory > 0 && exists(filepath.Join(d, "memory.max")) {
			if err := writeCgroup(d, "memory.max", strconv.FormatInt(r.Memory, 10)); err != nil {
				return err
			}
			if exists(filepath.Join(d, "memory.swap.max")) {
				// cgroup2 limits swap alone, not memory+swap.
				swap := strconv.FormatInt(r.Memory, 10) // Docker's default: as much swap again
				switch {
				case r.MemorySwap < 0:
					swap = "max"
				case r.MemorySwap > 0:
					swap = strconv.FormatInt(max(r.MemorySwap-r.Memory, 0), 10)
				}
				if err := writeCgroup(d, "memory.swap.max", swap); err != nil {
					return err
				}
			}
		}
		if r.NanoCPUs > 0 && exists(filepath.Join(d, "cpu.max")) {
			quota := r.NanoCPUs * cfsPeriod / 1e9
			if err := writeCgroup(d, "cpu.max", fmt.Sprintf("%d %d", quota, cfsPeriod)); err != nil {
				return err
			}
		}
		if r.PidsLimit > 0 && exists(filepath.Join(d, "pids.max")) {
			if err := writeCgroup(d, "pids.max", strconv.FormatInt(r.PidsLimit, 10)); err != nil {
				return err
			}
		}
		if r.CPUShares > 0 && exists(filepath.Join(d, "cpu.weight")) {
			// runc's conversion of shares [2, 262144] to weight [1, 10000].
			w := 1 + ((max(r.CPUShares, 2)-2)*9999)/262142
			if err := writeCgroup(d, "cpu.weight", strconv.FormatInt(min(w, 10000), 10)); err != nil {
				return err
			}
		}
		return nil
	}
	if d := c.ctrl["devices"]; d != "" {
		if privileged {
			if err := writeCgroup(d, "devices.allow", "a"); err != nil {
				return err
			}
		} else {
			if err := writeCgroup(d, "devices.deny", "a"); err != nil {
				return err
			}
			for _, rule := range defaultDeviceRules {
				if err := writeCgroup(d, "devices.allow", rule); err != nil {
					return err
				}
			}
		}
	}
	if d := c.ctrl["memory"]; d != "" && r.Memory > 0 {
		if err := writeCgroup(d, "memory.limit_in_bytes", strconv.FormatInt(r.Memory, 10)); err != nil {
			return err
		}
		if exists(filepath.Join(d, "memory.memsw.limit_in_bytes")) {
			swap := 2 * r.Memory // Docker's default --memory-swap
			switch {
			case r.MemorySwap < 0:
				swap = -1
			case r.MemorySwap > 0:
				swap = r.MemorySwap
			}
			if err := writeCgroup(d, "memory.memsw.limit_in_bytes", strconv.FormatInt(swap, 10)); err != nil {
				return err
			}
		}
	}
	if d := c.ctrl["pids"]; d != "" && r.PidsLimit > 0 {
		if err := writeCgroup(d, "pids.max", strconv.FormatInt(r.PidsLimit, 10)); err != nil {
			return err
		}
	}
	if d := c.ctrl["cpu"]; d != "" && r.CPUShares > 0 {
		if err := writeCgroup(d, "cpu.shares", strconv.FormatInt(r.CPUShares, 10)); err != nil {
			return err
		}
	}
	if d := c.ctrl["cpu"]; d != "" && r.NanoCPUs > 0 {
		if err := writeCgroup(d, "cpu.cfs_period_us", strconv.Itoa(cfsPeriod)); err != nil {
			return err
		}
		if err := writeCgroup(d, "cpu.cfs_quota_us", strconv.FormatInt(r.NanoCPUs*cfsPeriod/1e9, 10)); err != nil {
			return err
		}
	}
	return nil
}

// cfsPeriod is the CPU bandwidth period Docker uses for --cpus, in µs.
const cfsPeriod = 100000

// join moves pid (a whole process) into every cgroup of the container.
func (c *cgroup) join(pid int) error {
	for _, d := range c.dirs {
		if err := writeCgroup(d, "cgroup.procs", strconv.Itoa(pid)); err != nil {
			return err
		}
	}
	return nil
}

// oomKilled reports whether the kernel's OOM killer killed a process of
// the container.
func (c *cgroup) oomKilled() bool {
	d := c.dir("memory")
	if d == "" {
		return false
	}
	file := "memory.oom_control"
	if c.v2 {
		file = "memory.events"
	}
	s, err := readCgroup(d, file)
	if err != nil {
		return false
	}
	for _, l := range strings.Split(s, "\n") {
		if n, ok := strings.CutPrefix(l, "oom_kill "); ok {
			return n != "0"
		}
	}
	return false
}

// freeze stops (or thaws) every process of the container and waits until
// the kernel says it is done.
func (c *cgroup) freeze(frozen bool) error {
	if c.v2 {
		d := c.ctrl[""]
		if d == "" || !exists(filepath.Join(d, "cgroup.freeze")) {
			return ErrNoFreezer
		}
		want := "0"
		if frozen {
			want = "1"
		}
		if err := writeCgroup(d, "cgroup.freeze", want); err != nil {
			return err
		}
		return waitFor(func() (bool, error) {
			s, err := readCgroup(d, "cgroup.events")
			return strings.Contains(s, "frozen "+want), err
		})
	}
	d := c.ctrl["freezer"]
	if d == "" {
		return ErrNoFreezer
	}
	want := "THAWED"
	if frozen {
		want = "FROZEN"
	}
	if err := writeCgroup(d, "freezer.state", want); err != nil {
		return err
	}
	return waitFor(func() (bool, error) {
		s, err := readCgroup(d, "freezer.state")
		if err == nil && s == "FREEZING" {
			// A task in an uninterruptible sleep holds the freeze back;
			// asking again makes the kernel retry it.
			err = writeCgroup(d, "freezer.state", want)
		}
		return s == want, err
	})
}

// waitFor polls done with a short, growing interval for up to a few
// seconds. Freezing usually completes before the first check.
func waitFor(done func() (bool, error)) error {
	delay := 100 * time.Microsecond
	deadline := time.Now().Add(5 * time.Second)
	for {
		ok, err := done()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return errors.New("cgroup: timed out waiting for the freezer")
		}
		time.Sleep(delay)
		delay = min(2*delay, 10*time.Millisecond)
	}
}

// procs lists the host pids in the container's cgroup.
func (c *cgroup) procs() ([]int, error) {
	d := c.dir("freezer")
	if d == "" {
		d = c.dir("pids")
	}
	if d == "" && len(c.dirs) > 0 {
		d = c.dirs[0]
	}
	if d == "" {
		return nil, errors.New("no cgroup")
	}
	s, err := readCgroup(d, "cgroup.procs")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, f := range strings.Fields(s) {
		if n, err := strconv.Atoi(f); err == nil {
			pids = append(pids, n)
		}
	}
	return pids, nil
}

// remove deletes the container's cgroups. The processes are gone by then;
// a cgroup may still be busy for a moment while the last one finishes
// exiting. The boxlab parents stay for the next container (creating them
// costs a cpuset copy each time); RemoveStaleCgroups removes them.
func (c *cgroup) remove() error {
	var first error
	for _, d := range c.dirs {
		var err error
		for i := range 50 {
			if err = unix.Rmdir(d); err == nil || err == unix.ENOENT {
				err = nil
				break
			}
			if err != unix.EBUSY {
				break
			}
			time.Sleep(time.Duration(i+1) * time.Millisecond)
		}
		if err != nil && first == nil {
			first = fmt.Errorf("remove cgroup %s: %w", d, err)
		}
	}
	c.dirs = nil
	return first
}

// containerCgroup finds the cgroups of a running container from its init's
// host pid. Only cgroups boxlab made count, so that a process outside any
// container cgroup never reports the engine's own.
func containerCgroup(pid int) (*cgroup, error) {
	v2, hs, err := hostHierarchies()
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return nil, err
	}
	c := &cgroup{v2: v2, ctrl: map[string]string{}}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for _, h := range hs {
		for _, l := range lines {
			f := strings.SplitN(l, ":", 3)
			if len(f) != 3 {
				continue
			}
			if v2 && f[0] != "0" || !v2 && !sameSet(strings.Split(f[1], ","), h.controllers) {
				continue
			}
			if filepath.Base(filepath.Dir(f[2])) != cgroupParent {
				continue
			}
			dir := filepath.Join(h.mount, f[2])
			c.dirs = append(c.dirs, dir)
			c.mounts = append(c.mounts, h.mount)
			if v2 {
				c.ctrl[""] = dir
			}
			for _, ctrl := range h.controllers {
				c.ctrl[ctrl] = dir
			}
		}
	}
	return c, nil
}
