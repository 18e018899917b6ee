package toolbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

var old2020 = time.Date(2020, 1, 2, 3, 4, 5, 0, time.Local)

// lsTree builds the directory busybox's outputs below were taken in.
func lsTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	chdir(t, dir)
	writeFiles(t, dir, map[string]string{"a.txt": "hello\n", "big.bin": strings.Repeat(" ", 1999) + "x", "dir/sub/.keep": "", ".hidden": "", "old.txt": ""})
	os.Remove("dir/sub/.keep")
	must(t, os.Symlink("a.txt", "link"))
	must(t, os.Symlink("nowhere", "broken"))
	must(t, syscall.Mkfifo("fifo", 0o644))
	must(t, os.Chmod("big.bin", 0o755|os.ModeSetuid))
	for _, n := range []string{"a.txt", "big.bin", "dir", "dir/sub", ".hidden", "old.txt", "fifo", "."} {
		must(t, os.Chtimes(n, old2020, old2020))
	}
	// Sizes busybox showed for -S: a later mtime for a.txt for -t.
	later := old2020.Add(time.Hour)
	must(t, os.Chtimes("a.txt", later, later))
	return dir
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Expected outputs checked against busybox 1.35.0 in the same tree.
func TestLs(t *testing.T) {
	lsTree(t)
	runCases(t, "ls", []appletCase{
		{want: "a.txt\nbig.bin\nbroken\ndir\nfifo\nlink\nold.txt\n"},
		{args: []string{"-a"}, want: ".\n..\n.hidden\na.txt\nbig.bin\nbroken\ndir\nfifo\nlink\nold.txt\n"},
		{args: []string{"-A"}, want: ".hidden\na.txt\nbig.bin\nbroken\ndir\nfifo\nlink\nold.txt\n"},
		{args: []string{"-r"}, want: "old.txt\nlink\nfifo\ndir\nbroken\nbig.bin\na.txt\n"},
		{args: []string{"-S"}, want: "dir\nbig.bin\nbroken\na.txt\nlink\nfifo\nold.txt\n"},
		{args: []string{"-F"}, want: "a.txt\nbig.bin*\nbroken@\ndir/\nfifo|\nlink@\nold.txt\n"},
		{args: []string{"-p"}, want: "a.txt\nbig.bin\nbroken\ndir/\nfifo\nlink\nold.txt\n"},
		{args: []string{"-R", "dir"}, want: "dir:\nsub\n\ndir/sub:\n"},
		{args: []string{"dir", "a.txt"}, want: "a.txt\n\ndir:\nsub\n"},
		{args: []string{"-d", "dir", "a.txt"}, want: "a.txt\ndir\n"},
		{args: []string{"nosuch", "a.txt"}, want: "a.txt\n", stderr: "ls: nosuch: No such file or directory\n", code: 1},
		{args: []string{"-x", "-w", "20"}, want: "a.txt    big.bin\nbroken   dir\nfifo     link\nold.txt\n"},
		{args: []string{"-C", "-w", "30"}, want: "a.txt    dir      old.txt\nbig.bin  fifo\nbroken   link\n"},
	})
	uid, gid := os.Getuid(), os.Getgid()
	num := func(mode string, links, size int, date, name string) string {
		return fmt.Sprintf("%-10s %4d %-8d %-8d %9d %s %s\n", mode, links, uid, gid, size, date, name)
	}
	runCases(t, "ls", []appletCase{
		{args: []string{"-ln", "a.txt", "big.bin", "old.txt", "link", "broken", "fifo"}, want: num("-rw-r--r--", 1, 6, "Jan  2  2020", "a.txt") +
			num("-rwsr-xr-x", 1, 2000, "Jan  2  2020", "big.bin") +
			strings.TrimSuffix(num("lrwxrwxrwx", 1, 7, lsTime(lstatTime(t, "broken"), &lsOpts{now: time.Now()}), "broken"), "\n") + " -> nowhere\n" +
			num("prw-r--r--", 1, 0, "Jan  2  2020", "fifo") +
			strings.TrimSuffix(num("lrwxrwxrwx", 1, 5, lsTime(lstatTime(t, "link"), &lsOpts{now: time.Now()}), "link"), "\n") + " -> a.txt\n" +
			num("-rw-r--r--", 1, 0, "Jan  2  2020", "old.txt")},
	})
}

func lstatTime(t *testing.T, name string) time.Time {
	st, err := os.Lstat(name)
	must(t, err)
	return st.ModTime()
}

