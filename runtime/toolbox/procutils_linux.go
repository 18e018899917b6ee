package toolbox

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

func init() {
	Register(
		&Applet{Name: "true", Run: func(*Context, []string) int { return 0 }},
		&Applet{Name: "false", Run: func(*Context, []string) int { return 1 }},
		&Applet{Name: "kill", Usage: "kill [-l] [-SIG] PID...", Help: "Send a signal (default: TERM) to given PIDs\n\n\t-l\tList all signal names and numbers\n\t-s SIG\tSignal to send", Run: kill},
		&Applet{Name: "sleep", Usage: "sleep [N]...", Help: "Pause for a time equal to the total of the args given, where each arg can\nhave an optional suffix of (s)econds, (m)inutes, (h)ours, or (d)ays", Run: sleepApplet},
		&Applet{Name: "env", Usage: "env [-i] [-u NAME]... [-] [NAME=VALUE]... [PROG ARGS]", Help: "Print current environment or run PROG after setting up environment\n\n\t-, -i\tStart with empty environment\n\t-u\tRemove variable from environment", Run: env},
		&Applet{Name: "id", Usage: "id [-ugGnr] [USER]", Help: "Print information about USER or the current user\n\n\t-u\tUser ID\n\t-g\tGroup ID\n\t-G\tSupplementary group IDs\n\t-n\tPrint names instead of numbers\n\t-r\tPrint real ID instead of effective ID", Run: id},
		&Applet{Name: "whoami", Usage: "whoami", Help: "Print the user name associated with the current effective user id", Run: whoami},
		&Applet{Name: "hostname", Usage: "hostname [-sdf] [HOSTNAME | -F FILE]", Help: "Show or set hostname\n\n\t-F FILE\tUse FILE's content as hostname\n\t-s\tShort name\n\t-d\tDNS domain name\n\t-f\tFully qualified domain name", Run: hostname},
		&Applet{Name: "uname", Usage: "uname [-amnrspvio]", Help: "Print system information\n\n\t-a\tPrint all\n\t-m\tMachine (hardware) type\n\t-n\tHostname\n\t-r\tKernel release\n\t-s\tKernel name (default)\n\t-p\tProcessor type\n\t-v\tKernel version\n\t-i\tHardware platform\n\t-o\tOS name", Run: uname},
		&Applet{Name: "ps", Usage: "ps [-o COL1,COL2=HEADER] [-T]", Help: "Show list of processes\n\n\t-o COL1,COL2=HEADER\tSelect columns for display\n\t-T\t\t\tShow threads\n\nBSD-style arguments (ps aux) and -A -a -d -e -f -l are accepted and ignored.", Run: ps},
		&Applet{Name: "free", Usage: "free [-bkmgh]", Help: "Display free and used memory", Run: free},
		&Applet{Name: "uptime", Usage: "uptime", Help: "Display the time since the last boot", Run: uptime},
		&Applet{Name: "mount", Usage: "mount", Help: "List mounted filesystems (from /proc/mounts).\nMounting is not supported by the boxlab toolbox.", Run: mount},
		&Applet{Name: "which", Usage: "which [-a] COMMAND...", Help: "Locate COMMAND\n\n\t-a\tShow all matches", Run: which},
		&Applet{Name: "xargs", Usage: "xargs [OPTIONS] [PROG ARGS]", Help: "Run PROG on every item given by stdin\n\n\t-0\tInput is separated by NULs\n\t-d CHAR\tInput is separated by CHAR\n\t-I STR\tReplace STR within PROG ARGS with input line\n\t-n N\tPass no more than N args to PROG\n\t-r\tDon't run command if input is empty\n\t-t\tPrint the command on stderr before execution", Run: xargs},
		&Applet{Name: "clear", Usage: "clear", Help: "Clear screen", Run: func(c *Context, _ []string) int { fmt.Fprint(c.Stdout, "\033[H\033[J"); return 0 }},
		&Applet{Name: "yes", Usage: "yes [STRING]...", Help: "Repeatedly output a line with all specified STRING(s), or 'y'.", Run: yes},
		&Applet{Name: "printenv", Usage: "printenv [VARIABLE]...", Help: "Print environment VARIABLEs.\nIf no VARIABLE specified, print all.", Run: printenv},
		&Applet{Name: "nproc", Usage: "nproc", Help: "Print number of available CPUs", Run: func(c *Context, _ []string) int { fmt.Fprintln(c.Stdout, runtime.NumCPU()); return 0 }},
		&Applet{Name: "sync", Usage: "sync", Help: "Write all buffered blocks to disk", Run: func(*Context, []string) int { unix.Sync(); return 0 }},
		&Applet{Name: "timeout", Usage: "timeout [-s SIG] [-k KILL_SECS] SECS PROG ARGS", Help: "Run PROG. Send SIG to it if it is not gone in SECS seconds.\nDefault SIG: TERM.\nIf it still exists in KILL_SECS seconds, send KILL.", Run: timeout},
		&Applet{Name: "nohup", Usage: "nohup PROG ARGS", Help: "Run PROG immune to hangups, with output to a non-tty", Run: nohup},
	)
}

