package toolbox

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

func init() {
	Register(
		&Applet{Name: "mkdir", Usage: "mkdir [-m MODE] [-p] DIRECTORY...", Help: "Create DIRECTORY\n\n\t-m MODE\tMode\n\t-p\tNo error if exists; make parent directories as needed", Run: mkdir},
		&Applet{Name: "rmdir", Usage: "rmdir [-p] DIRECTORY...", Help: "Remove DIRECTORY if it is empty\n\n\t-p\tInclude parents", Run: rmdir},
		&Applet{Name: "rm", Usage: "rm [-irf] FILE...", Help: "Remove (unlink) FILEs\n\n\t-i\tAlways prompt before removing\n\t-f\tNever prompt\n\t-R,-r\tRecurse", Run: rm},
		&Applet{Name: "cp", Usage: "cp [-arPLHpfinlsTu] SOURCE DEST\nor: cp [-arPLHpfinlsu] SOURCE... { -t DIRECTORY | DIRECTORY }", Help: cpHelp, Run: cp},
		&Applet{Name: "mv", Usage: "mv [-finT] SOURCE DEST\nor: mv [-fin] SOURCE... { -t DIRECTORY | DIRECTORY }", Help: "Rename SOURCE to DEST, or move SOURCEs to DIRECTORY\n\n\t-f\tDon't prompt before overwriting\n\t-i\tInteractive, prompt before overwrite\n\t-n\tDon't overwrite an existing file\n\t-T\tRefuse to move if DEST is a directory\n\t-t DIR\tMove all SOURCEs into DIR", Run: mv},
		&Applet{Name: "touch", Usage: "touch [-c] [-d DATE] [-t DATE] [-r FILE] FILE...", Help: "Update the last-modified date on the given FILE[s]\n\n\t-c\tDon't create files\n\t-h\tDon't follow links\n\t-d DT\tDate/time to use\n\t-t DT\tDate/time to use\n\t-r FILE\tUse FILE's date/time", Run: touch},
		&Applet{Name: "ln", Usage: "ln [-sfnbtv] [-S SUF] TARGET... LINK|DIR", Help: "Create a link LINK or DIR/TARGET to the specified TARGET(s)\n\n\t-s\tMake symlinks instead of hardlinks\n\t-f\tRemove existing destinations\n\t-n\tDon't dereference symlinks - treat like normal file\n\t-v\tVerbose\n\t-T\tTreat LINK as a file, not DIR", Run: ln},
		&Applet{Name: "chmod", Usage: "chmod [-Rcvf] MODE[,MODE]... FILE...", Help: "MODE is octal number (bit pattern sstrwxrwxrwx) or [ugoa]{+|-|=}[rwxXst]\n\n\t-R\tRecurse\n\t-c\tList changed files\n\t-v\tVerbose\n\t-f\tHide errors", Run: chmod},
		&Applet{Name: "chown", Usage: "chown [-RhLHPcvf]... USER[:[GRP]] FILE...", Help: "Change the owner and/or group of FILEs to USER and/or GRP\n\n\t-h\tAffect symlinks instead of symlink targets\n\t-R\tRecurse\n\t-c\tList changed files\n\t-v\tList all files\n\t-f\tHide errors", Run: chown},
		&Applet{Name: "chgrp", Usage: "chgrp [-RhLHPcvf]... GROUP FILE...", Help: "Change the group membership of FILEs to GROUP", Run: chgrp},
		&Applet{Name: "stat", Usage: "stat [-ltf] [-c FMT] FILE...", Help: statHelp, Run: stat},
		&Applet{Name: "du", Usage: "du [-aHLdclsxhmk] [FILE]...", Help: "Summarize disk space used for FILEs (or directories)\n\n\t-a\tShow file sizes too\n\t-L\tFollow all symlinks\n\t-H\tFollow symlinks on command line\n\t-d N\tLimit output to directories (and files with -a) of depth < N\n\t-c\tShow grand total\n\t-l\tCount sizes many times if hard linked\n\t-s\tDisplay only a total for each argument\n\t-x\tSkip directories on different filesystems\n\t-h\tSizes in human readable format (e.g., 1K 243M 2G)\n\t-m\tSizes in megabytes\n\t-k\tSizes in kilobytes (default)", Run: du},
		&Applet{Name: "df", Usage: "df [-PkmhTa] [FILESYSTEM]...", Help: "Print filesystem usage statistics\n\n\t-P\tPOSIX output format\n\t-k\t1024-byte blocks (default)\n\t-m\t1M-byte blocks\n\t-h\tHuman readable (e.g. 1K 243M 2G)\n\t-T\tPrint filesystem type\n\t-a\tShow all filesystems", Run: df},
		&Applet{Name: "realpath", Usage: "realpath FILE...", Help: "Print absolute pathnames of specified FILEs", Run: realpath},
		&Applet{Name: "readlink", Usage: "readlink [-fnv] FILE", Help: "Display the value of a symlink\n\n\t-f\tCanonicalize by following all symlinks\n\t-n\tDon't add newline\n\t-v\tVerbose", Run: readlink},
		&Applet{Name: "pwd", Usage: "pwd", Help: "Print the full filename of the current working directory", Run: pwd},
		&Applet{Name: "mktemp", Usage: "mktemp [-dt] [-p DIR] [TEMPLATE]", Help: "Create a temporary file with name based on TEMPLATE and print its name.\nTEMPLATE must end with XXXXXX (e.g. [/dir/]nameXXXXXX).\nWithout TEMPLATE, -t tmp.XXXXXX is assumed.\n\n\t-d\tMake directory, not file\n\t-q\tFail silently on errors\n\t-t\tPrepend base directory name to TEMPLATE\n\t-p DIR\tUse DIR as a base directory (implies -t)\n\t-u\tDo not create anything; print a name", Run: mktemp},
	)
}

const cpHelp = `Copy SOURCEs to DEST

	-a	Same as -dpR
	-R,-r	Recurse
	-d,-P	Preserve symlinks (default if -R)
	-L	Follow all symlinks
	-H	Follow symlinks on command line
	-p	Preserve file attributes if possible
	-f	Overwrite
	-i	Prompt before overwrite
	-n	Don't overwrite
	-l,-s	Create (sym)links
	-T	Refuse to copy if DEST is a directory
	-t DIR	Copy all SOURCEs into DIR
	-u	Copy only newer files`