func TestLsLongNames(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to own files as uid 0 and 1000")
	}
	fakeUsers(t)
	lsTree(t)
	must(t, os.Lchown("old.txt", 1000, 50))
	must(t, os.Lchown("a.txt", 1234, 4321))
	runCases(t, "ls", []appletCase{
		{args: []string{"-l", "old.txt", "a.txt"}, want: "" +
			"-rw-r--r--    1 1234     4321             6 Jan  2  2020 a.txt\n" +
			"-rw-r--r--    1 alice    staff            0 Jan  2  2020 old.txt\n"},
		{args: []string{"-lh", "big.bin"}, want: "-rwsr-xr-x    1 root     root        2.0K Jan  2  2020 big.bin\n"},
		{args: []string{"-ld", "dir"}, want: "drwxr-xr-x    3 root     root          4096 Jan  2  2020 dir\n"},
		{args: []string{"-l", "dir"}, want: "total 4\ndrwxr-xr-x    2 root     root          4096 Jan  2  2020 sub\n"},
		{args: []string{"-lh", "dir"}, want: "total 4K     \ndrwxr-xr-x    2 root     root        4.0K Jan  2  2020 sub\n"},
		{args: []string{"-l", "--full-time", "old.txt"}, want: "-rw-r--r--    1 alice    staff            0 " + old2020.Format("2006-01-02 15:04:05 -0700") + " old.txt\n"},
	})
	runCases(t, "ls", []appletCase{{args: []string{"-l", "/dev/null"}, want: "crw-rw-rw-    1 root     root        1,   3 " + lsTime(lstatTime(t, "/dev/null"), &lsOpts{now: time.Now()}) + " /dev/null\n"}})
}

func TestModeString(t *testing.T) {
	tests := map[os.FileMode]string{
		0o644:                                     "-rw-r--r--",
		os.ModeDir | 0o755:                        "drwxr-xr-x",
		os.ModeDir | os.ModeSticky | 0o777:        "drwxrwxrwt",
		os.ModeSetuid | 0o644:                     "-rwSr--r--",
		os.ModeSetgid | 0o755:                     "-rwxr-sr-x",
		os.ModeSymlink | 0o777:                    "lrwxrwxrwx",
		os.ModeDevice | os.ModeCharDevice | 0o666: "crw-rw-rw-",
	}
	for m, want := range tests {
		if got := modeString(m); got != want {
			t.Errorf("modeString(%v) = %q, want %q", m, got, want)
		}
	}
}

func TestParseMode(t *testing.T) {
	tests := []struct {
		spec  string
		old   os.FileMode
		isDir bool
		want  os.FileMode
		err   bool
	}{
		{"755", 0, false, 0o755, false},
		{"4755", 0, false, 0o755 | os.ModeSetuid, false},
		{"999", 0, false, 0, true},
		{"u+x,g=r", 0o644, false, 0o744, false},
		{"-w", 0o644, false, 0o444, false},
		{"a=rwx,o-w", 0o600, false, 0o775, false},
		{"+t", 0o755, true, 0o755 | os.ModeSticky, false},
		{"g+s", 0o755, true, 0o755 | os.ModeSetgid, false},
		{"a+X", 0o644, true, 0o755, false},
		{"a+X", 0o644, false, 0o644, false},
		{"g=u", 0o640, false, 0o660, false},
		{"bogus", 0, false, 0, true},
	}
	for _, tc := range tests {
		got, err := parseMode(tc.spec, tc.old, tc.isDir)
		if (err != nil) != tc.err || (!tc.err && got != tc.want) {
			t.Errorf("parseMode(%q, %v) = %v, %v; want %v", tc.spec, tc.old, got, err, tc.want)
		}
	}
}