func kill(c *Context, args []string) int {
	sig := syscall.SIGTERM
	if len(args) > 0 && args[0] == "-l" {
		if len(args) == 1 {
			for i := 1; i < len(signalNames); i++ {
				fmt.Fprintf(c.Stdout, "%2d) %s\n", i, signalNames[i])
			}
			return 0
		}
		for _, a := range args[1:] {
			if n, err := strconv.Atoi(a); err == nil {
				if n > 128 {
					n -= 128
				}
				fmt.Fprintln(c.Stdout, signalName(syscall.Signal(n)))
				continue
			}
			s, ok := parseSignal(a)
			if !ok {
				c.Errorf("unknown signal '%s'", a)
				return 1
			}
			fmt.Fprintln(c.Stdout, int(s))
		}
		return 0
	}
	if len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' && args[0] != "--" {
		name := args[0][1:]
		args = args[1:]
		if name == "s" || name == "n" {
			if len(args) == 0 {
				c.Errorf("bad signal name '%s'", name)
				return 1
			}
			name, args = args[0], args[1:]
		}
		s, ok := parseSignal(name)
		if !ok {
			c.Errorf("bad signal name '%s'", name)
			return 1
		}
		sig = s
	}
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		c.Errorf("you need to specify whom to kill")
		return 1
	}
	status := 0
	for _, a := range args {
		pid, err := strconv.Atoi(a)
		if err != nil {
			c.Errorf("invalid number '%s'", a)
			status = 1
			continue
		}
		if err := syscall.Kill(pid, sig); err != nil {
			c.Errorf("can't kill pid %d: %s", pid, errText(err))
			status = 1
		}
	}
	return status
}