func mkdir(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "m:pv", map[string]byte{"parents": 'p', "mode=": 'm'})
	if !ok {
		return 1
	}
	if len(names) == 0 {
		return c.Usage()
	}
	mode := os.FileMode(0o777)
	explicitMode := o.on('m')
	if explicitMode {
		m, err := parseMode(o.val('m'), 0o777, true)
		if err != nil {
			c.Errorf("invalid mode '%s'", o.val('m'))
			return 1
		}
		mode = m
	}
	status := 0
	for _, n := range names {
		var err error
		if o.on('p') {
			err = os.MkdirAll(n, 0o777)
		} else {
			err = syscall.Mkdir(n, uint32(mode.Perm()))
		}
		if err != nil {
			c.Errorf("can't create directory '%s': %s", n, errText(err))
			status = 1
			continue
		}
		if explicitMode {
			// The mode must not be masked by the umask, and mkdir(2)
			// ignores the special bits.
			if err := os.Chmod(n, mode); err != nil {
				c.Errorf("can't change permissions of '%s': %s", n, errText(err))
				status = 1
			}
		}
		if o.on('v') {
			fmt.Fprintf(c.Stdout, "created directory: '%s'\n", n)
		}
	}
	return status
}

func rmdir(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "pv", map[string]byte{"parents": 'p', "ignore-fail-on-non-empty": 0x80})
	if !ok {
		return 1
	}
	if len(names) == 0 {
		return c.Usage()
	}
	status := 0
	for _, n := range names {
		for {
			if err := syscall.Rmdir(n); err != nil {
				if !(o.on(0x80) && errors.Is(err, syscall.ENOTEMPTY)) {
					c.Errorf("'%s': %s", n, errText(err))
					status = 1
				}
				break
			}
			if !o.on('p') {
				break
			}
			n = strings.TrimRight(filepath.Dir(strings.TrimRight(n, "/")), "/")
			if n == "." || n == "" {
				break
			}
		}
	}
	return status
}

// confirm asks a yes/no question on stderr and reads the answer from stdin.
func confirm(c *Context, format string, a ...any) bool {
	c.Flush()
	fmt.Fprintf(c.Stderr, "%s: "+format, append([]any{c.Name}, a...)...)
	line, _ := bufio.NewReader(c.Stdin).ReadString('\n')
	return strings.HasPrefix(strings.TrimSpace(line), "y") || strings.HasPrefix(strings.TrimSpace(line), "Y")
}

func rm(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "fiRrv", map[string]byte{"force": 'f', "recursive": 'r'})
	if !ok {
		return 1
	}
	force := o.on('f')
	if len(names) == 0 {
		if force {
			return 0
		}
		return c.Usage()
	}
	recursive := o.on('r') || o.on('R')
	status := 0
	var remove func(path string) bool
	remove = func(path string) bool {
		st, err := os.Lstat(path)
		if err != nil {
			if force && errors.Is(err, fs.ErrNotExist) {
				return true
			}
			c.Errorf("can't remove '%s': %s", path, errText(err))
			return false
		}
		if st.IsDir() {
			if !recursive {
				c.Errorf("'%s' is a directory", path)
				return false
			}
			if o.on('i') && !force && !confirm(c, "descend into directory '%s'? ", path) {
				return true
			}
			entries, err := os.ReadDir(path)
			if err != nil {
				c.Errorf("can't remove '%s': %s", path, errText(err))
				return false
			}
			ok := true
			for _, e := range entries {
				ok = remove(filepath.Join(path, e.Name())) && ok
			}
			if !ok {
				return false
			}
			if o.on('i') && !force && !confirm(c, "remove directory '%s'? ", path) {
				return true
			}
			if err := syscall.Rmdir(path); err != nil {
				c.Errorf("can't remove '%s': %s", path, errText(err))
				return false
			}
		} else {
			if o.on('i') && !force && !confirm(c, "remove '%s'? ", path) {
				return true
			}
			if err := syscall.Unlink(path); err != nil {
				c.Errorf("can't remove '%s': %s", path, errText(err))
				return false
			}
		}
		if o.on('v') {
			fmt.Fprintf(c.Stdout, "removed '%s'\n", path)
		}
		return true
	}
	for _, n := range names {
		if b := baseName(n); b == "." || b == ".." {
			c.Errorf("can't remove '.' or '..'")
			status = 1
			continue
		}
		if !remove(n) {
			status = 1
		}
	}
	return status
}

// copier is one cp (or cross-device mv) run.
type copier struct {
	c                    *Context
	recursive, keepLinks bool
	follow, followArgs   bool
	preserve             bool
	force, noClobber     bool
	interactive, update  bool
	hardlink, symlink    bool
	failed               bool
}

func (cp *copier) errorf(format string, a ...any) {
	cp.c.Errorf(format, a...)
	cp.failed = true
}

// copy copies src to dst; top says src was named on the command line.
func (cp *copier) copy(src, dst string, top bool) {
	var st os.FileInfo
	var err error
	if cp.follow || (top && cp.followArgs) || (!cp.keepLinks && !cp.recursive) {
		st, err = os.Stat(src)
	} else {
		st, err = os.Lstat(src)
	}
	if err != nil {
		cp.errorf("can't stat '%s': %s", src, errText(err))
		return
	}
	dstSt, dstErr := os.Lstat(dst)
	if dstErr == nil && os.SameFile(st, dstSt) {
		cp.errorf("'%s' and '%s' are the same file", src, dst)
		return
	}
	if st.IsDir() {
		if !cp.recursive {
			cp.errorf("omitting directory '%s'", src)
			return
		}
		if dstErr == nil && !dstSt.IsDir() {
			cp.errorf("'%s' is not a directory", dst)
			return
		}
		if dstErr != nil {
			if err := os.Mkdir(dst, st.Mode().Perm()|0o700); err != nil {
				cp.errorf("can't create directory '%s': %s", dst, errText(err))
				return
			}
		}
		entries, err := os.ReadDir(src)
		if err != nil {
			cp.errorf("can't open '%s': %s", src, errText(err))
			return
		}
		for _, e := range entries {
			cp.copy(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()), false)
		}
		os.Chmod(dst, st.Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky))
		cp.attrs(st, dst)
		return
	}
	if dstErr == nil {
		switch {
		case cp.noClobber:
			return
		case cp.update && !st.ModTime().After(dstSt.ModTime()):
			return
		case cp.interactive && !confirm(cp.c, "overwrite '%s'? ", dst):
			return
		}
	}
	switch {
	case cp.hardlink:
		cp.replace(dst, dstErr == nil, func() error { return os.Link(src, dst) })
		return
	case cp.symlink:
		cp.replace(dst, dstErr == nil, func() error { return os.Symlink(src, dst) })
		return
	}
	m := st.Mode()
	switch {
	case m&os.ModeSymlink != 0:
		target, err := os.Readlink(src)
		if err != nil {
			cp.errorf("can't read link '%s': %s", src, errText(err))
			return
		}
		cp.replace(dst, dstErr == nil, func() error { return os.Symlink(target, dst) })
		if cp.preserve {
			sys := st.Sys().(*syscall.Stat_t)
			os.Lchown(dst, int(sys.Uid), int(sys.Gid))
		}
		return
	case m.IsRegular():
		cp.copyFile(src, dst, st)
	case cp.recursive:
		sys := st.Sys().(*syscall.Stat_t)
		cp.replace(dst, dstErr == nil, func() error { return syscall.Mknod(dst, sys.Mode, int(sys.Rdev)) })
	default:
		cp.copyFile(src, dst, st)
	}
	cp.attrs(st, dst)
}