// Messages checked against busybox 1.35.0.
func TestFileUtilErrors(t *testing.T) {
	lsTree(t)
	runCases(t, "mkdir", []appletCase{
		{args: []string{"dir"}, stderr: "mkdir: can't create directory 'dir': File exists\n", code: 1},
		{args: []string{"q/w"}, stderr: "mkdir: can't create directory 'q/w': No such file or directory\n", code: 1},
		{args: []string{"-p", "dir/x/y"}},
	})
	runCases(t, "rmdir", []appletCase{
		{args: []string{"dir"}, stderr: "rmdir: 'dir': Directory not empty\n", code: 1},
		{args: []string{"nosuch"}, stderr: "rmdir: 'nosuch': No such file or directory\n", code: 1},
		{args: []string{"-p", "dir/x/y"}, stderr: "rmdir: 'dir': Directory not empty\n", code: 1},
	})
	runCases(t, "rm", []appletCase{
		{args: []string{"nosuch"}, stderr: "rm: can't remove 'nosuch': No such file or directory\n", code: 1},
		{args: []string{"-f", "nosuch"}},
		{args: []string{"dir"}, stderr: "rm: 'dir' is a directory\n", code: 1},
	})
	runCases(t, "cp", []appletCase{
		{args: []string{"nosuch", "x"}, stderr: "cp: can't stat 'nosuch': No such file or directory\n", code: 1},
		{args: []string{"dir", "d2"}, stderr: "cp: omitting directory 'dir'\n", code: 1},
		{args: []string{"a.txt", "a.txt"}, stderr: "cp: 'a.txt' and 'a.txt' are the same file\n", code: 1},
	})
	runCases(t, "mv", []appletCase{{args: []string{"nosuch", "x"}, stderr: "mv: can't rename 'nosuch': No such file or directory\n", code: 1}})
	runCases(t, "ln", []appletCase{
		{args: []string{"-s", "a.txt", "link"}, stderr: "ln: link: File exists\n", code: 1},
		{args: []string{"nosuch", "hard"}, stderr: "ln: nosuch: No such file or directory\n", code: 1},
	})
	runCases(t, "chmod", []appletCase{
		{args: []string{"999", "a.txt"}, stderr: "chmod: invalid mode '999'\n", code: 1},
		{args: []string{"644", "nosuch"}, stderr: "chmod: nosuch: No such file or directory\n", code: 1},
	})
	runCases(t, "chown", []appletCase{
		{args: []string{"nosuchuser", "a.txt"}, stderr: "chown: unknown user nosuchuser\n", code: 1},
		{args: []string{":nosuchgroup", "a.txt"}, stderr: "chown: unknown group nosuchgroup\n", code: 1},
	})
	runCases(t, "touch", []appletCase{
		{args: []string{"nodir/x"}, stderr: "touch: nodir/x: No such file or directory\n", code: 1},
		{args: []string{"-c", "never"}},
	})
	runCases(t, "stat", []appletCase{{args: []string{"nosuch"}, stderr: "stat: can't stat 'nosuch': No such file or directory\n", code: 1}})
	runCases(t, "realpath", []appletCase{{args: []string{"nosuch"}, stderr: "realpath: nosuch: No such file or directory\n", code: 1}})
	runCases(t, "readlink", []appletCase{{args: []string{"a.txt"}, code: 1}})
	if _, err := os.Stat("never"); err == nil {
		t.Error("touch -c created a file")
	}
}

func TestFileUtils(t *testing.T) {
	dir := lsTree(t)
	runCases(t, "cp", []appletCase{{args: []string{"a.txt", "b.txt"}}, {args: []string{"-r", "dir", "d2"}}, {args: []string{"-a", "old.txt", "link", "dir"}}})
	for path, want := range map[string]string{"b.txt": "hello\n", "dir/old.txt": ""} {
		if b, err := os.ReadFile(path); err != nil || string(b) != want {
			t.Errorf("%s = %q, %v", path, b, err)
		}
	}
	if st, err := os.Stat("d2/sub"); err != nil || !st.IsDir() {
		t.Errorf("cp -r did not copy the tree: %v", err)
	}
	if st, _ := os.Stat("dir/old.txt"); !st.ModTime().Equal(old2020) {
		t.Errorf("cp -a did not keep the mtime: %v", st.ModTime())
	}
	if target, err := os.Readlink("dir/link"); err != nil || target != "a.txt" {
		t.Errorf("cp -a did not keep the symlink: %q %v", target, err)
	}
	runCases(t, "mv", []appletCase{{args: []string{"b.txt", "c.txt"}}, {args: []string{"c.txt", "dir"}}})
	if _, err := os.Stat("dir/c.txt"); err != nil {
		t.Error(err)
	}
	runCases(t, "ln", []appletCase{{args: []string{"-sf", "a.txt", "broken"}}, {args: []string{"a.txt", "hard"}}})
	if target, _ := os.Readlink("broken"); target != "a.txt" {
		t.Errorf("ln -sf left %q", target)
	}
	runCases(t, "stat", []appletCase{
		{args: []string{"-c", "%n %s %a %A %F %h", "a.txt", "dir", "link", "fifo"}, want: "a.txt 6 644 -rw-r--r-- regular file 2\ndir 4096 755 drwxr-xr-x directory 3\nlink 5 777 lrwxrwxrwx symbolic link 1\nfifo 0 644 prw-r--r-- fifo 1\n"},
		{args: []string{"-L", "-c", "%N %F", "link"}, want: "'link' regular file\n"},
		{args: []string{"-c", "%N", "link"}, want: "'link' -> 'a.txt'\n"},
		{args: []string{"-c", "%F", "old.txt", "/dev/null"}, want: "regular empty file\ncharacter special file\n"},
	})
	runCases(t, "chmod", []appletCase{{args: []string{"-R", "700", "d2"}}, {args: []string{"u+x,g=r", "a.txt"}}})
	runCases(t, "stat", []appletCase{{args: []string{"-c", "%a", "d2", "d2/sub", "a.txt"}, want: "700\n700\n744\n"}})
	runCases(t, "rm", []appletCase{{args: []string{"-r", "d2", "hard"}}})
	runCases(t, "touch", []appletCase{{args: []string{"-d", "2021-03-04 05:06:07", "a.txt"}}, {args: []string{"-t", "202001020304.05", "new"}}})
	if st, _ := os.Stat("a.txt"); !st.ModTime().Equal(time.Date(2021, 3, 4, 5, 6, 7, 0, time.Local)) {
		t.Errorf("touch -d: %v", st.ModTime())
	}
	if st, _ := os.Stat("new"); !st.ModTime().Equal(time.Date(2020, 1, 2, 3, 4, 5, 0, time.Local)) {
		t.Errorf("touch -t: %v", st.ModTime())
	}
	runCases(t, "realpath", []appletCase{{args: []string{"link", "."}, want: filepath.Join(realDir(t, dir), "a.txt") + "\n" + realDir(t, dir) + "\n"}})
	runCases(t, "readlink", []appletCase{
		{args: []string{"link"}, want: "a.txt\n"},
		{args: []string{"-f", "link"}, want: filepath.Join(realDir(t, dir), "a.txt") + "\n"},
		{args: []string{"-f", "missing"}, want: filepath.Join(realDir(t, dir), "missing") + "\n"},
	})
	runCases(t, "mkdir", []appletCase{{args: []string{"-m", "700", "m7"}}})
	runCases(t, "stat", []appletCase{{args: []string{"-c", "%a", "m7"}, want: "700\n"}})
}

