package toolbox

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func init() {
	Register(&Applet{
		Name:  "ls",
		Usage: "ls [-1AaCxdLHRFplinshrSXtcu] [-w WIDTH] [FILE]...",
		Help: `List directory contents

	-1	One column output
	-a	Include names starting with .
	-A	Like -a, but exclude . and ..
	-C	List by columns (default on a terminal)
	-x	List by lines
	-d	List directory names, not contents
	-L	Follow symlinks
	-H	Follow symlinks on command line
	-R	Recurse
	-p	Append / to directory names
	-F	Append indicator (one of */=@|) to names
	-l	Long format
	-i	List inode numbers
	-n	List numeric UIDs and GIDs instead of names
	-s	List allocated blocks
	-lc	List ctime
	-lu	List atime
	--full-time	List full date/time
	-h	Human readable sizes (1K 243M 2G)
	--group-directories-first
	-S	Sort by size
	-X	Sort by extension
	-t	Sort by mtime
	-tc	Sort by ctime
	-tu	Sort by atime
	-r	Reverse sort order
	-w N	Format N columns wide
	--color[={always,never,auto}]	Accepted; output is never colored`,
		Run: ls,
	})
}

// lsEntry is one name to list with its metadata.
type lsEntry struct {
	name string // as shown
	path string // to stat and recurse
	st   os.FileInfo
	sys  *syscall.Stat_t
	link string // symlink target, for -l
	err  error
}

// lsOpts are the parsed options of one ls run.
type lsOpts struct {
	o         *options
	long      bool
	fullTime  bool
	dirsFirst bool
	ids       idCache
	now       time.Time
	width     int
}

const (
	lsFullTime  = 0x80
	lsDirsFirst = 0x81
	lsColor     = 0x82
)

func ls(c *Context, args []string) int {
	o, names, ok := c.getopt(args, "1AaCxdLHRFplinshrSXvtcuw:", map[string]byte{
		"full-time": lsFullTime, "group-directories-first": lsDirsFirst, "color=?": lsColor,
		"all": 'a', "almost-all": 'A', "directory": 'd', "human-readable": 'h', "recursive": 'R',
		"reverse": 'r', "inode": 'i', "numeric-uid-gid": 'n', "size": 's', "dereference": 'L',
	})
	if !ok {
		return 1
	}
	lo := &lsOpts{o: o, long: o.on('l') || o.on('n') || o.on(lsFullTime), fullTime: o.on(lsFullTime), dirsFirst: o.on(lsDirsFirst), now: time.Now()}
	lo.width = 80
	if f, ok := c.Stdout.(*os.File); ok && c.Terminal {
		lo.width = terminalWidth(f)
	}
	if w := o.val('w'); w != "" {
		if n, err := strconv.Atoi(w); err == nil {
			lo.width = n
		}
	}
	explicit := len(names) > 0
	if !explicit {
		names = []string{"."}
	}
	status := 0
	var files, dirs []*lsEntry
	for _, n := range names {
		e := lsStat(n, n, o.on('L') || o.on('H'))
		if e.err != nil {
			c.Errorf("%s", pathErr(n, e.err))
			status = 1
			continue
		}
		if e.st.IsDir() && !o.on('d') {
			dirs = append(dirs, e)
		} else {
			files = append(files, e)
		}
	}
	lsSort(files, lo)
	lsSort(dirs, lo)
	if len(files) > 0 {
		lsPrint(c, files, lo)
	}
	header := len(names) > 1 || o.on('R')
	for i, d := range dirs {
		if len(files) > 0 || i > 0 {
			io.WriteString(c.Stdout, "\n")
		}
		if st := lsDir(c, d.path, d.name, lo, header); st != 0 {
			status = max(status, st)
		}
	}
	return status
}

// lsStat stats path (following a symlink when follow) for listing as name.
func lsStat(path, name string, follow bool) *lsEntry {
	e := &lsEntry{name: name, path: path}
	var st os.FileInfo
	var err error
	if follow {
		st, err = os.Stat(path)
		if err != nil {
			st, err = os.Lstat(path)
		}
	} else {
		st, err = os.Lstat(path)
	}
	if err != nil {
		e.err = err
		return e
	}
	e.st = st
	e.sys, _ = st.Sys().(*syscall.Stat_t)
	if st.Mode()&os.ModeSymlink != 0 {
		e.link, _ = os.Readlink(path)
	}
	return e
}