func sleepApplet(c *Context, args []string) int {
	if len(args) == 0 {
		return c.Usage()
	}
	var total float64
	for _, a := range args {
		if strings.HasPrefix(strings.ToLower(a), "inf") {
			total = math.Inf(1)
			continue
		}
		mult := 1.0
		num := a
		if n := len(a); n > 0 {
			switch a[n-1] {
			case 's':
				num = a[:n-1]
			case 'm':
				num, mult = a[:n-1], 60
			case 'h':
				num, mult = a[:n-1], 3600
			case 'd':
				num, mult = a[:n-1], 86400
			}
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil || f < 0 || num == "" || strings.ContainsAny(num, "eEnNxX") {
			c.Errorf("invalid number '%s'", a)
			return 1
		}
		total += f * mult
	}
	if math.IsInf(total, 1) || total > float64(math.MaxInt64/int64(time.Second)) {
		for {
			time.Sleep(time.Duration(math.MaxInt64))
		}
	}
	time.Sleep(time.Duration(total * float64(time.Second)))
	return 0
}

func env(c *Context, args []string) int {
	environ := os.Environ()
	for len(args) > 0 {
		a := args[0]
		if a == "-" || a == "-i" || a == "--ignore-environment" {
			environ = nil
			args = args[1:]
			continue
		}
		if a == "-u" || strings.HasPrefix(a, "-u") && len(a) > 2 {
			name := a[2:]
			if name == "" {
				if len(args) < 2 {
					c.Errorf("option requires an argument -- 'u'")
					return c.Usage()
				}
				name, args = args[1], args[1:]
			}
			environ = unsetEnv(environ, name)
			args = args[1:]
			continue
		}
		if a == "--" {
			args = args[1:]
			break
		}
		if len(a) > 1 && a[0] == '-' {
			c.Errorf("invalid option -- '%c'", a[1])
			return c.Usage()
		}
		break
	}
	for len(args) > 0 && strings.Contains(args[0], "=") {
		name := args[0][:strings.IndexByte(args[0], '=')]
		environ = append(unsetEnv(environ, name), args[0])
		args = args[1:]
	}
	if len(args) == 0 {
		for _, kv := range environ {
			fmt.Fprintln(c.Stdout, kv)
		}
		return 0
	}
	c.Flush()
	path, err := lookPathEnv(args[0], environ)
	if err == nil {
		err = syscall.Exec(path, args, environ)
	}
	c.Errorf("can't execute '%s': %s", args[0], errText(err))
	if errors.Is(err, syscall.ENOENT) {
		return 127
	}
	return 126
}

func unsetEnv(environ []string, name string) []string {
	out := environ[:0:0]
	for _, kv := range environ {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// lookPathEnv finds name like execvp does: through the PATH of environ,
// or the C library's default PATH when there is none.
func lookPathEnv(name string, environ []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	pathVar := "/bin:/usr/bin"
	for _, kv := range environ {
		if strings.HasPrefix(kv, "PATH=") {
			pathVar = kv[5:]
		}
	}
	var firstErr error
	for _, dir := range filepath.SplitList(pathVar) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		if st.IsDir() || unix.Access(p, unix.X_OK) != nil {
			if firstErr == nil {
				firstErr = syscall.EACCES
			}
			continue
		}
		return p, nil
	}
	if firstErr != nil {
		return "", firstErr
	}
	return "", syscall.ENOENT
}

func id(c *Context, args []string) int {
	o, operands, ok := c.getopt(args, "ugGnr", nil)
	if !ok {
		return 1
	}
	if len(operands) > 1 || (o.on('n') && !o.on('u') && !o.on('g') && !o.on('G')) {
		return c.Usage()
	}
	var uid, gid int
	var groups []int
	if len(operands) == 1 {
		u, found := userByName(operands[0])
		if !found {
			if n, err := strconv.Atoi(operands[0]); err == nil {
				u, found = userByID(n)
			}
		}
		if !found {
			c.Errorf("unknown user %s", operands[0])
			return 1
		}
		uid, gid = u.uid, u.gid
		groups = userGroups(u.name, u.gid)
	} else {
		uid, gid = os.Geteuid(), os.Getegid()
		if o.on('r') {
			uid, gid = os.Getuid(), os.Getgid()
		}
		groups, _ = syscall.Getgroups()
	}
	names := o.on('n')
	// A name, or busybox's error for an id without one.
	name := func(id int, user bool) (string, bool) {
		if user {
			if e, ok := userByID(id); ok {
				return e.name, true
			}
		} else if g, ok := groupByID(id); ok {
			return g.name, true
		}
		return strconv.Itoa(id), false
	}
	switch {
	case o.on('u'), o.on('g'):
		id := uid
		if !o.on('u') {
			id = gid
		}
		if !names {
			fmt.Fprintln(c.Stdout, id)
			return 0
		}
		n, ok := name(id, o.on('u'))
		fmt.Fprintln(c.Stdout, n)
		if !ok {
			c.Errorf("unknown ID %d", id)
			return 1
		}
		return 0
	case o.on('G'):
		list := groups
		if len(list) == 0 {
			list = []int{gid}
		}
		parts := make([]string, len(list))
		for i, g := range list {
			parts[i] = strconv.Itoa(g)
			if names {
				parts[i], _ = name(g, false)
			}
		}
		fmt.Fprintln(c.Stdout, strings.Join(parts, " "))
		return 0
	}
	// Ids without a name print bare, as busybox does: uid=4321 gid=4321.
	withName := func(id int, user bool) string {
		if n, ok := name(id, user); ok {
			return fmt.Sprintf("%d(%s)", id, n)
		}
		return strconv.Itoa(id)
	}
	line := fmt.Sprintf("uid=%s gid=%s", withName(uid, true), withName(gid, false))
	if len(groups) > 0 {
		parts := make([]string, len(groups))
		for i, g := range groups {
			parts[i] = withName(g, false)
		}
		line += " groups=" + strings.Join(parts, ",")
	}
	fmt.Fprintln(c.Stdout, line)
	return 0
}

// userGroups is the primary group then the groups listing user as member.
func userGroups(user string, gid int) []int {
	groups := []int{gid}
	readColonFile(groupFile, 4, func(f []string) bool {
		g, err := strconv.Atoi(f[2])
		if err != nil || g == gid {
			return true
		}
		for _, m := range strings.Split(f[3], ",") {
			if m == user {
				groups = append(groups, g)
				break
			}
		}
		return true
	})
	return groups
}

func whoami(c *Context, args []string) int {
	if len(args) > 0 {
		return c.Usage()
	}
	uid := os.Geteuid()
	u, ok := userByID(uid)
	if !ok {
		c.Errorf("unknown uid %d", uid)
		return 1
	}
	fmt.Fprintln(c.Stdout, u.name)
	return 0
}

func hostname(c *Context, args []string) int {
	o, operands, ok := c.getopt(args, "sdfF:", nil)
	if !ok {
		return 1
	}
	name := ""
	switch {
	case o.on('F'):
		b, err := os.ReadFile(o.val('F'))
		if err != nil {
			c.Errorf("%s", pathErr(o.val('F'), err))
			return 1
		}
		name = strings.TrimSpace(string(b))
	case len(operands) > 0:
		name = operands[0]
	}
	if name != "" {
		if err := unix.Sethostname([]byte(name)); err != nil {
			c.Errorf("sethostname: %s", errText(err))
			return 1
		}
		return 0
	}
	h, err := os.Hostname()
	if err != nil {
		c.Errorf("%s", errText(err))
		return 1
	}
	short, domain, _ := strings.Cut(h, ".")
	switch {
	case o.on('s'):
		h = short
	case o.on('d'):
		h = domain
	}
	fmt.Fprintln(c.Stdout, h)
	return 0
}

func uname(c *Context, args []string) int {
	o, operands, ok := c.getopt(args, "amnrspvio", nil)
	if !ok {
		return 1
	}
	if len(operands) > 0 {
		return c.Usage()
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		c.Errorf("%s", errText(err))
		return 1
	}
	str := func(b []byte) string { return string(bytes.TrimRight(b, "\x00")) }
	fields := []struct {
		flag  byte
		value string
	}{
		{'s', str(u.Sysname[:])}, {'n', str(u.Nodename[:])}, {'r', str(u.Release[:])},
		{'v', str(u.Version[:])}, {'m', str(u.Machine[:])}, {'p', "unknown"},
		{'i', "unknown"}, {'o', "GNU/Linux"},
	}
	var out []string
	any := false
	for _, f := range fields {
		if o.on(f.flag) {
			any = true
		}
	}
	for _, f := range fields {
		if o.on(f.flag) || (o.on('a') && f.value != "unknown") || (!any && !o.on('a') && f.flag == 's') {
			out = append(out, f.value)
		}
	}
	fmt.Fprintln(c.Stdout, strings.Join(out, " "))
	return 0
}

// procInfo is what ps shows about one process, read from /proc.
type procInfo struct {
	pid, ppid, pgid, sid int
	uid, gid, ruid, rgid int
	state                string
	comm                 string
	args                 string // cmdline joined; "" for kernel threads
	tty                  int
	nice                 int
	vszKB, rssKB         uint64
	ticks                uint64 // utime+stime
}

func readProc(dir string) (procInfo, bool) {
	var p procInfo
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return p, false
	}
	open := bytes.IndexByte(stat, '(')
	closeParen := bytes.LastIndexByte(stat, ')')
	if open < 0 || closeParen < open {
		return p, false
	}
	p.pid, _ = strconv.Atoi(strings.TrimSpace(string(stat[:open])))
	p.comm = string(stat[open+1 : closeParen])
	f := strings.Fields(string(stat[closeParen+1:]))
	if len(f) < 22 {
		return p, false
	}
	num := func(i int) int64 { n, _ := strconv.ParseInt(f[i], 10, 64); return n }
	p.state = f[0]
	p.ppid, p.pgid, p.sid, p.tty = int(num(1)), int(num(2)), int(num(3)), int(num(4))
	p.ticks = uint64(num(11) + num(12))
	p.nice = int(num(16))
	p.vszKB = uint64(num(20)) / 1024
	p.rssKB = uint64(num(21)) * uint64(os.Getpagesize()) / 1024
	if status, err := os.ReadFile(filepath.Join(dir, "status")); err == nil {
		for _, line := range strings.Split(string(status), "\n") {
			k, v, _ := strings.Cut(line, ":")
			ids := strings.Fields(v)
			if len(ids) < 2 {
				continue
			}
			switch k {
			case "Uid":
				p.ruid, _ = strconv.Atoi(ids[0])
				p.uid, _ = strconv.Atoi(ids[1])
			case "Gid":
				p.rgid, _ = strconv.Atoi(ids[0])
				p.gid, _ = strconv.Atoi(ids[1])
			}
		}
	}
	if cmdline, err := os.ReadFile(filepath.Join(dir, "cmdline")); err == nil && len(cmdline) > 0 {
		cmdline = bytes.TrimRight(cmdline, "\x00")
		p.args = string(bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '}))
	}
	return p, true
}

// command is ps's COMMAND: the arguments, "[comm]" for a kernel thread,
// and "{comm} args" when the program renamed itself, like busybox.
func (p procInfo) command() string {
	if p.args == "" {
		return "[" + p.comm + "]"
	}
	argv0 := p.args
	if i := strings.IndexByte(argv0, ' '); i >= 0 {
		argv0 = argv0[:i]
	}
	if !strings.HasPrefix(filepath.Base(argv0), p.comm) {
		return "{" + p.comm + "} " + p.args
	}
	return p.args
}

// psColumn is one -o column: header, width (negative: left-aligned) and value.
type psColumn struct {
	name   string
	header string
	width  int
	value  func(p procInfo, ids *idCache) string
}

var psColumns = []psColumn{
	{"user", "USER", -8, func(p procInfo, ids *idCache) string { return ids.user(p.uid) }},
	{"group", "GROUP", -8, func(p procInfo, ids *idCache) string { return ids.group(p.gid) }},
	{"comm", "COMMAND", -16, func(p procInfo, _ *idCache) string { return p.comm }},
	{"args", "COMMAND", 0, func(p procInfo, _ *idCache) string { return p.command() }},
	{"pid", "PID", 5, func(p procInfo, _ *idCache) string { return strconv.Itoa(p.pid) }},
	{"ppid", "PPID", 5, func(p procInfo, _ *idCache) string { return strconv.Itoa(p.ppid) }},
	{"pgid", "PGID", 5, func(p procInfo, _ *idCache) string { return strconv.Itoa(p.pgid) }},
	{"time", "TIME", 5, func(p procInfo, _ *idCache) string { return psTime(p.ticks) }},
	{"nice", "NI", 5, func(p procInfo, _ *idCache) string { return strconv.Itoa(p.nice) }},
	{"rgroup", "RGROUP", -8, func(p procInfo, ids *idCache) string { return ids.group(p.rgid) }},
	{"ruser", "RUSER", -8, func(p procInfo, ids *idCache) string { return ids.user(p.ruid) }},
	{"tty", "TT", -6, func(p procInfo, _ *idCache) string { return ttyName(p.tty) }},
	{"vsz", "VSZ", 4, func(p procInfo, _ *idCache) string { return scale4(p.vszKB) }},
	{"sid", "SID", 5, func(p procInfo, _ *idCache) string { return strconv.Itoa(p.sid) }},
	{"stat", "STAT", -4, func(p procInfo, _ *idCache) string { return p.stat() }},
	{"rss", "RSS", 4, func(p procInfo, _ *idCache) string { return scale4(p.rssKB) }},
}

func (p procInfo) stat() string {
	s := p.state
	if p.vszKB == 0 {
		s += "W"
	}
	switch {
	case p.nice < 0:
		s += "<"
	case p.nice > 0:
		s += "N"
	}
	return s
}

// psTime is cpu time as busybox shows it: minutes:seconds.
func psTime(ticks uint64) string {
	secs := ticks / 100 // USER_HZ is 100 on Linux
	return fmt.Sprintf("%2d:%02d", secs/60, secs%60)
}

// scale4 fits a KiB count in 4 characters with a unit, like busybox.
func scale4(kb uint64) string {
	if kb <= 9999 {
		return strconv.FormatUint(kb, 10)
	}
	v := kb
	for _, unit := range "mgtpe" {
		v = (v + 512) / 1024
		if v <= 999 {
			return strconv.FormatUint(v, 10) + string(unit)
		}
	}
	return strconv.FormatUint(v, 10) + "e"
}

func ttyName(nr int) string {
	if nr == 0 {
		return "?"
	}
	major := (nr >> 8) & 0xfff
	minor := (nr & 0xff) | ((nr >> 12) & 0xfff00)
	switch {
	case major >= 136 && major <= 143:
		return fmt.Sprintf("pts/%d", minor+(major-136)*256)
	case major == 4 && minor < 64:
		return fmt.Sprintf("tty%d", minor)
	case major == 4:
		return fmt.Sprintf("ttyS%d", minor-64)
	case major == 5 && minor == 1:
		return "console"
	}
	return fmt.Sprintf("%d,%d", major, minor)
}

func ps(c *Context, args []string) int {
	// Operands (BSD-style "aux") are accepted and ignored, like busybox.
	o, _, ok := c.getopt(args, "o:TAadefl", nil)
	if !ok {
		return 1
	}
	type col struct {
		psColumn
		header string
	}
	var cols []col
	if specs := o.all('o'); len(specs) > 0 {
		for _, spec := range specs {
			for _, item := range strings.Split(spec, ",") {
				name, header, hasHeader := strings.Cut(item, "=")
				found := false
				for _, pc := range psColumns {
					if pc.name == name {
						h := pc.header
						if hasHeader {
							h = header
						}
						cols = append(cols, col{pc, h})
						found = true
					}
				}
				if !found {
					names := make([]string, len(psColumns))
					for i, pc := range psColumns {
						names[i] = pc.name
					}
					c.Errorf("bad -o argument '%s', supported arguments: %s", name, strings.Join(names, ","))
					return 1
				}
			}
		}
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	if o.on('T') {
		dirs, _ = filepath.Glob("/proc/[0-9]*/task/[0-9]*")
	}
	var procs []procInfo
	for _, d := range dirs {
		if p, ok := readProc(d); ok {
			procs = append(procs, p)
		}
	}
	sort.Slice(procs, func(i, j int) bool { return procs[i].pid < procs[j].pid })
	ids := &idCache{}
	width := 0
	if f, ok := c.Stdout.(*os.File); ok && c.Terminal {
		width = terminalWidth(f)
	}
	clip := func(s string) string {
		if width > 0 && len(s) > width {
			return s[:width]
		}
		return s
	}
	if cols == nil {
		// busybox's default format, with the TIME column of the usual
		// (FEATURE_PS_TIME) build that Docker's busybox image has.
		fmt.Fprintln(c.Stdout, "PID   USER     TIME  COMMAND")
		for _, p := range procs {
			fmt.Fprintln(c.Stdout, clip(fmt.Sprintf("%5d %-8.8s %s %s", p.pid, ids.user(p.uid), psTime(p.ticks), p.command())))
		}
		return 0
	}
	format := func(i int, w int, s string) string {
		last := i == len(cols)-1
		switch {
		case w < 0 && last:
			return s
		case w < 0:
			return fmt.Sprintf("%-*s", -w, s)
		case w == 0:
			return s
		}
		return fmt.Sprintf("%*s", w, s)
	}
	var header []string
	anyHeader := false
	for i, cl := range cols {
		// busybox left-aligns every header, numbers or not.
		w := cl.width
		if w > 0 {
			w = -w
		}
		header = append(header, format(i, w, cl.header))
		if cl.header != "" {
			anyHeader = true
		}
	}
	if anyHeader {
		fmt.Fprintln(c.Stdout, clip(strings.TrimRight(strings.Join(header, " "), " ")))
	}
	for _, p := range procs {
		var line []string
		for i, cl := range cols {
			v := cl.value(p, ids)
			if cl.width < 0 && i < len(cols)-1 && len(v) > -cl.width {
				v = v[:-cl.width]
			}
			line = append(line, format(i, cl.width, v))
		}
		fmt.Fprintln(c.Stdout, clip(strings.Join(line, " ")))
	}
	return 0
}

// meminfo reads /proc/meminfo in KiB.
func meminfo() (map[string]uint64, error) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return nil, err
	}
	m := map[string]uint64{}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.ParseUint(f[0], 10, 64)
		m[k] = n
	}
	return m, nil
}