// replace runs create, removing an existing dst first.
func (cp *copier) replace(dst string, exists bool, create func() error) {
	if exists {
		os.Remove(dst)
	}
	if err := create(); err != nil {
		cp.errorf("can't create '%s': %s", dst, errText(err))
	}
}

func (cp *copier) copyFile(src, dst string, st os.FileInfo) {
	in, err := os.Open(src)
	if err != nil {
		cp.errorf("can't open '%s': %s", src, errText(err))
		return
	}
	defer in.Close()
	perm := st.Mode().Perm()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil && cp.force {
		os.Remove(dst)
		out, err = os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	}
	if err != nil {
		cp.errorf("can't create '%s': %s", dst, errText(err))
		return
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		cp.errorf("error writing to '%s': %s", dst, errText(err))
		return
	}
	if err := out.Close(); err != nil {
		cp.errorf("error writing to '%s': %s", dst, errText(err))
	}
}

// attrs applies -p: owner, mode with special bits, times.
func (cp *copier) attrs(st os.FileInfo, dst string) {
	if !cp.preserve {
		return
	}
	sys := st.Sys().(*syscall.Stat_t)
	os.Lchown(dst, int(sys.Uid), int(sys.Gid))
	if st.Mode()&os.ModeSymlink == 0 {
		os.Chmod(dst, st.Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky))
	}
	ts := []unix.Timespec{unix.NsecToTimespec(syscall.TimespecToNsec(sys.Atim)), unix.NsecToTimespec(syscall.TimespecToNsec(sys.Mtim))}
	unix.UtimesNanoAt(unix.AT_FDCWD, dst, ts, unix.AT_SYMLINK_NOFOLLOW)
}

// destinations resolves cp/mv's SOURCE... DEST operands into pairs.
func destinations(c *Context, o *options, names []string) ([][2]string, bool) {
	var dir string
	sources := names
	switch {
	case o.on('t'):
		dir = o.val('t')
	case len(names) < 2:
		c.Usage()
		return nil, false
	default:
		dest := names[len(names)-1]
		sources = names[:len(names)-1]
		st, err := os.Stat(dest)
		isDir := err == nil && st.IsDir()
		if o.on('T') || (!isDir && len(sources) == 1) {
			if o.on('T') && len(sources) > 1 {
				c.Usage()
				return nil, false
			}
			return [][2]string{{sources[0], dest}}, true
		}
		if !isDir {
			c.Errorf("'%s' is not a directory", dest)
			return nil, false
		}
		dir = dest
	}
	var pairs [][2]string
	for _, s := range sources {
		pairs = append(pairs, [2]string{s, filepath.Join(dir, baseName(s))})
	}
	return pairs, true
}

func cp(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "arRdPLHpfinlsTut:v", map[string]byte{"recursive": 'r', "archive": 'a', "force": 'f', "target-directory=": 't', "no-clobber": 'n'})
	if !ok {
		return 1
	}
	cpr := &copier{
		c:           c,
		recursive:   o.on('r') || o.on('R') || o.on('a'),
		keepLinks:   o.on('d') || o.on('P') || o.on('a'),
		follow:      o.on('L'),
		followArgs:  o.on('H'),
		preserve:    o.on('p') || o.on('a'),
		force:       o.on('f'),
		noClobber:   o.on('n'),
		interactive: o.on('i'),
		update:      o.on('u'),
		hardlink:    o.on('l'),
		symlink:     o.on('s'),
	}
	pairs, ok := destinations(c, o, names)
	if !ok {
		return 1
	}
	for _, p := range pairs {
		cpr.copy(p[0], p[1], true)
	}
	if cpr.failed {
		return 1
	}
	return 0
}

func mv(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "finTt:v", map[string]byte{"force": 'f', "target-directory=": 't', "no-clobber": 'n'})
	if !ok {
		return 1
	}
	pairs, ok := destinations(c, o, names)
	if !ok {
		return 1
	}
	status := 0
	for _, p := range pairs {
		src, dst := p[0], p[1]
		if _, err := os.Lstat(src); err != nil {
			c.Errorf("can't rename '%s': %s", src, errText(err))
			status = 1
			continue
		}
		if dstSt, err := os.Lstat(dst); err == nil {
			if o.on('n') {
				continue
			}
			if o.on('i') && !o.on('f') && !confirm(c, "overwrite '%s'? ", dst) {
				continue
			}
			if srcSt, err := os.Lstat(src); err == nil && os.SameFile(srcSt, dstSt) {
				c.Errorf("'%s' and '%s' are the same file", src, dst)
				status = 1
				continue
			}
		}
		err := os.Rename(src, dst)
		if errors.Is(err, syscall.EXDEV) {
			cpr := &copier{c: c, recursive: true, keepLinks: true, preserve: true, force: true}
			if st, serr := os.Lstat(dst); serr == nil && st.IsDir() {
				os.RemoveAll(dst)
			}
			cpr.copy(src, dst, true)
			if cpr.failed {
				status = 1
				continue
			}
			err = os.RemoveAll(src)
			if err != nil {
				c.Errorf("can't remove '%s': %s", src, errText(err))
				status = 1
			}
			continue
		}
		if err != nil {
			c.Errorf("can't rename '%s': %s", src, errText(err))
			status = 1
			continue
		}
		if o.on('v') {
			fmt.Fprintf(c.Stdout, "'%s' -> '%s'\n", src, dst)
		}
	}
	return status
}

