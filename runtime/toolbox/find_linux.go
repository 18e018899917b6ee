package toolbox

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

func init() {
	Register(&Applet{
		Name:  "find",
		Usage: "find [-HL] [PATH]... [OPTIONS] [ACTIONS]",
		Help: `Search for files and perform actions on them.
First failed action stops processing of current file.
Defaults: PATH is current directory, action is '-print'

	-L,-follow	Follow symlinks
	-H		...on command line only
	-xdev		Don't descend directories on other filesystems
	-maxdepth N	Descend at most N levels. -maxdepth 0 applies
			actions to command line arguments only
	-mindepth N	Don't act on first N levels
	-depth		Act on directory *after* traversing it

Actions:
	( ACTIONS )	Group actions for -o / -a
	! ACT		Invert ACT's success/failure
	ACT1 [-a] ACT2	If ACT1 fails, stop, else do ACT2
	ACT1 -o ACT2	If ACT1 succeeds, stop, else do ACT2
	-name PATTERN	Match file name (w/o directory name) to PATTERN
	-iname PATTERN	Case insensitive -name
	-path PATTERN	Match path to PATTERN
	-ipath PATTERN	Case insensitive -path
	-regex PATTERN	Match path to regex PATTERN
	-type X		File type is X (one of: f,d,l,b,c,s,p)
	-executable	File is executable
	-perm MASK	At least one mask bit (+MASK), all bits (-MASK),
			or exactly MASK bits are set in file's mode
	-mtime DAYS	mtime is greater than (+N), less than (-N),
			or exactly N days in the past
	-atime DAYS, -ctime DAYS, -mmin MINS, -amin MINS, -cmin MINS
	-newer FILE	mtime is more recent than FILE's
	-inum N		File has inode number N
	-samefile FILE	File is same as FILE
	-user NAME/ID	File is owned by given user
	-group NAME/ID	File is owned by given group
	-size N[bck]	File size is N (c:bytes,k:kbytes,b:512 bytes(def.))
			+/-N: file size is bigger/smaller than N
	-links N	Number of links is greater than (+N), less than (-N),
			or exactly N
	-empty		Match empty file/directory
	-prune		If current file is directory, don't descend into it
If none of the following actions is specified, -print is assumed
	-print		Print file name
	-print0		Print file name, NUL terminated
	-exec CMD ARG ;	Run CMD with all instances of {} replaced by
			file name. Fails if CMD exits with nonzero
	-exec CMD ARG + Run CMD with {} replaced by list of file names
	-delete		Delete current file/directory. Turns on -depth option
	-quit		Exit`,
		Run: find,
	})
}

// findFile is the file an expression is evaluated on.
type findFile struct {
	path  string
	st    os.FileInfo
	sys   *syscall.Stat_t
	depth int
	prune bool
}

type findExpr func(f *findFile) bool

// finder is one find run.
type finder struct {
	c                  *Context
	maxDepth, minDepth int
	depthFirst, xdev   bool
	follow, followArgs bool
	quit               bool
	status             int
	batches            []*findBatch
	now                time.Time
}

// findBatch collects the paths of one -exec ... {} +.
type findBatch struct {
	argv  []string
	paths []string
}

type findParser struct {
	f      *finder
	args   []string
	pos    int
	action bool // the expression has an action: no implicit -print
}

func (p *findParser) more() bool { return p.pos < len(p.args) }

func (p *findParser) arg(name string) (string, error) {
	if p.pos >= len(p.args) {
		return "", fmt.Errorf("%s requires an argument", name)
	}
	p.pos++
	return p.args[p.pos-1], nil
}

func (p *findParser) or() (findExpr, error) {
	l, err := p.and()
	for err == nil && p.more() && (p.args[p.pos] == "-o" || p.args[p.pos] == "-or") {
		p.pos++
		var r findExpr
		if r, err = p.and(); err == nil {
			a, b := l, r
			l = func(f *findFile) bool { return a(f) || b(f) }
		}
	}
	return l, err
}