func free(c *Context, args []string) int {
	o, _, ok := c.getopt(args, "bkmgh", nil)
	if !ok {
		return 1
	}
	m, err := meminfo()
	if err != nil {
		c.Errorf("%s", pathErr("/proc/meminfo", err))
		return 1
	}
	show := func(kb uint64) string {
		switch {
		case o.on('h'):
			return humanSize(kb, 1024)
		case o.on('b'):
			return strconv.FormatUint(kb*1024, 10)
		case o.on('m'):
			return strconv.FormatUint(kb/1024, 10)
		case o.on('g'):
			return strconv.FormatUint(kb/1024/1024, 10)
		}
		return strconv.FormatUint(kb, 10)
	}
	total, memFree := m["MemTotal"], m["MemFree"]
	cache := m["Buffers"] + m["Cached"] + m["SReclaimable"]
	used := total - memFree - cache
	fmt.Fprintf(c.Stdout, "%7s%12s%12s%12s%12s%12s%12s\n", "", "total", "used", "free", "shared", "buff/cache", "available")
	fmt.Fprintf(c.Stdout, "%-7s%12s%12s%12s%12s%12s%12s\n", "Mem:", show(total), show(used), show(memFree), show(m["Shmem"]), show(cache), show(m["MemAvailable"]))
	fmt.Fprintf(c.Stdout, "%-7s%12s%12s%12s\n", "Swap:", show(m["SwapTotal"]), show(m["SwapTotal"]-m["SwapFree"]), show(m["SwapFree"]))
	return 0
}