func touch(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "cd:t:r:hamf", map[string]byte{"no-create": 'c', "date=": 'd', "reference=": 'r'})
	if !ok {
		return 1
	}
	if len(names) == 0 {
		return c.Usage()
	}
	var when *time.Time
	switch {
	case o.on('r'):
		st, err := os.Stat(o.val('r'))
		if err != nil {
			c.Errorf("%s", pathErr(o.val('r'), err))
			return 1
		}
		t := st.ModTime()
		when = &t
	case o.on('d'):
		t, err := parseDate(o.val('d'), time.Now(), time.Local)
		if err != nil {
			c.Errorf("invalid date '%s'", o.val('d'))
			return 1
		}
		when = &t
	case o.on('t'):
		t, err := parseTouchStamp(o.val('t'))
		if err != nil {
			c.Errorf("invalid date '%s'", o.val('t'))
			return 1
		}
		when = &t
	}
	status := 0
	for _, n := range names {
		if _, err := os.Lstat(n); err != nil {
			if o.on('c') {
				continue
			}
			f, err := os.OpenFile(n, os.O_WRONLY|os.O_CREATE, 0o666)
			if err != nil {
				c.Errorf("%s", pathErr(n, err))
				status = 1
				continue
			}
			f.Close()
			if when == nil {
				continue
			}
		}
		ts := []unix.Timespec{{Nsec: unix.UTIME_NOW}, {Nsec: unix.UTIME_NOW}}
		if when != nil {
			ts[0] = unix.NsecToTimespec(when.UnixNano())
			ts[1] = ts[0]
		}
		if o.on('a') && !o.on('m') {
			ts[1] = unix.Timespec{Nsec: unix.UTIME_OMIT}
		}
		if o.on('m') && !o.on('a') {
			ts[0] = unix.Timespec{Nsec: unix.UTIME_OMIT}
		}
		flags := 0
		if o.on('h') {
			flags = unix.AT_SYMLINK_NOFOLLOW
		}
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, n, ts, flags); err != nil {
			c.Errorf("%s", pathErr(n, err))
			status = 1
		}
	}
	return status
}

// parseTouchStamp reads touch -t's [[CC]YY]MMDDhhmm[.ss].
func parseTouchStamp(s string) (time.Time, error) {
	main, secs, _ := strings.Cut(s, ".")
	if _, err := strconv.Atoi(main); err != nil {
		return time.Time{}, err
	}
	now := time.Now()
	year := now.Year()
	switch len(main) {
	case 8:
	case 10:
		y, _ := strconv.Atoi(main[:2])
		year = 1900 + y
		if y < 69 {
			year = 2000 + y
		}
		main = main[2:]
	case 12:
		year, _ = strconv.Atoi(main[:4])
		main = main[4:]
	default:
		return time.Time{}, errors.New("invalid date")
	}
	num := func(a, b int) int { n, _ := strconv.Atoi(main[a:b]); return n }
	sec := 0
	if secs != "" {
		sec, _ = strconv.Atoi(secs)
	}
	return time.Date(year, time.Month(num(0, 2)), num(2, 4), num(4, 6), num(6, 8), sec, 0, time.Local), nil
}

func ln(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "sfnbvTS:", map[string]byte{"symbolic": 's', "force": 'f'})
	if !ok {
		return 1
	}
	if len(names) == 0 {
		return c.Usage()
	}
	var pairs [][2]string
	if len(names) == 1 {
		pairs = [][2]string{{names[0], baseName(names[0])}}
	} else {
		dest := names[len(names)-1]
		var st os.FileInfo
		var err error
		if o.on('n') {
			st, err = os.Lstat(dest)
		} else {
			st, err = os.Stat(dest)
		}
		isDir := err == nil && st.IsDir() && !o.on('T')
		if len(names) > 2 && !isDir {
			c.Errorf("'%s' is not a directory", dest)
			return 1
		}
		for _, t := range names[:len(names)-1] {
			if isDir {
				pairs = append(pairs, [2]string{t, filepath.Join(dest, baseName(t))})
			} else {
				pairs = append(pairs, [2]string{t, dest})
			}
		}
	}
	status := 0
	for _, p := range pairs {
		target, link := p[0], p[1]
		if !o.on('s') {
			if _, err := os.Stat(target); err != nil {
				c.Errorf("%s", pathErr(target, err))
				status = 1
				continue
			}
		}
		if _, err := os.Lstat(link); err == nil {
			switch {
			case o.on('b'):
				suffix := "~"
				if o.on('S') {
					suffix = o.val('S')
				}
				os.Rename(link, link+suffix)
			case o.on('f'):
				os.Remove(link)
			}
		}
		var err error
		if o.on('s') {
			err = os.Symlink(target, link)
		} else {
			err = os.Link(target, link)
		}
		if err != nil {
			c.Errorf("%s", pathErr(link, err))
			status = 1
			continue
		}
		if o.on('v') {
			fmt.Fprintf(c.Stdout, "'%s' -> '%s'\n", link, target)
		}
	}
	return status
}

// parseMode applies a chmod MODE (octal, or symbolic clauses such as
// u+x,go-w, a=r, g=u) to old.
func parseMode(spec string, old fs.FileMode, isDir bool) (fs.FileMode, error) {
	toBits := func(m fs.FileMode) uint32 {
		b := uint32(m.Perm())
		if m&fs.ModeSetuid != 0 {
			b |= syscall.S_ISUID
		}
		if m&fs.ModeSetgid != 0 {
			b |= syscall.S_ISGID
		}
		if m&fs.ModeSticky != 0 {
			b |= syscall.S_ISVTX
		}
		return b
	}
	fromBits := func(b uint32) fs.FileMode {
		m := fs.FileMode(b & 0o777)
		if b&syscall.S_ISUID != 0 {
			m |= fs.ModeSetuid
		}
		if b&syscall.S_ISGID != 0 {
			m |= fs.ModeSetgid
		}
		if b&syscall.S_ISVTX != 0 {
			m |= fs.ModeSticky
		}
		return m
	}
	if spec != "" && spec[0] >= '0' && spec[0] <= '7' {
		n, err := strconv.ParseUint(spec, 8, 32)
		if err != nil || n > 0o7777 {
			return 0, errors.New("invalid mode")
		}
		return fromBits(uint32(n)), nil
	}
	mode := toBits(old)
	for _, clause := range strings.Split(spec, ",") {
		i := 0
		var who uint32
		for i < len(clause) && strings.IndexByte("ugoa", clause[i]) >= 0 {
			switch clause[i] {
			case 'u':
				who |= 0o4700
			case 'g':
				who |= 0o2070
			case 'o':
				who |= 0o1007
			case 'a':
				who |= 0o7777
			}
			i++
		}
		if who == 0 {
			who = 0o7777
		}
		if i >= len(clause) {
			return 0, errors.New("invalid mode")
		}
		for i < len(clause) {
			op := clause[i]
			if op != '+' && op != '-' && op != '=' {
				return 0, errors.New("invalid mode")
			}
			i++
			var perm uint32
			for i < len(clause) && strings.IndexByte("rwxXstugo", clause[i]) >= 0 {
				switch clause[i] {
				case 'r':
					perm |= 0o444
				case 'w':
					perm |= 0o222
				case 'x':
					perm |= 0o111
				case 'X':
					if isDir || mode&0o111 != 0 {
						perm |= 0o111
					}
				case 's':
					perm |= syscall.S_ISUID | syscall.S_ISGID
				case 't':
					perm |= syscall.S_ISVTX
				case 'u':
					perm |= (mode >> 6 & 7) * 0o111
				case 'g':
					perm |= (mode >> 3 & 7) * 0o111
				case 'o':
					perm |= (mode & 7) * 0o111
				}
				i++
			}
			perm &= who
			switch op {
			case '+':
				mode |= perm
			case '-':
				mode &^= perm
			case '=':
				mode = mode&^(who&^(syscall.S_ISUID|syscall.S_ISGID|syscall.S_ISVTX)) | perm
				if who&0o7777 == 0o7777 {
					mode = mode&^0o7000 | perm&0o7000 | mode&0o7000&^who
				}
			}
		}
	}
	return fromBits(mode), nil
}