func (p *findParser) and() (findExpr, error) {
	l, err := p.not()
	for err == nil && p.more() {
		tok := p.args[p.pos]
		if tok == "-o" || tok == "-or" || tok == ")" {
			break
		}
		if tok == "-a" || tok == "-and" {
			p.pos++
		}
		var r findExpr
		if r, err = p.not(); err == nil {
			a, b := l, r
			l = func(f *findFile) bool { return a(f) && b(f) }
		}
	}
	return l, err
}

func (p *findParser) not() (findExpr, error) {
	if p.more() && (p.args[p.pos] == "!" || p.args[p.pos] == "-not") {
		p.pos++
		e, err := p.not()
		if err != nil {
			return nil, err
		}
		return func(f *findFile) bool { return !e(f) }, nil
	}
	return p.primary()
}

// findNumber reads +N, -N or N for -mtime, -size, -links.
func findNumber(s string) (cmp int, n int64, err error) {
	switch {
	case strings.HasPrefix(s, "+"):
		cmp, s = 1, s[1:]
	case strings.HasPrefix(s, "-"):
		cmp, s = -1, s[1:]
	}
	n, err = strconv.ParseInt(s, 10, 64)
	return cmp, n, err
}

func compareNum(cmp int, have, want int64) bool {
	switch cmp {
	case 1:
		return have > want
	case -1:
		return have < want
	}
	return have == want
}