func uptime(c *Context, args []string) int {
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err != nil {
		c.Errorf("%s", errText(err))
		return 1
	}
	now := time.Now()
	var b strings.Builder
	fmt.Fprintf(&b, " %02d:%02d:%02d up ", now.Hour(), now.Minute(), now.Second())
	up := uint64(si.Uptime)
	if days := up / 86400; days > 0 {
		s := "s"
		if days == 1 {
			s = ""
		}
		fmt.Fprintf(&b, "%d day%s, ", days, s)
	}
	mins := up / 60
	hours := (mins / 60) % 24
	mins %= 60
	if hours > 0 {
		fmt.Fprintf(&b, "%2d:%02d", hours, mins)
	} else {
		fmt.Fprintf(&b, "%d min", mins)
	}
	load := func(l uint64) string {
		// The kernel's fixed-point load with 16 fraction bits, rounded like busybox.
		v := l + 1<<16/200
		return fmt.Sprintf("%d.%02d", v>>16, (v&(1<<16-1))*100>>16)
	}
	fmt.Fprintf(&b, ",  0 users,  load average: %s, %s, %s\n", load(uint64(si.Loads[0])), load(uint64(si.Loads[1])), load(uint64(si.Loads[2])))
	fmt.Fprint(c.Stdout, b.String())
	return 0
}