// walkArgs runs fn on each operand and, with recurse, everything below it
// (without following symlinks below the top).
func walkArgs(names []string, recurse bool, fn func(path string, top bool)) {
	for _, n := range names {
		fn(n, true)
		if !recurse {
			continue
		}
		st, err := os.Stat(n)
		if err != nil || !st.IsDir() {
			continue
		}
		filepath.WalkDir(n, func(path string, d fs.DirEntry, err error) error {
			if path == n || err != nil {
				return nil
			}
			fn(path, false)
			return nil
		})
	}
}

func chmod(c *Context, args []string) int {
	// A mode such as -w looks like an option: take it as the mode.
	var opts []string
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if len(a) < 2 || a[0] != '-' || strings.Trim(a[1:], "Rcvf") != "" {
			break
		}
		opts = append(opts, a)
	}
	o, _, ok := c.getopt(opts, "Rcvf", nil)
	if !ok {
		return 1
	}
	rest := args[i:]
	if len(rest) > 0 && rest[0] == "--" {
		rest = rest[1:]
	}
	if len(rest) < 2 {
		return c.Usage()
	}
	spec, names := rest[0], rest[1:]
	if _, err := parseMode(spec, 0, false); err != nil {
		c.Errorf("invalid mode '%s'", spec)
		return 1
	}
	status := 0
	walkArgs(names, o.on('R'), func(path string, top bool) {
		st, err := os.Stat(path)
		if err != nil {
			if lst, lerr := os.Lstat(path); lerr == nil && lst.Mode()&os.ModeSymlink != 0 && !top {
				return // dangling symlink inside a tree: left alone
			}
			if !o.on('f') {
				c.Errorf("%s", pathErr(path, err))
			}
			status = 1
			return
		}
		if !top {
			if lst, err := os.Lstat(path); err == nil && lst.Mode()&os.ModeSymlink != 0 {
				return
			}
		}
		mode, _ := parseMode(spec, st.Mode(), st.IsDir())
		if err := os.Chmod(path, mode); err != nil {
			if !o.on('f') {
				c.Errorf("%s", pathErr(path, err))
			}
			status = 1
			return
		}
		if o.on('v') || (o.on('c') && mode != st.Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)) {
			fmt.Fprintf(c.Stdout, "mode of '%s' changed to %04o (%s)\n", path, uint32(mode.Perm())|specialBits(mode), modeString(mode)[1:])
		}
	})
	return status
}

func specialBits(m fs.FileMode) uint32 {
	var b uint32
	if m&fs.ModeSetuid != 0 {
		b |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		b |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		b |= 0o1000
	}
	return b
}

// resolveOwner reads USER[:GROUP] (also USER.GROUP), names or numbers;
// -1 leaves an id unchanged.
func resolveOwner(spec string, groupOnly bool) (uid, gid int, err error) {
	uid, gid = -1, -1
	user, group := spec, ""
	hasGroup := false
	if groupOnly {
		user, group, hasGroup = "", spec, true
	} else if u, g, ok := strings.Cut(spec, ":"); ok {
		user, group, hasGroup = u, g, true
	} else if u, g, ok := strings.Cut(spec, "."); ok {
		if _, found := userByName(spec); !found {
			user, group, hasGroup = u, g, true
		}
	}
	if user != "" {
		if e, ok := userByName(user); ok {
			uid = e.uid
			if hasGroup && group == "" {
				gid = e.gid
			}
		} else if n, err := strconv.Atoi(user); err == nil && n >= 0 {
			uid = n
		} else {
			return 0, 0, fmt.Errorf("unknown user %s", user)
		}
	}
	if group != "" {
		if g, ok := groupByName(group); ok {
			gid = g.gid
		} else if n, err := strconv.Atoi(group); err == nil && n >= 0 {
			gid = n
		} else {
			return 0, 0, fmt.Errorf("unknown group %s", group)
		}
	}
	return uid, gid, nil
}

func chown(c *Context, args []string) int { return chownRun(c, args, false) }
func chgrp(c *Context, args []string) int { return chownRun(c, args, true) }

func chownRun(c *Context, args []string, groupOnly bool) int {
	o, operands, ok := c.getopt(args, "RhLHPcvf", nil)
	if !ok {
		return 1
	}
	if len(operands) < 2 {
		return c.Usage()
	}
	uid, gid, err := resolveOwner(operands[0], groupOnly)
	if err != nil {
		c.Errorf("%s", err)
		return 1
	}
	status := 0
	walkArgs(operands[1:], o.on('R'), func(path string, top bool) {
		var err error
		if o.on('h') || (!top && !o.on('L')) {
			err = os.Lchown(path, uid, gid)
		} else {
			err = os.Chown(path, uid, gid)
		}
		if err != nil {
			if !o.on('f') {
				c.Errorf("%s", pathErr(path, err))
			}
			status = 1
			return
		}
		if o.on('v') {
			fmt.Fprintf(c.Stdout, "changed ownership of '%s' to %s\n", path, operands[0])
		}
	})
	return status
}