func (p *findParser) primary() (findExpr, error) {
	if !p.more() {
		return nil, errors.New("expression expected")
	}
	tok := p.args[p.pos]
	p.pos++
	f := p.f
	bad := func(v string) error { return fmt.Errorf("invalid argument '%s' to '%s'", v, tok) }
	switch tok {
	case "(":
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.more() || p.args[p.pos] != ")" {
			return nil, errors.New("unpaired '('")
		}
		p.pos++
		return e, nil
	case "-print", "-print0":
		p.action = true
		end := "\n"
		if tok == "-print0" {
			end = "\x00"
		}
		return func(ff *findFile) bool { io.WriteString(f.c.Stdout, ff.path+end); return true }, nil
	case "-true":
		return func(*findFile) bool { return true }, nil
	case "-false":
		return func(*findFile) bool { return false }, nil
	case "-follow":
		f.follow = true
		return func(*findFile) bool { return true }, nil
	case "-xdev", "-mount":
		f.xdev = true
		return func(*findFile) bool { return true }, nil
	case "-depth", "-d":
		f.depthFirst = true
		return func(*findFile) bool { return true }, nil
	case "-maxdepth", "-mindepth":
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, bad(v)
		}
		if tok == "-maxdepth" {
			f.maxDepth = n
		} else {
			f.minDepth = n
		}
		return func(*findFile) bool { return true }, nil
	case "-name", "-iname", "-path", "-ipath", "-wholename":
		pat, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		fold := tok == "-iname" || tok == "-ipath"
		whole := tok == "-path" || tok == "-ipath" || tok == "-wholename"
		if fold {
			pat = strings.ToLower(pat)
		}
		return func(ff *findFile) bool {
			s := ff.path
			if !whole {
				s = baseName(ff.path)
			}
			if fold {
				s = strings.ToLower(s)
			}
			return fnmatch(pat, s, !whole)
		}, nil
	case "-regex", "-iregex":
		pat, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		re, err := compileRegex("^\\("+pat+"\\)$", false, tok == "-iregex")
		if err != nil {
			return nil, fmt.Errorf("bad regex '%s'", pat)
		}
		return func(ff *findFile) bool { return re.MatchString(ff.path) }, nil
	case "-type":
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		var want os.FileMode
		switch v {
		case "f":
		case "d":
			want = os.ModeDir
		case "l":
			want = os.ModeSymlink
		case "p":
			want = os.ModeNamedPipe
		case "s":
			want = os.ModeSocket
		case "c":
			want = os.ModeDevice | os.ModeCharDevice
		case "b":
			want = os.ModeDevice
		default:
			return nil, bad(v)
		}
		return func(ff *findFile) bool { return ff.st.Mode().Type() == want }, nil
	case "-executable":
		return func(ff *findFile) bool { return unix.Access(ff.path, unix.X_OK) == nil }, nil
	case "-empty":
		return func(ff *findFile) bool {
			switch {
			case ff.st.IsDir():
				d, err := os.Open(ff.path)
				if err != nil {
					return false
				}
				defer d.Close()
				names, _ := d.Readdirnames(1)
				return len(names) == 0
			case ff.st.Mode().IsRegular():
				return ff.st.Size() == 0
			}
			return false
		}, nil
	case "-prune":
		return func(ff *findFile) bool { ff.prune = true; return true }, nil
	case "-quit":
		return func(*findFile) bool { f.quit = true; return true }, nil
	case "-delete":
		p.action = true
		f.depthFirst = true
		return func(ff *findFile) bool {
			if ff.path == "." {
				return true
			}
			var err error
			if ff.st.IsDir() {
				err = syscall.Rmdir(ff.path)
			} else {
				err = syscall.Unlink(ff.path)
			}
			if err != nil {
				f.c.Errorf("%s", pathErr(ff.path, err))
				f.status = 1
				return false
			}
			return true
		}, nil
	case "-mtime", "-atime", "-ctime", "-mmin", "-amin", "-cmin":
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		cmp, n, err := findNumber(v)
		if err != nil {
			return nil, bad(v)
		}
		unit := 24 * time.Hour
		if strings.HasSuffix(tok, "min") {
			unit = time.Minute
		}
		which := tok[1]
		return func(ff *findFile) bool {
			t := ff.st.ModTime()
			switch which {
			case 'a':
				t = time.Unix(ff.sys.Atim.Unix())
			case 'c':
				t = time.Unix(ff.sys.Ctim.Unix())
			}
			age := int64(f.now.Sub(t) / unit)
			return compareNum(cmp, age, n)
		}, nil
	case "-newer":
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		ref, err := os.Stat(v)
		if err != nil {
			return nil, fmt.Errorf("%s", pathErr(v, err))
		}
		return func(ff *findFile) bool { return ff.st.ModTime().After(ref.ModTime()) }, nil
	case "-samefile":
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		ref, err := os.Stat(v)
		if err != nil {
			return nil, fmt.Errorf("%s", pathErr(v, err))
		}
		return func(ff *findFile) bool { return os.SameFile(ff.st, ref) }, nil
	case "-inum", "-links":
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		cmp, n, err := findNumber(v)
		if err != nil {
			return nil, bad(v)
		}
		return func(ff *findFile) bool {
			if tok == "-inum" {
				return compareNum(cmp, int64(ff.sys.Ino), n)
			}
			return compareNum(cmp, int64(ff.sys.Nlink), n)
		}, nil
	case "-size":
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		unit := int64(512)
		num := v
		if n := len(v); n > 0 {
			switch v[n-1] {
			case 'c':
				unit, num = 1, v[:n-1]
			case 'w':
				unit, num = 2, v[:n-1]
			case 'b':
				unit, num = 512, v[:n-1]
			case 'k':
				unit, num = 1024, v[:n-1]
			case 'M':
				unit, num = 1024*1024, v[:n-1]
			case 'G':
				unit, num = 1024*1024*1024, v[:n-1]
			}
		}
		cmp, n, err := findNumber(num)
		if err != nil {
			return nil, bad(v)
		}
		return func(ff *findFile) bool {
			size := (ff.st.Size() + unit - 1) / unit
			return compareNum(cmp, size, n)
		}, nil
	case "-perm":
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		mode := v
		kind := byte(0)
		if strings.HasPrefix(v, "-") || strings.HasPrefix(v, "+") || strings.HasPrefix(v, "/") {
			kind, mode = v[0], v[1:]
		}
		m, err := parseMode(mode, 0, false)
		if err != nil {
			return nil, bad(v)
		}
		want := uint32(m.Perm()) | specialBits(m)
		return func(ff *findFile) bool {
			have := ff.sys.Mode & 0o7777
			switch kind {
			case '-':
				return have&want == want
			case '+', '/':
				return have&want != 0 || want == 0
			}
			return have == want
		}, nil
	case "-user", "-group", "-uid", "-gid":
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		id, err := strconv.Atoi(v)
		if err != nil {
			if tok == "-user" {
				e, ok := userByName(v)
				if !ok {
					return nil, fmt.Errorf("unknown user '%s'", v)
				}
				id = e.uid
			} else {
				g, ok := groupByName(v)
				if !ok {
					return nil, fmt.Errorf("unknown group '%s'", v)
				}
				id = g.gid
			}
		}
		byUser := tok == "-user" || tok == "-uid"
		return func(ff *findFile) bool {
			if byUser {
				return int(ff.sys.Uid) == id
			}
			return int(ff.sys.Gid) == id
		}, nil
	case "-exec", "-ok":
		p.action = true
		var argv []string
		plus := false
		for {
			if !p.more() {
				return nil, fmt.Errorf("%s requires an argument", tok)
			}
			a := p.args[p.pos]
			p.pos++
			if a == ";" {
				break
			}
			if a == "+" && len(argv) > 0 && argv[len(argv)-1] == "{}" {
				plus = true
				argv = argv[:len(argv)-1]
				break
			}
			argv = append(argv, a)
		}
		if len(argv) == 0 {
			return nil, fmt.Errorf("%s requires an argument", tok)
		}
		if plus {
			b := &findBatch{argv: argv}
			f.batches = append(f.batches, b)
			return func(ff *findFile) bool { b.paths = append(b.paths, ff.path); return true }, nil
		}
		return func(ff *findFile) bool {
			cmd := make([]string, len(argv))
			for i, a := range argv {
				cmd[i] = strings.ReplaceAll(a, "{}", ff.path)
			}
			if tok == "-ok" && !confirm(f.c, "%s ?", strings.Join(cmd, " ")) {
				return false
			}
			return f.run(cmd) == 0
		}, nil
	}
	if strings.HasPrefix(tok, "-") {
		return nil, fmt.Errorf("unrecognized: %s: %w", tok, errFindUsage)
	}
	return nil, fmt.Errorf("paths must precede expression: %s", tok)
}