// lsDir lists one directory, recursing for -R.
func lsDir(c *Context, path, name string, lo *lsOpts, header bool) int {
	o := lo.o
	if header {
		fmt.Fprintf(c.Stdout, "%s:\n", name)
	}
	dirents, err := os.ReadDir(path)
	if err != nil && len(dirents) == 0 {
		c.Errorf("%s", pathErr(name, err))
		return 1
	}
	var entries []*lsEntry
	if o.on('a') {
		for _, dot := range []string{".", ".."} {
			entries = append(entries, lsStat(filepath.Join(path, dot), dot, false))
		}
	}
	for _, d := range dirents {
		n := d.Name()
		if strings.HasPrefix(n, ".") && !o.on('a') && !o.on('A') {
			continue
		}
		e := lsStat(filepath.Join(path, n), n, o.on('L'))
		if e.err != nil {
			c.Errorf("%s", pathErr(filepath.Join(name, n), e.err))
			continue
		}
		entries = append(entries, e)
	}
	lsSort(entries, lo)
	if lo.long || o.on('s') {
		var blocks int64
		for _, e := range entries {
			if e.sys != nil {
				blocks += e.sys.Blocks / 2
			}
		}
		if o.on('h') {
			fmt.Fprintf(c.Stdout, "total %-7s\n", humanSizeWhole(uint64(blocks)*1024))
		} else {
			fmt.Fprintf(c.Stdout, "total %d\n", blocks)
		}
	}
	lsPrint(c, entries, lo)
	status := 0
	if o.on('R') {
		for _, e := range entries {
			if e.st.IsDir() && e.name != "." && e.name != ".." && e.st.Mode()&os.ModeSymlink == 0 {
				io.WriteString(c.Stdout, "\n")
				sub := strings.TrimSuffix(name, "/") + "/" + e.name
				status = max(status, lsDir(c, e.path, sub, lo, true))
			}
		}
	}
	return status
}

func lsSort(es []*lsEntry, lo *lsOpts) {
	o := lo.o
	timeOf := func(e *lsEntry) time.Time {
		switch {
		case o.on('c') && e.sys != nil:
			return time.Unix(e.sys.Ctim.Unix())
		case o.on('u') && e.sys != nil:
			return time.Unix(e.sys.Atim.Unix())
		}
		return e.st.ModTime()
	}
	less := func(a, b *lsEntry) bool {
		if lo.dirsFirst && a.st.IsDir() != b.st.IsDir() {
			return a.st.IsDir()
		}
		switch {
		case o.on('S') && a.st.Size() != b.st.Size():
			return a.st.Size() > b.st.Size()
		case o.on('t') && !timeOf(a).Equal(timeOf(b)):
			return timeOf(a).After(timeOf(b))
		case o.on('X'):
			if ea, eb := filepath.Ext(a.name), filepath.Ext(b.name); ea != eb {
				return ea < eb
			}
		}
		return a.name < b.name
	}
	sort.SliceStable(es, func(i, j int) bool {
		if o.on('r') {
			return less(es[j], es[i])
		}
		return less(es[i], es[j])
	})
}

// lsSuffix is the -F or -p indicator for e.
func lsSuffix(e *lsEntry, o *options) string {
	m := e.st.Mode()
	switch {
	case m.IsDir() && (o.on('F') || o.on('p')):
		return "/"
	case !o.on('F'):
		return ""
	case m&os.ModeSymlink != 0:
		return "@"
	case m&os.ModeNamedPipe != 0:
		return "|"
	case m&os.ModeSocket != 0:
		return "="
	case m.IsRegular() && m&0o111 != 0:
		return "*"
	}
	return ""
}

func lsPrint(c *Context, es []*lsEntry, lo *lsOpts) {
	o := lo.o
	if lo.long {
		for _, e := range es {
			io.WriteString(c.Stdout, lsLong(e, lo)+"\n")
		}
		return
	}
	cells := make([]string, len(es))
	for i, e := range es {
		var b strings.Builder
		if o.on('i') && e.sys != nil {
			fmt.Fprintf(&b, "%7d ", e.sys.Ino)
		}
		if o.on('s') && e.sys != nil {
			if o.on('h') {
				fmt.Fprintf(&b, "%6s ", humanSize(uint64(e.sys.Blocks/2), 1024))
			} else {
				fmt.Fprintf(&b, "%6d ", e.sys.Blocks/2)
			}
		}
		b.WriteString(e.name + lsSuffix(e, o))
		cells[i] = b.String()
	}
	columns := (c.Terminal || o.on('C') || o.on('x')) && !o.on('1')
	if !columns {
		for _, cell := range cells {
			io.WriteString(c.Stdout, cell+"\n")
		}
		return
	}
	lsColumns(c.Stdout, cells, lo.width, o.on('x'))
}