func mount(c *Context, args []string) int {
	o, operands, ok := c.getopt(args, "t:o:arw", nil)
	if !ok {
		return 1
	}
	if len(operands) > 0 || o.on('a') {
		c.Errorf("mounting is not supported by the boxlab toolbox; it only lists mounts")
		return 1
	}
	b, err := os.ReadFile("/proc/mounts")
	if err != nil {
		c.Errorf("%s", pathErr("/proc/mounts", err))
		return 1
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		if t := o.val('t'); t != "" && f[2] != t {
			continue
		}
		fmt.Fprintf(c.Stdout, "%s on %s type %s (%s)\n", f[0], f[1], f[2], f[3])
	}
	return 0
}

func which(c *Context, args []string) int {
	o, operands, ok := c.getopt(args, "a", nil)
	if !ok {
		return 1
	}
	if len(operands) == 0 {
		return c.Usage()
	}
	pathVar, set := os.LookupEnv("PATH")
	if !set {
		pathVar = "/sbin:/usr/sbin:/bin:/usr/bin"
	}
	status := 0
	for _, name := range operands {
		found := false
		if strings.Contains(name, "/") {
			if isExecutable(name) {
				fmt.Fprintln(c.Stdout, name)
				found = true
			}
		} else {
			for _, dir := range filepath.SplitList(pathVar) {
				if dir == "" {
					dir = "."
				}
				p := filepath.Join(dir, name)
				if dir == "." {
					p = "./" + name
				}
				if isExecutable(p) {
					fmt.Fprintln(c.Stdout, p)
					found = true
					if !o.on('a') {
						break
					}
				}
			}
		}
		if !found {
			status = 1
		}
	}
	return status
}