// run runs a command for -exec with find's streams and returns its status.
func (f *finder) run(argv []string) int {
	f.c.Flush()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = f.c.Stdin
	cmd.Stdout = f.c.ChildStdout()
	cmd.Stderr = f.c.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	f.c.Errorf("%s: %s", argv[0], errText(unwrapExecErr(err)))
	f.status = 1
	return 127
}

// fnmatch is fnmatch(3) without flags, or with FNM_PATHNAME-free '*'
// crossing slashes (find -path); basename patterns never see a slash.
func fnmatch(pattern, name string, _ bool) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for len(pattern) > 0 && pattern[0] == '*' {
				pattern = pattern[1:]
			}
			if pattern == "" {
				return true
			}
			for i := 0; i <= len(name); i++ {
				if fnmatch(pattern, name[i:], false) {
					return true
				}
			}
			return false
		case '?':
			if name == "" {
				return false
			}
			pattern, name = pattern[1:], name[1:]
		case '[':
			end := bracketEnd(pattern, 0)
			if end < 0 {
				if name == "" || name[0] != '[' {
					return false
				}
				pattern, name = pattern[1:], name[1:]
				continue
			}
			if name == "" {
				return false
			}
			class := pattern[1:end]
			negate := strings.HasPrefix(class, "!") || strings.HasPrefix(class, "^")
			if negate {
				class = class[1:]
			}
			expr := "[" + class + "]"
			if negate {
				expr = "[^" + class + "]"
			}
			re, err := regexp.Compile("^" + translateBracket(expr) + "$")
			if err != nil || !re.MatchString(name[:1]) {
				return false
			}
			pattern, name = pattern[end+1:], name[1:]
		case '\\':
			if len(pattern) > 1 {
				pattern = pattern[1:]
			}
			fallthrough
		default:
			if name == "" || name[0] != pattern[0] {
				return false
			}
			pattern, name = pattern[1:], name[1:]
		}
	}
	return name == ""
}