func realDir(t *testing.T, dir string) string {
	r, err := filepath.EvalSymlinks(dir)
	must(t, err)
	return r
}

func TestChownAsRoot(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("chown needs root")
	}
	fakeUsers(t)
	lsTree(t)
	runCases(t, "chown", []appletCase{{args: []string{"alice:staff", "a.txt"}}, {args: []string{"-R", "1:2", "dir"}}, {args: []string{"-h", "daemon", "link"}}})
	runCases(t, "chgrp", []appletCase{{args: []string{"wheel", "old.txt"}}})
	runCases(t, "stat", []appletCase{{args: []string{"-c", "%U:%G %u:%g", "a.txt", "dir", "dir/sub", "link", "old.txt"}, want: "alice:staff 1000:50\ndaemon:2 1:2\ndaemon:2 1:2\ndaemon:root 1:0\nroot:wheel 0:10\n"}})
}

// du counts 1K blocks of what is allocated, so only shapes are fixed.
func TestDu(t *testing.T) {
	lsTree(t)
	out, _, code := run(t, "du", "", "-s", "dir")
	if code != 0 || !strings.HasSuffix(out, "\tdir\n") {
		t.Errorf("du -s dir: %d %q", code, out)
	}
	out, _, _ = run(t, "du", "", "dir")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "\tdir/sub") || !strings.HasSuffix(lines[1], "\tdir") {
		t.Errorf("du dir: %q", out)
	}
	out, _, _ = run(t, "du", "", "-a", "-h", ".")
	if !strings.Contains(out, "\t./a.txt\n") || !strings.Contains(out, "K\t.\n") {
		t.Errorf("du -ah: %q", out)
	}
}

func TestDf(t *testing.T) {
	out, stderr, code := run(t, "df", "", "/")
	lines := strings.Split(out, "\n")
	if code != 0 || stderr != "" || lines[0] != "Filesystem           1K-blocks      Used Available Use% Mounted on" || !strings.HasSuffix(lines[1], "% /") {
		t.Errorf("df /: %d %q %q", code, out, stderr)
	}
	out, _, _ = run(t, "df", "", "-h", "/")
	if !strings.HasPrefix(out, "Filesystem                Size      Used Available Use% Mounted on\n") {
		t.Errorf("df -h: %q", out)
	}
	runCases(t, "df", []appletCase{{args: []string{"/nonexist"}, want: "Filesystem           1K-blocks      Used Available Use% Mounted on\n", stderr: "df: /nonexist: can't find mount point\n", code: 1}})
}

func TestMktemp(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	for _, args := range [][]string{nil, {"-d"}, {"-t", "x.XXXXXX"}, {"-p", dir, "y.XXXXXXXX"}, {filepath.Join(dir, "zXXXXXX")}} {
		out, stderr, code := run(t, "mktemp", "", args...)
		name := strings.TrimSuffix(out, "\n")
		st, err := os.Stat(name)
		if code != 0 || stderr != "" || err != nil || filepath.Dir(name) != dir || strings.Contains(name, "XXXXXX") {
			t.Errorf("mktemp %q: %d %q %q %v", args, code, out, stderr, err)
			continue
		}
		if len(args) > 0 && args[0] == "-d" != st.IsDir() {
			t.Errorf("mktemp %q made %v", args, st.Mode())
		}
	}
	runCases(t, "mktemp", []appletCase{{args: []string{"bad"}, stderr: "mktemp: bad: Invalid argument\n", code: 1}})
}