func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && unix.Access(path, unix.X_OK) == nil
}

func printenv(c *Context, args []string) int {
	if len(args) == 0 {
		for _, kv := range os.Environ() {
			fmt.Fprintln(c.Stdout, kv)
		}
		return 0
	}
	status := 0
	for _, name := range args {
		v, ok := os.LookupEnv(name)
		if !ok {
			status = 1
			continue
		}
		fmt.Fprintln(c.Stdout, v)
	}
	return status
}

// timeout runs PROG as a child and signals it after SECS, like busybox
// (whose PROG keeps timeout's pid; here it is a child). The status is
// PROG's, so 143 when TERM ended it.
func timeout(c *Context, args []string) int {
	o, operands, ok := c.getopt(args, "+s:k:", nil)
	if !ok {
		return 1
	}
	if len(operands) < 2 {
		return c.Usage()
	}
	sig := syscall.SIGTERM
	if o.on('s') {
		s, ok := parseSignal(o.val('s'))
		if !ok {
			c.Errorf("bad signal name '%s'", o.val('s'))
			return 1
		}
		sig = s
	}
	secs, err := strconv.ParseFloat(strings.TrimSuffix(operands[0], "s"), 64)
	if err != nil || secs < 0 {
		c.Errorf("invalid number '%s'", operands[0])
		return 1
	}
	var killAfter float64
	if o.on('k') {
		if killAfter, err = strconv.ParseFloat(o.val('k'), 64); err != nil {
			c.Errorf("invalid number '%s'", o.val('k'))
			return 1
		}
	}
	c.Flush()
	path, err := lookPathEnv(operands[1], os.Environ())
	if err != nil {
		c.Errorf("can't execute '%s': %s", operands[1], errText(err))
		return 127
	}
	cmd := exec.Command(path, operands[2:]...)
	cmd.Args[0] = operands[1]
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Stdin, c.ChildStdout(), c.Stderr
	if err := cmd.Start(); err != nil {
		c.Errorf("can't execute '%s': %s", operands[1], errText(err))
		return 126
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err2 error
	select {
	case err2 = <-done:
	case <-time.After(time.Duration(secs * float64(time.Second))):
		cmd.Process.Signal(sig)
		if killAfter > 0 {
			select {
			case err2 = <-done:
			case <-time.After(time.Duration(killAfter * float64(time.Second))):
				cmd.Process.Kill()
				err2 = <-done
			}
		} else {
			err2 = <-done
		}
	}
	var ee *exec.ExitError
	if errors.As(err2, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	return 0
}

// nohup runs PROG with SIGHUP ignored; output meant for a terminal goes
// to nohup.out instead.
func nohup(c *Context, args []string) int {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return c.Usage()
	}
	signal.Ignore(syscall.SIGHUP)
	if isTerminal(os.Stdout) {
		f, err := os.OpenFile("nohup.out", os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			c.Errorf("can't open 'nohup.out': %s", errText(err))
			return 127
		}
		unix.Dup2(int(f.Fd()), 1)
		c.Errorf("appending output to nohup.out")
	}
	if isTerminal(os.Stderr) {
		unix.Dup2(1, 2)
	}
	path, err := lookPathEnv(args[0], os.Environ())
	if err == nil {
		err = syscall.Exec(path, args, os.Environ())
	}
	c.Errorf("can't execute '%s': %s", args[0], errText(err))
	if errors.Is(err, syscall.ENOENT) {
		return 127
	}
	return 126
}

func yes(c *Context, args []string) int {
	line := "y"
	if len(args) > 0 {
		line = strings.Join(args, " ")
	}
	line += "\n"
	buf := strings.Repeat(line, max(1, 4096/len(line)))
	for {
		if _, err := fmt.Fprint(c.Stdout, buf); err != nil {
			return 1
		}
	}
}

func xargs(c *Context, args []string) int {
	o, cmd, ok := c.getopt(args, "+0d:I:n:rtxs:P:a:E:e", nil)
	if !ok {
		return 1
	}
	if len(cmd) == 0 {
		cmd = []string{"echo"}
	}
	in := c.Stdin
	if o.on('a') {
		f, err := os.Open(o.val('a'))
		if err != nil {
			c.Errorf("%s", pathErr(o.val('a'), err))
			return 1
		}
		defer f.Close()
		in = f
	}
	var items []string
	var err error
	data, rerr := readAll(in)
	if rerr != nil {
		c.Errorf("%s", errText(rerr))
		return 1
	}
	switch {
	case o.on('0'):
		items = splitKeepNonEmpty(string(data), "\x00")
	case o.on('d'):
		d := unescapeC(o.val('d'))
		items = strings.Split(string(data), d)
		if len(items) > 0 && items[len(items)-1] == "" {
			items = items[:len(items)-1]
		}
	case o.on('I'):
		items = splitKeepNonEmpty(string(data), "\n")
	default:
		items, err = xargsWords(string(data))
		if err != nil {
			c.Errorf("%s", err)
			return 1
		}
	}
	if eof := o.val('E'); eof != "" {
		for i, it := range items {
			if it == eof {
				items = items[:i]
				break
			}
		}
	}
	per := len(items)
	if n, err := strconv.Atoi(o.val('n')); o.on('n') && err == nil && n > 0 {
		per = n
	}
	var batches [][]string
	if repl := o.val('I'); o.on('I') {
		for _, it := range items {
			argv := make([]string, len(cmd))
			for i, a := range cmd {
				argv[i] = strings.ReplaceAll(a, repl, it)
			}
			batches = append(batches, argv)
		}
	} else {
		for i := 0; i < len(items); i += max(per, 1) {
			end := min(i+max(per, 1), len(items))
			batches = append(batches, append(append([]string{}, cmd...), items[i:end]...))
		}
		if len(items) == 0 && !o.on('r') {
			batches = [][]string{cmd}
		}
	}
	status := 0
	c.Flush()
	for _, argv := range batches {
		if o.on('t') {
			fmt.Fprintln(c.Stderr, strings.Join(argv, " "))
		}
		ex := exec.Command(argv[0], argv[1:]...)
		ex.Stdout, ex.Stderr = c.ChildStdout(), c.Stderr
		err := ex.Run()
		var ee *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &ee):
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				c.Errorf("%s: terminated by signal %d", argv[0], ws.Signal())
				return 125
			}
			if ee.ExitCode() == 255 {
				c.Errorf("%s: exited with status 255; aborting", argv[0])
				return 124
			}
			status = 123
		default:
			c.Errorf("%s: %s", argv[0], errText(unwrapExecErr(err)))
			if errors.Is(err, exec.ErrNotFound) || errors.Is(err, syscall.ENOENT) {
				return 127
			}
			return 126
		}
	}
	return status
}

// unwrapExecErr turns os/exec's lookup error into the errno busybox names.
func unwrapExecErr(err error) error {
	if errors.Is(err, exec.ErrNotFound) {
		return syscall.ENOENT
	}
	return err
}

func splitKeepNonEmpty(s, sep string) []string {
	var out []string
	for _, p := range strings.Split(s, sep) {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// xargsWords splits xargs input on blanks, honouring quotes and backslashes.
func xargsWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		case ch == '\'' || ch == '"':
			end := strings.IndexByte(s[i+1:], ch)
			nl := strings.IndexByte(s[i+1:], '\n')
			if end < 0 || (nl >= 0 && nl < end) {
				if ch == '\'' {
					return nil, errors.New("unmatched single quote")
				}
				return nil, errors.New("unmatched double quote")
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case ch == ' ' || ch == '\t' || ch == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// readAll reads r to its end.
func readAll(r interface{ Read([]byte) (int, error) }) ([]byte, error) {
	var buf bytes.Buffer
	br := bufio.NewReader(r)
	_, err := buf.ReadFrom(br)
	return buf.Bytes(), err
}