const statHelp = `Display file (default) or filesystem status

	-c FMT	Use the specified format
	-f	Display filesystem status
	-L	Follow links
	-t	Terse display

FMT sequences for files:
 %a	Access rights in octal
 %A	Access rights in human readable form
 %b	Number of blocks allocated (see %B)
 %B	Size in bytes of each block reported by %b
 %d	Device number in decimal
 %D	Device number in hex
 %f	Raw mode in hex
 %F	File type
 %g	Group ID
 %G	Group name
 %h	Number of hard links
 %i	Inode number
 %n	File name
 %N	File name, with -> TARGET if symlink
 %o	I/O block size
 %s	Total size in bytes
 %t	Major device type in hex
 %T	Minor device type in hex
 %u	User ID
 %U	User name
 %x	Time of last access
 %X	Time of last access as seconds since Epoch
 %y	Time of last modification
 %Y	Time of last modification as seconds since Epoch
 %z	Time of last change
 %Z	Time of last change as seconds since Epoch`

func fileType(m fs.FileMode, size int64) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&os.ModeSymlink != 0:
		return "symbolic link"
	case m&os.ModeNamedPipe != 0:
		return "fifo"
	case m&os.ModeSocket != 0:
		return "socket"
	case m&os.ModeCharDevice != 0:
		return "character special file"
	case m&os.ModeDevice != 0:
		return "block special file"
	case size == 0:
		return "regular empty file"
	}
	return "regular file"
}

func statTime(ts syscall.Timespec) string {
	return time.Unix(ts.Sec, ts.Nsec).Format("2006-01-02 15:04:05.000000000 -0700")
}

func stat(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "c:fLt", nil)
	if !ok {
		return 1
	}
	if len(names) == 0 {
		return c.Usage()
	}
	status := 0
	ids := &idCache{}
	for _, n := range names {
		if o.on('f') {
			if statFS(c, n, o) != 0 {
				status = 1
			}
			continue
		}
		var st os.FileInfo
		var err error
		if o.on('L') {
			st, err = os.Stat(n)
		} else {
			st, err = os.Lstat(n)
		}
		if err != nil {
			c.Errorf("can't stat '%s': %s", n, errText(err))
			status = 1
			continue
		}
		sys := st.Sys().(*syscall.Stat_t)
		m := st.Mode()
		rawMode := sys.Mode
		link := ""
		if m&os.ModeSymlink != 0 {
			link, _ = os.Readlink(n)
		}
		conv := func(ch byte) string {
			switch ch {
			case 'a':
				return strconv.FormatUint(uint64(rawMode&0o7777), 8)
			case 'A':
				return modeString(m)
			case 'b':
				return strconv.FormatInt(sys.Blocks, 10)
			case 'B':
				return "512"
			case 'd':
				return strconv.FormatUint(sys.Dev, 10)
			case 'D':
				return strconv.FormatUint(sys.Dev, 16)
			case 'f':
				return strconv.FormatUint(uint64(rawMode), 16)
			case 'F':
				return fileType(m, st.Size())
			case 'g':
				return strconv.Itoa(int(sys.Gid))
			case 'G':
				return ids.group(int(sys.Gid))
			case 'h':
				return strconv.FormatUint(sys.Nlink, 10)
			case 'i':
				return strconv.FormatUint(sys.Ino, 10)
			case 'n':
				return n
			case 'N':
				if link != "" {
					return fmt.Sprintf("'%s' -> '%s'", n, link)
				}
				return "'" + n + "'"
			case 'o':
				return strconv.FormatInt(sys.Blksize, 10)
			case 's':
				return strconv.FormatInt(st.Size(), 10)
			case 't':
				return strconv.FormatUint(devMajor(sys.Rdev), 16)
			case 'T':
				return strconv.FormatUint(devMinor(sys.Rdev), 16)
			case 'u':
				return strconv.Itoa(int(sys.Uid))
			case 'U':
				return ids.user(int(sys.Uid))
			case 'x':
				return statTime(sys.Atim)
			case 'X':
				return strconv.FormatInt(sys.Atim.Sec, 10)
			case 'y':
				return statTime(sys.Mtim)
			case 'Y':
				return strconv.FormatInt(sys.Mtim.Sec, 10)
			case 'z':
				return statTime(sys.Ctim)
			case 'Z':
				return strconv.FormatInt(sys.Ctim.Sec, 10)
			case 'm':
				return mountPointOf(n)
			}
			return "?"
		}
		switch {
		case o.on('c'):
			fmt.Fprintln(c.Stdout, expandStatFormat(o.val('c'), conv))
		case o.on('t'):
			fmt.Fprintln(c.Stdout, expandStatFormat("%n %s %b %f %u %g %D %i %h %t %T %X %Y %Z %o", conv))
		default:
			name := n
			if link != "" {
				name = fmt.Sprintf("%s -> %s", n, link)
			}
			devLine := ""
			if m&os.ModeDevice != 0 {
				devLine = fmt.Sprintf(" Device type: %x,%x", devMajor(sys.Rdev), devMinor(sys.Rdev))
			}
			fmt.Fprintf(c.Stdout, "  File: %s\n", name)
			fmt.Fprintf(c.Stdout, "  Size: %-10d\tBlocks: %-10d IO Block: %-6d %s\n", st.Size(), sys.Blocks, sys.Blksize, fileType(m, st.Size()))
			fmt.Fprintf(c.Stdout, "Device: %xh/%dd\tInode: %-10d  Links: %d%s\n", sys.Dev, sys.Dev, sys.Ino, sys.Nlink, devLine)
			fmt.Fprintf(c.Stdout, "Access: (%04o/%s)  Uid: (%5d/%8s)   Gid: (%5d/%8s)\n", rawMode&0o7777, modeString(m), sys.Uid, ids.user(int(sys.Uid)), sys.Gid, ids.group(int(sys.Gid)))
			fmt.Fprintf(c.Stdout, "Access: %s\nModify: %s\nChange: %s\n", statTime(sys.Atim), statTime(sys.Mtim), statTime(sys.Ctim))
		}
	}
	return status
}

