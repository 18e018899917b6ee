package linux

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// setupRootfs builds the container's root at spec.Rootfs.Target inside the
// init's own mount namespace, in Docker's order, and pivots into it. Nothing
// here is visible to the host: / is made private first.
func setupRootfs(spec *Spec, cg cgroupPaths) error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make / private: %w", err)
	}
	root := spec.Rootfs.Target
	if err := mountOverlay(spec.Rootfs); err != nil {
		return err
	}
	const nosuidNoexecNodev = unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV
	shm := "mode=1777,size=65536k"
	if spec.ShmSize > 0 {
		shm = "mode=1777,size=" + strconv.FormatInt(spec.ShmSize, 10)
	}
	sysFlags := uintptr(nosuidNoexecNodev | unix.MS_RDONLY)
	if spec.Privileged {
		sysFlags &^= unix.MS_RDONLY
	}
	std := []struct {
		fstype, source, dest string
		flags                uintptr
		data                 string
	}{
		{"proc", "proc", "/proc", nosuidNoexecNodev, ""},
		{"tmpfs", "tmpfs", "/dev", unix.MS_NOSUID | unix.MS_STRICTATIME, "mode=755,size=65536k"},
		{"devpts", "devpts", "/dev/pts", unix.MS_NOSUID | unix.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=" + strconv.Itoa(ttyGID)},
		{"tmpfs", "shm", "/dev/shm", nosuidNoexecNodev, shm},
		{"mqueue", "mqueue", "/dev/mqueue", nosuidNoexecNodev, ""},
		{"sysfs", "sysfs", "/sys", sysFlags, ""},
	}
	if Rootless() && !mapped(ownUserns().gids, ttyGID) {
		// devpts refuses a gid that does not exist in the namespace;
		// without it the ptys belong to the creator's group, as with
		// runc rootless.
		std[2].data = strings.Replace(std[2].data, ",gid="+strconv.Itoa(ttyGID), "", 1)
	}
	for _, m := range std {
		dst, err := mkdirIn(root, m.dest)
		if err != nil {
			return err
		}
		if err := unix.Mount(m.source, dst, m.fstype, m.flags, m.data); err != nil {
			return fmt.Errorf("error mounting %q to rootfs at %q: %w", m.source, m.dest, err)
		}
	}
	if err := mountCgroups(root, cg, spec.Privileged); err != nil {
		return err
	}
	for _, m := range spec.Mounts {
		if err := mountOne(root, m); err != nil {
			return err
		}
	}
	if err := makeDevices(root, spec.Privileged); err != nil {
		return err
	}
	if spec.Init {
		dst, err := fileIn(root, ReaperPath)
		if err != nil {
			return err
		}
		if err := bindMount(spec.Toolbox, dst, unix.MS_RDONLY); err != nil {
			return fmt.Errorf("error mounting %q to rootfs at %q: %w", spec.Toolbox, ReaperPath, err)
		}
	}
	return pivotRoot(root)
}

// mountOverlay mounts the image layers and the container's layer.
func mountOverlay(r Rootfs) error {
	if len(r.Lower) == 0 {
		// An image without layers (FROM scratch, nothing added): the
		// container's own layer is the whole filesystem.
		return bindMount(r.Upper, r.Target, 0)
	}
	opts := overlayOptions(r.Lower, r.Upper, r.Work)
	if len(opts) >= os.Getpagesize() {
		// mount(2) takes one page of options: name the layers relative to
		// their common parent, from inside it (Docker's overlay2 trick).
		dir := commonDir(append(append([]string{}, r.Lower...), r.Upper, r.Work))
		rel := func(p string) string { q, _ := filepath.Rel(dir, p); return q }
		lower := make([]string, len(r.Lower))
		for i, l := range r.Lower {
			lower[i] = rel(l)
		}
		opts = overlayOptions(lower, rel(r.Upper), rel(r.Work))
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		if err := os.Chdir(dir); err != nil {
			return err
		}
		defer os.Chdir(wd)
	}
	if Rootless() {
		// In a user namespace overlayfs may not use trusted.* xattrs:
		// opaque directories are marked user.overlay.opaque (as the
		// image store writes them when rootless).
		opts += ",userxattr"
	}
	if err := unix.Mount("overlay", r.Target, "overlay", 0, opts); err != nil {
		return fmt.Errorf("mount overlay at %s: %w", r.Target, err)
	}
	return nil
}