func find(c *Context, args []string) int {
	f := &finder{c: c, maxDepth: -1, now: time.Now()}
	for len(args) > 0 && (args[0] == "-L" || args[0] == "-H" || args[0] == "-P") {
		switch args[0] {
		case "-L":
			f.follow = true
		case "-H":
			f.followArgs = true
		}
		args = args[1:]
	}
	var paths []string
	for len(args) > 0 && (!strings.HasPrefix(args[0], "-") || args[0] == "-") && args[0] != "!" && args[0] != "(" {
		paths = append(paths, args[0])
		args = args[1:]
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	p := &findParser{f: f, args: args}
	var expr findExpr = func(*findFile) bool { return true }
	if len(args) > 0 {
		e, err := p.or()
		if err == nil && p.more() {
			err = fmt.Errorf("unexpected '%s'", p.args[p.pos])
		}
		if err != nil {
			if errors.Is(err, errFindUsage) {
				c.Errorf("%s", strings.TrimSuffix(err.Error(), ": "+errFindUsage.Error()))
				return c.Usage()
			}
			c.Errorf("%s", err)
			return 1
		}
		expr = e
	}
	if !p.action {
		inner := expr
		expr = func(ff *findFile) bool {
			if inner(ff) {
				io.WriteString(c.Stdout, ff.path+"\n")
			}
			return true
		}
	}
	for _, root := range paths {
		if f.quit {
			break
		}
		f.walk(root, 0, expr, 0)
	}
	for _, b := range f.batches {
		if len(b.paths) > 0 {
			if f.run(append(append([]string{}, b.argv...), b.paths...)) != 0 {
				f.status = 1
			}
		}
	}
	return f.status
}

func (f *finder) walk(path string, depth int, expr findExpr, dev uint64) {
	var st os.FileInfo
	var err error
	if f.follow || (depth == 0 && f.followArgs) {
		st, err = os.Stat(path)
		if err != nil {
			st, err = os.Lstat(path)
		}
	} else {
		st, err = os.Lstat(path)
	}
	if err != nil {
		f.c.Errorf("%s", pathErr(path, err))
		f.status = 1
		return
	}
	ff := &findFile{path: path, st: st, depth: depth}
	ff.sys, _ = st.Sys().(*syscall.Stat_t)
	if depth == 0 && ff.sys != nil {
		dev = ff.sys.Dev
	}
	act := depth >= f.minDepth
	if act && !f.depthFirst {
		expr(ff)
	}
	descend := st.IsDir() && !ff.prune && (f.maxDepth < 0 || depth < f.maxDepth) && !f.quit
	if descend && f.xdev && ff.sys != nil && ff.sys.Dev != dev {
		descend = false
	}
	if descend {
		entries, err := os.ReadDir(path)
		if err != nil {
			f.c.Errorf("%s", pathErr(path, err))
			f.status = 1
		}
		for _, e := range entries {
			if f.quit {
				break
			}
			child := path + "/" + e.Name()
			if strings.HasSuffix(path, "/") {
				child = path + e.Name()
			}
			f.walk(child, depth+1, expr, dev)
		}
	}
	if act && f.depthFirst && !f.quit {
		expr(ff)
	}
}