// expandStatFormat expands %X sequences and backslash escapes.
func expandStatFormat(format string, conv func(byte) string) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		ch := format[i]
		if ch == '\\' && i+1 < len(format) {
			s, _ := unescape(format[i:i+2], false)
			b.WriteString(s)
			i++
			continue
		}
		if ch != '%' || i+1 == len(format) {
			b.WriteByte(ch)
			continue
		}
		i++
		// Width and flags: %-10s style.
		start := i
		for i < len(format) && strings.IndexByte("-+ #0123456789.", format[i]) >= 0 {
			i++
		}
		if i >= len(format) {
			break
		}
		if format[i] == '%' {
			b.WriteByte('%')
			continue
		}
		v := conv(format[i])
		if start < i {
			fmt.Fprintf(&b, "%"+format[start:i]+"s", v)
		} else {
			b.WriteString(v)
		}
	}
	return b.String()
}

// fsTypes names filesystem magic numbers the way busybox's stat -f does.
var fsTypes = map[int64]string{
	0xEF53: "ext2/ext3", 0x9123683E: "btrfs", 0x58465342: "xfs", 0x01021994: "tmpfs",
	0x794C7630: "overlayfs", 0x9FA0: "proc", 0x62656572: "sysfs", 0x1CD1: "devpts",
	0x6969: "nfs", 0x27E0EB: "cgroup", 0x63677270: "cgroup2", 0x4d44: "msdos",
	0x19800202: "mqueue", 0x65735546: "fuseblk", 0x858458f6: "ramfs",
}

func statFS(c *Context, name string, o *options) int {
	var s unix.Statfs_t
	if err := unix.Statfs(name, &s); err != nil {
		c.Errorf("can't read file system information for '%s': %s", name, errText(err))
		return 1
	}
	typ, ok := fsTypes[int64(s.Type)]
	if !ok {
		typ = fmt.Sprintf("UNKNOWN (0x%x)", s.Type)
	}
	if o.on('c') {
		conv := func(ch byte) string {
			switch ch {
			case 'n':
				return name
			case 'i':
				return fmt.Sprintf("%x%x", uint32(s.Fsid.Val[0]), uint32(s.Fsid.Val[1]))
			case 'l':
				return strconv.FormatInt(s.Namelen, 10)
			case 't':
				return strconv.FormatInt(int64(s.Type), 16)
			case 'T':
				return typ
			case 'b':
				return strconv.FormatUint(s.Blocks, 10)
			case 'f':
				return strconv.FormatUint(s.Bfree, 10)
			case 'a':
				return strconv.FormatUint(s.Bavail, 10)
			case 's', 'S':
				return strconv.FormatInt(s.Bsize, 10)
			case 'c':
				return strconv.FormatUint(s.Files, 10)
			case 'd':
				return strconv.FormatUint(s.Ffree, 10)
			}
			return "?"
		}
		fmt.Fprintln(c.Stdout, expandStatFormat(o.val('c'), conv))
		return 0
	}
	fmt.Fprintf(c.Stdout, "  File: \"%s\"\n    ID: %x%x Namelen: %-7d Type: %s\n", name, uint32(s.Fsid.Val[0]), uint32(s.Fsid.Val[1]), s.Namelen, typ)
	fmt.Fprintf(c.Stdout, "Block size: %-10d\nBlocks: Total: %-10d Free: %-10d Available: %d\nInodes: Total: %-10d Free: %d\n", s.Bsize, s.Blocks, s.Bfree, s.Bavail, s.Files, s.Ffree)
	return 0
}

func du(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "aHLd:clsxhmk", nil)
	if !ok {
		return 1
	}
	if len(names) == 0 {
		names = []string{"."}
	}
	maxDepth := -1
	if o.on('d') {
		n, err := strconv.Atoi(o.val('d'))
		if err != nil {
			c.Errorf("invalid number '%s'", o.val('d'))
			return 1
		}
		maxDepth = n
	}
	if o.on('s') {
		maxDepth = 0
	}
	show := func(kb uint64) string {
		switch {
		case o.on('h'):
			return humanSize(kb, 1024)
		case o.on('m'):
			return strconv.FormatUint((kb+1023)/1024, 10)
		}
		return strconv.FormatUint(kb, 10)
	}
	seen := map[[2]uint64]bool{}
	status := 0
	var total uint64
	var walk func(path string, depth int, top bool, dev uint64) uint64
	walk = func(path string, depth int, top bool, dev uint64) uint64 {
		var st os.FileInfo
		var err error
		if o.on('L') || (top && o.on('H')) {
			st, err = os.Stat(path)
		} else {
			st, err = os.Lstat(path)
		}
		if err != nil {
			c.Errorf("%s", pathErr(path, err))
			status = 1
			return 0
		}
		sys := st.Sys().(*syscall.Stat_t)
		if top {
			dev = sys.Dev
		}
		if o.on('x') && sys.Dev != dev {
			return 0
		}
		key := [2]uint64{sys.Dev, sys.Ino}
		if sys.Nlink > 1 && !st.IsDir() && !o.on('l') {
			if seen[key] {
				return 0
			}
			seen[key] = true
		}
		size := uint64(sys.Blocks / 2)
		if st.IsDir() {
			entries, err := os.ReadDir(path)
			if err != nil {
				c.Errorf("%s", pathErr(path, err))
				status = 1
			}
			for _, e := range entries {
				size += walk(strings.TrimSuffix(path, "/")+"/"+e.Name(), depth+1, false, dev)
			}
		}
		if (st.IsDir() || o.on('a') || top) && (maxDepth < 0 || depth <= maxDepth) {
			fmt.Fprintf(c.Stdout, "%s\t%s\n", show(size), path)
		}
		return size
	}
	for _, n := range names {
		total += walk(n, 0, true, 0)
	}
	if o.on('c') {
		fmt.Fprintf(c.Stdout, "%s\ttotal\n", show(total))
	}
	return status
}

// mount is one line of /proc/mounts.
type mountEntry struct{ dev, dir, fstype string }

func readMounts() []mountEntry {
	b, err := os.ReadFile("/proc/mounts")
	if err != nil {
		return nil
	}
	var ms []mountEntry
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		ms = append(ms, mountEntry{f[0], unescapeMount(f[1]), f[2]})
	}
	return ms
}

// unescapeMount decodes /proc/mounts' octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	out, _ := unescape(s, false)
	return out
}

// mountPointOf is the mount point of the filesystem holding path: the
// deepest mount whose directory contains it.
func mountPointOf(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	best := ""
	for _, m := range readMounts() {
		if m.dir == abs || m.dir == "/" || strings.HasPrefix(abs, m.dir+"/") {
			if len(m.dir) >= len(best) {
				best = m.dir
			}
		}
	}
	return best
}