// overlayOptions escapes the characters overlayfs splits on (",", and ":"
// between lower layers) with backslashes.
func overlayOptions(lower []string, upper, work string) string {
	esc := strings.NewReplacer(`\`, `\\`, ",", `\,`, ":", `\:`)
	l := make([]string, len(lower))
	for i, d := range lower {
		l[i] = esc.Replace(d)
	}
	opts := "lowerdir=" + strings.Join(l, ":")
	if upper != "" {
		opts += ",upperdir=" + esc.Replace(upper) + ",workdir=" + esc.Replace(work)
	}
	return opts
}

func commonDir(paths []string) string {
	dir := filepath.Dir(paths[0])
	for _, p := range paths[1:] {
		for dir != "/" && !strings.HasPrefix(p, dir+"/") {
			dir = filepath.Dir(dir)
		}
	}
	return dir
}

// mountCgroups shows the container its own cgroups read-only at
// /sys/fs/cgroup, like Docker: on cgroup v1 a tmpfs with a bind of each
// hierarchy's container cgroup. (On cgroup v2 the init mounts cgroup2 once
// it is in its cgroup: mountCgroup2.)
func mountCgroups(root string, cg cgroupPaths, privileged bool) error {
	if len(cg.Dirs) == 0 {
		return nil
	}
	dst, err := mkdirIn(root, "/sys/fs/cgroup")
	if err != nil || cg.V2 {
		return err
	}
	flags := uintptr(unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV)
	if !privileged {
		flags |= unix.MS_RDONLY
	}
	if err := unix.Mount("tmpfs", dst, "tmpfs", unix.MS_NOSUID|unix.MS_NOEXEC|unix.MS_NODEV, "mode=755"); err != nil {
		return fmt.Errorf("error mounting %q to rootfs at %q: %w", "tmpfs", "/sys/fs/cgroup", err)
	}
	for i, dir := range cg.Dirs {
		name := filepath.Base(cg.Mounts[i])
		d := filepath.Join(dst, name)
		if err := os.Mkdir(d, 0o755); err != nil {
			return err
		}
		if err := bindMount(dir, d, flags); err != nil {
			return fmt.Errorf("error mounting %q to rootfs at %q: %w", dir, "/sys/fs/cgroup/"+name, err)
		}
	}
	return nil
}

// mountCgroup2 mounts the cgroup2 filesystem, seen from the container's
// cgroup namespace, after pivot_root.
func mountCgroup2(privileged bool) error {
	flags := uintptr(unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV)
	if !privileged {
		flags |= unix.MS_RDONLY
	}
	if err := unix.Mount("cgroup", "/sys/fs/cgroup", "cgroup2", flags, ""); err != nil {
		return fmt.Errorf("error mounting %q to rootfs at %q: %w", "cgroup", "/sys/fs/cgroup", err)
	}
	return nil
}

// ttyGID is the tty group, which owns the ptys of a container's devpts
// (Docker's gid=5).
const ttyGID = 5

// bindMount binds src at dst, then applies flags (read-only, nosuid, ...),
// which a bind mount only takes on a remount.
func bindMount(src, dst string, flags uintptr) error {
	if err := unix.Mount(src, dst, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return err
	}
	if flags == 0 {
		return nil
	}
	return remountBind(dst, flags)
}

// lockedFlags are the flags a mount made in a more privileged user
// namespace keeps in ours: a remount that would clear one fails with EPERM.
var lockedFlags = []struct{ st, ms uintptr }{
	{unix.ST_RDONLY, unix.MS_RDONLY}, {unix.ST_NOSUID, unix.MS_NOSUID}, {unix.ST_NODEV, unix.MS_NODEV},
	{unix.ST_NOEXEC, unix.MS_NOEXEC}, {unix.ST_NOATIME, unix.MS_NOATIME}, {unix.ST_NODIRATIME, unix.MS_NODIRATIME},
	{unix.ST_RELATIME, unix.MS_RELATIME},
}

// remountBind applies flags to the bind mount at dst. In a rootless
// engine's user namespace the host's flags on the source (nodev on /home,
// say) are locked and must be kept, as runc does rootless.
func remountBind(dst string, flags uintptr) error {
	err := unix.Mount("", dst, "", unix.MS_BIND|unix.MS_REMOUNT|flags, "")
	if err != unix.EPERM {
		return err
	}
	var st unix.Statfs_t
	if unix.Statfs(dst, &st) != nil {
		return err
	}
	keep := flags
	for _, f := range lockedFlags {
		if uintptr(st.Flags)&f.st != 0 {
			keep |= f.ms
		}
	}
	if keep == flags {
		return err
	}
	return unix.Mount("", dst, "", unix.MS_BIND|unix.MS_REMOUNT|keep, "")
}

var mountFlags = map[string]struct {
	clear bool
	flag  uintptr
}{
	"ro": {false, unix.MS_RDONLY}, "rw": {true, unix.MS_RDONLY},
	"nosuid": {false, unix.MS_NOSUID}, "suid": {true, unix.MS_NOSUID},
	"nodev": {false, unix.MS_NODEV}, "dev": {true, unix.MS_NODEV},
	"noexec": {false, unix.MS_NOEXEC}, "exec": {true, unix.MS_NOEXEC},
	"sync": {false, unix.MS_SYNCHRONOUS}, "async": {true, unix.MS_SYNCHRONOUS},
	"noatime": {false, unix.MS_NOATIME}, "atime": {true, unix.MS_NOATIME},
	"nodiratime": {false, unix.MS_NODIRATIME}, "diratime": {true, unix.MS_NODIRATIME},
	"relatime": {false, unix.MS_RELATIME}, "norelatime": {true, unix.MS_RELATIME},
	"strictatime": {false, unix.MS_STRICTATIME}, "nostrictatime": {true, unix.MS_STRICTATIME},
	"bind": {false, unix.MS_BIND}, "rbind": {false, unix.MS_BIND | unix.MS_REC},
}

var propagationFlags = map[string]uintptr{
	"private": unix.MS_PRIVATE, "rprivate": unix.MS_PRIVATE | unix.MS_REC,
	"shared": unix.MS_SHARED, "rshared": unix.MS_SHARED | unix.MS_REC,
	"slave": unix.MS_SLAVE, "rslave": unix.MS_SLAVE | unix.MS_REC,
	"unbindable": unix.MS_UNBINDABLE, "runbindable": unix.MS_UNBINDABLE | unix.MS_REC,
}

// parseMountOptions splits options into mount flags, propagation flags and
// filesystem data ("size=64m,mode=1777").
func parseMountOptions(opts []string) (flags, propagation uintptr, data string) {
	var extra []string
	for _, o := range opts {
		if f, ok := mountFlags[o]; ok {
			if f.clear {
				flags &^= f.flag
			} else {
				flags |= f.flag
			}
			continue
		}
		if p, ok := propagationFlags[o]; ok {
			propagation = p
			continue
		}
		if o != "" {
			extra = append(extra, o)
		}
	}
	return flags, propagation, strings.Join(extra, ",")
}

// mountOne mounts one of Spec.Mounts into the rootfs.
func mountOne(root string, m Mount) error {
	if !path.IsAbs(m.Destination) {
		return fmt.Errorf("invalid mount destination %q: not an absolute path", m.Destination)
	}
	flags, propagation, data := parseMountOptions(m.Options)
	fail := func(err error) error {
		return fmt.Errorf("error mounting %q to rootfs at %q: %w", m.Source, m.Destination, err)
	}
	var dst string
	var err error
	switch m.Type {
	case "bind":
		st, serr := os.Stat(m.Source)
		if serr != nil {
			return fail(serr)
		}
		if st.IsDir() {
			dst, err = mkdirIn(root, m.Destination)
		} else {
			dst, err = fileIn(root, m.Destination)
		}
		if err != nil {
			return fail(err)
		}
		bind := flags & (unix.MS_BIND | unix.MS_REC)
		if bind == 0 {
			bind = unix.MS_BIND | unix.MS_REC // Docker binds recursively unless told otherwise
		}
		if err := unix.Mount(m.Source, dst, "", bind, ""); err != nil {
			return fail(err)
		}
		if rest := flags &^ (unix.MS_BIND | unix.MS_REC); rest != 0 {
			if err := remountBind(dst, rest); err != nil {
				return fail(err)
			}
		}
	case "tmpfs":
		if dst, err = mkdirIn(root, m.Destination); err != nil {
			return fail(err)
		}
		if err := unix.Mount("tmpfs", dst, "tmpfs", flags&^(unix.MS_BIND|unix.MS_REC), data); err != nil {
			return fail(err)
		}
	default:
		return fmt.Errorf("mount type %q is not supported", m.Type)
	}
	if propagation != 0 {
		if err := unix.Mount("", dst, "", propagation, ""); err != nil {
			return fail(err)
		}
	}
	return nil
}

// securePath resolves p inside root as if root were "/": symbolic links
// (absolute or with "..") cannot lead out of it. Missing components are
// kept as they are.
func securePath(root, p string) (string, error) {
	rest := strings.Split(path.Clean("/"+p), "/")
	cur := "/"
	for links := 0; len(rest) > 0; {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, c)
		st, err := os.Lstat(filepath.Join(root, next))
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if links++; links > 255 {
			return "", &os.PathError{Op: "resolve", Path: p, Err: syscall.ELOOP}
		}
		target, err := os.Readlink(filepath.Join(root, next))
		if err != nil {
			return "", err
		}
		if path.IsAbs(target) {
			cur = "/"
		}
		rest = append(strings.Split(target, "/"), rest...)
	}
	return filepath.Join(root, cur), nil
}

// mkdirIn creates directory p (and its parents) inside root and returns
// its host path.
func mkdirIn(root, p string) (string, error) {
	dst, err := securePath(root, p)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return "", err
	}
	return dst, nil
}

// fileIn creates an empty file p (a mount point for a file) inside root.
func fileIn(root, p string) (string, error) {
	dst, err := securePath(root, p)
	if err != nil {
		return "", err
	}
	if st, err := os.Stat(dst); err == nil {
		if st.IsDir() {
			return "", &os.PathError{Op: "mount", Path: p, Err: syscall.EISDIR}
		}
		return dst, nil
	}
	if _, err := mkdirIn(root, path.Dir(p)); err != nil {
		return "", err
	}
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return "", err
	}
	return dst, f.Close()
}

// Docker's standard character devices: name, major, minor.
var stdDevices = []struct {
	name         string
	major, minor uint32
}{
	{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
}

// makeDevices fills the container's /dev tmpfs: the standard devices (all
// of the host's for a privileged container) and the usual links. A
// rootless engine may not make device nodes (and its tmpfs would not honour
// them): it binds the host's instead, as runc does rootless.
func makeDevices(root string, privileged bool) error {
	dev := filepath.Join(root, "dev")
	rootless := Rootless()
	if privileged {
		if err := copyHostDevices(dev, rootless); err != nil {
			return err
		}
	}
	for _, d := range stdDevices {
		target := filepath.Join(dev, d.name)
		var err error
		if rootless {
			err = bindDevice("/dev/"+d.name, target)
		} else {
			err = unix.Mknod(target, unix.S_IFCHR|0o666, int(unix.Mkdev(d.major, d.minor)))
		}
		if err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("create device /dev/%s: %w", d.name, err)
		}
	}
	links := [][2]string{
		{"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
		{"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"},
	}
	if _, err := os.Stat("/proc/kcore"); err == nil {
		links = append(links, [2]string{"/proc/kcore", "core"})
	}
	for _, l := range links {
		if err := os.Symlink(l[0], filepath.Join(dev, l[1])); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("create /dev/%s: %w", l[1], err)
		}
	}
	return nil
}

// bindDevice binds the host's device node src at target, a new file
// (EEXIST if there is one).
func bindDevice(src, target string) error {
	f, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY|unix.O_CLOEXEC, 0o666)
	if err != nil {
		return err
	}
	f.Close()
	return unix.Mount(src, target, "", unix.MS_BIND, "")
}

// copyHostDevices recreates the host's device nodes, as Docker does for a
// privileged container (not the pty, shm and mqueue instances, which the
// container has its own of); rootless, it binds them.
func copyHostDevices(dev string, rootless bool) error {
	skip := map[string]bool{"pts": true, "shm": true, "mqueue": true, "fd": true, "console": true, "ptmx": true}
	return filepath.WalkDir("/dev", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel := strings.TrimPrefix(p, "/dev/")
		if p == "/dev" {
			return nil
		}
		if skip[rel] || strings.HasPrefix(filepath.Base(p), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dev, rel), 0o755)
		}
		if d.Type()&(fs.ModeDevice|fs.ModeCharDevice) == 0 {
			return nil
		}
		var st unix.Stat_t
		if unix.Lstat(p, &st) != nil {
			return nil
		}
		target := filepath.Join(dev, rel)
		if rootless {
			if err := bindDevice(p, target); err != nil && !errors.Is(err, unix.EEXIST) {
				return fmt.Errorf("bind device %s: %w", p, err)
			}
			return nil
		}
		if err := unix.Mknod(target, st.Mode, int(st.Rdev)); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("create device %s: %w", p, err)
		}
		return unix.Chown(target, int(st.Uid), int(st.Gid))
	})
}

// pivotRoot makes root the container's / and detaches the host's root
// from the container's mount namespace.
func pivotRoot(root string) error {
	oldroot, err := unix.Open("/", unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(oldroot)
	newroot, err := unix.Open(root, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(newroot)
	if err := unix.Fchdir(newroot); err != nil {
		return err
	}
	// pivot_root(".", ".") stacks the old root on top of the new one, so no
	// directory for it is needed in the image.
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root %s: %w", root, err)
	}
	if err := unix.Fchdir(oldroot); err != nil {
		return err
	}
	if err := unix.Mount("", ".", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return err
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detach the old root: %w", err)
	}
	return unix.Chdir("/")
}

// maskPaths applies Docker's read-only and masked paths after pivot_root.
func maskPaths(readonly, masked []string) error {
	for _, p := range readonly {
		if err := unix.Mount(p, p, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			if errors.Is(err, unix.ENOENT) {
				continue
			}
			return fmt.Errorf("make %s read-only: %w", p, err)
		}
		flags := uintptr(unix.MS_BIND | unix.MS_REMOUNT | unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC)
		if err := unix.Mount("", p, "", flags, ""); err != nil {
			return fmt.Errorf("make %s read-only: %w", p, err)
		}
	}
	for _, p := range masked {
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		if st.IsDir() {
			err = unix.Mount("tmpfs", p, "tmpfs", unix.MS_RDONLY, "")
		} else {
			err = unix.Mount("/dev/null", p, "", unix.MS_BIND, "")
		}
		if err != nil {
			return fmt.Errorf("mask %s: %w", p, err)
		}
	}
	return nil
}

// writeSysctls sets namespaced kernel parameters (net.*, kernel.shm*, ...).
func writeSysctls(sysctls map[string]string) error {
	for k, v := range sysctls {
		p := "/proc/sys/" + strings.ReplaceAll(k, ".", "/")
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return err
		}
		_, err = f.WriteString(v)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write sysctl %s: %w", k, err)
		}
	}
	return nil
}