// lsColumns prints cells in columns filling the width, down the columns
// (or across with byRows, ls -x), two spaces apart like busybox.
func lsColumns(w io.Writer, cells []string, width int, byRows bool) {
	if len(cells) == 0 {
		return
	}
	maxLen := 0
	for _, s := range cells {
		maxLen = max(maxLen, len(s))
	}
	colWidth := maxLen + 2
	ncols := max(1, width/colWidth)
	nrows := (len(cells) + ncols - 1) / ncols
	ncols = (len(cells) + nrows - 1) / nrows
	var b strings.Builder
	for r := 0; r < nrows; r++ {
		for col := 0; col < ncols; col++ {
			i := col*nrows + r
			if byRows {
				i = r*ncols + col
			}
			if i >= len(cells) {
				continue
			}
			b.WriteString(cells[i])
			next := (col+1)*nrows + r
			if byRows {
				next = r*ncols + col + 1
			}
			if col < ncols-1 && next < len(cells) {
				b.WriteString(strings.Repeat(" ", colWidth-len(cells[i])))
			}
		}
		b.WriteString("\n")
	}
	io.WriteString(w, b.String())
}

// modeString is ls -l's permission column, with setuid/setgid/sticky.
func modeString(m fs.FileMode) string {
	b := []byte("----------")
	switch {
	case m.IsDir():
		b[0] = 'd'
	case m&os.ModeSymlink != 0:
		b[0] = 'l'
	case m&os.ModeNamedPipe != 0:
		b[0] = 'p'
	case m&os.ModeSocket != 0:
		b[0] = 's'
	case m&os.ModeCharDevice != 0:
		b[0] = 'c'
	case m&os.ModeDevice != 0:
		b[0] = 'b'
	}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if m&(1<<uint(8-i)) != 0 {
			b[i+1] = rwx[i]
		}
	}
	special := func(pos int, set bool, lower, upper byte) {
		if !set {
			return
		}
		if b[pos] == '-' {
			b[pos] = upper
		} else {
			b[pos] = lower
		}
	}
	special(3, m&os.ModeSetuid != 0, 's', 'S')
	special(6, m&os.ModeSetgid != 0, 's', 'S')
	special(9, m&os.ModeSticky != 0, 't', 'T')
	return string(b)
}

// lsLong is one line of ls -l, in busybox's exact layout.
func lsLong(e *lsEntry, lo *lsOpts) string {
	o := lo.o
	var b strings.Builder
	sys := e.sys
	if o.on('i') {
		fmt.Fprintf(&b, "%7d ", sys.Ino)
	}
	if o.on('s') {
		fmt.Fprintf(&b, "%6d ", sys.Blocks/2)
	}
	fmt.Fprintf(&b, "%-10s %4d ", modeString(e.st.Mode()), sys.Nlink)
	if o.on('n') {
		fmt.Fprintf(&b, "%-8d %-8d ", sys.Uid, sys.Gid)
	} else {
		fmt.Fprintf(&b, "%-8.8s %-8.8s ", lo.ids.user(int(sys.Uid)), lo.ids.group(int(sys.Gid)))
	}
	m := e.st.Mode()
	switch {
	case m&os.ModeDevice != 0:
		fmt.Fprintf(&b, "%4d,%4d ", devMajor(sys.Rdev), devMinor(sys.Rdev))
	case o.on('h'):
		fmt.Fprintf(&b, "%7s ", humanSize(uint64(e.st.Size()), 1))
	default:
		fmt.Fprintf(&b, "%9d ", e.st.Size())
	}
	t := e.st.ModTime()
	switch {
	case o.on('c'):
		t = time.Unix(sys.Ctim.Unix())
	case o.on('u'):
		t = time.Unix(sys.Atim.Unix())
	}
	b.WriteString(lsTime(t, lo) + " ")
	b.WriteString(e.name)
	if m&os.ModeSymlink != 0 && e.link != "" {
		b.WriteString(" -> " + e.link)
	} else {
		b.WriteString(lsSuffix(e, o))
	}
	return b.String()
}

// lsTime is the date column: "Nov 23 11:25", or "Jan  2  2020" for
// files more than six months old or in the future.
func lsTime(t time.Time, lo *lsOpts) string {
	if lo.fullTime {
		return t.Format("2006-01-02 15:04:05 -0700")
	}
	age := lo.now.Sub(t)
	if age > 6*30*24*time.Hour || age < -time.Hour {
		return t.Format("Jan _2  2006")
	}
	return t.Format("Jan _2 15:04")
}

func devMajor(rdev uint64) uint64 { return (rdev>>8)&0xfff | (rdev>>32)&^0xfff }
func devMinor(rdev uint64) uint64 { return rdev&0xff | (rdev>>12)&^0xff }