func df(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "PkmhTaiB:", nil)
	if !ok {
		return 1
	}
	unit := uint64(1024)
	header := "1K-blocks"
	switch {
	case o.on('m'):
		unit, header = 1024*1024, "1M-blocks"
	case o.on('h'):
		header = "Size"
	case o.on('P'):
		header = "1024-blocks"
	}
	typeCol := ""
	if o.on('T') {
		typeCol = "Type       "
	}
	used, avail, pct := "Used", "Available", "Use%"
	if o.on('P') {
		pct = "Capacity"
	}
	fmt.Fprintf(c.Stdout, "%-20s %s%9s %9s %9s %s Mounted on\n", "Filesystem", typeCol, header, used, avail, pct)
	mounts := readMounts()
	var selected []mountEntry
	status := 0
	if len(names) == 0 {
		selected = mounts
	} else {
		for _, n := range names {
			if _, err := os.Stat(n); err != nil {
				c.Errorf("%s: can't find mount point", n)
				status = 1
				continue
			}
			dir := mountPointOf(n)
			var found *mountEntry
			for i := range mounts {
				if mounts[i].dir == dir {
					found = &mounts[i]
				}
			}
			if found == nil {
				c.Errorf("%s: can't find mount point", n)
				status = 1
				continue
			}
			selected = append(selected, *found)
		}
	}
	show := func(blocks, bsize uint64) string {
		if o.on('h') {
			return humanSize(blocks, bsize)
		}
		return strconv.FormatUint(blocks*bsize/unit, 10)
	}
	for _, m := range selected {
		var s unix.Statfs_t
		if err := unix.Statfs(m.dir, &s); err != nil {
			continue
		}
		if s.Blocks == 0 && !o.on('a') && len(names) == 0 {
			continue
		}
		bsize := uint64(s.Bsize)
		if s.Frsize > 0 {
			bsize = uint64(s.Frsize)
		}
		usedBlocks := s.Blocks - s.Bfree
		percent := uint64(0)
		if usedBlocks+s.Bavail > 0 {
			percent = (usedBlocks*100 + (usedBlocks+s.Bavail)/2) / (usedBlocks + s.Bavail)
		}
		dev := m.dev
		if len(dev) > 20 {
			fmt.Fprintln(c.Stdout, dev)
			dev = ""
		}
		typ := ""
		if o.on('T') {
			typ = fmt.Sprintf("%-10s ", m.fstype)
		}
		fmt.Fprintf(c.Stdout, "%-20s %s%9s %9s %9s %3d%% %s\n", dev, typ, show(s.Blocks, bsize), show(usedBlocks, bsize), show(s.Bavail, bsize), percent, m.dir)
	}
	return status
}

func realpath(c *Context, args []string) int {
	_, names, ok := c.getopt(args, "", nil)
	if !ok {
		return 1
	}
	if len(names) == 0 {
		return c.Usage()
	}
	status := 0
	for _, n := range names {
		abs, err := filepath.Abs(n)
		if err == nil {
			abs, err = filepath.EvalSymlinks(abs)
		}
		if err != nil {
			c.Errorf("%s", pathErr(n, err))
			status = 1
			continue
		}
		fmt.Fprintln(c.Stdout, abs)
	}
	return status
}

// canonicalize resolves every symlink in path; like readlink -f, only
// the last component may be missing.
func canonicalize(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r, nil
	}
	dir, base := filepath.Split(abs)
	r, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	if _, err := os.Lstat(abs); err == nil {
		// A dangling symlink as the last component: follow its text.
		target, err := os.Readlink(abs)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(r, target)
		}
		return filepath.Clean(target), nil
	}
	return filepath.Join(r, base), nil
}

func readlink(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "fenvsq", nil)
	if !ok {
		return 1
	}
	if len(names) != 1 {
		return c.Usage()
	}
	n := names[0]
	var out string
	var err error
	switch {
	case o.on('f'):
		out, err = canonicalize(n)
	case o.on('e'):
		out, err = filepath.Abs(n)
		if err == nil {
			out, err = filepath.EvalSymlinks(out)
		}
	default:
		out, err = os.Readlink(n)
	}
	if err != nil {
		if o.on('v') {
			c.Errorf("%s", pathErr(n, err))
		}
		return 1
	}
	if o.on('n') {
		io.WriteString(c.Stdout, out)
	} else {
		fmt.Fprintln(c.Stdout, out)
	}
	return 0
}

func mktemp(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "dqtp:u", nil)
	if !ok {
		return 1
	}
	template := "tmp.XXXXXX"
	prefixDir := o.on('t') || o.on('p') || len(names) == 0
	if len(names) > 0 {
		template = names[0]
	}
	if prefixDir {
		dir := o.val('p')
		if dir == "" {
			dir = os.Getenv("TMPDIR")
		}
		if dir == "" {
			dir = "/tmp"
		}
		template = filepath.Join(dir, template)
	}
	base := strings.TrimRight(template, "X")
	if len(template)-len(base) < 6 {
		if !o.on('q') {
			c.Errorf("%s: Invalid argument", template)
		}
		return 1
	}
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	for try := 0; try < 100; try++ {
		var rnd [32]byte
		if _, err := rand.Read(rnd[:]); err != nil {
			c.Errorf("%s", errText(err))
			return 1
		}
		name := []byte(base)
		for i := 0; i < len(template)-len(base); i++ {
			name = append(name, letters[int(rnd[i%len(rnd)])%len(letters)])
		}
		path := string(name)
		var err error
		switch {
		case o.on('u'):
			if _, err = os.Lstat(path); err == nil {
				continue
			}
			err = nil
		case o.on('d'):
			err = os.Mkdir(path, 0o700)
		default:
			var f *os.File
			f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
			if err == nil {
				f.Close()
			}
		}
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			if !o.on('q') {
				c.Errorf("%s", pathErr(path, err))
			}
			return 1
		}
		fmt.Fprintln(c.Stdout, path)
		return 0
	}
	c.Errorf("%s: File exists", template)
	return 1
}

func pwd(c *Context, args []string) int {
	o, _, ok := c.getopt(args, "LP", nil)
	if !ok {
		return 1
	}
	wd, err := os.Getwd()
	if err != nil {
		c.Errorf("getcwd: %s", errText(err))
		return 1
	}
	if !o.on('P') {
		// $PWD when it names this directory, like ash: it keeps symlinks.
		if env := os.Getenv("PWD"); filepath.IsAbs(env) {
			if a, err1 := os.Stat(env); err1 == nil {
				if b, err2 := os.Stat("."); err2 == nil && os.SameFile(a, b) {
					wd = env
				}
			}
		}
	}
	fmt.Fprintln(c.Stdout, wd)
	return 0
}
