//go:build linux

// Command probe is a static test program for runtime/linux: it stands in for
// the toolbox (dispatching to Init, ExecHelper and Reaper like it) and, run
// inside a test container, reports what the container looks like from the
// inside. It is built by the package's tests only.
package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/boxlab/boxlab/runtime/linux"
	"golang.org/x/sys/unix"
)

func main() {
	name, args := filepath.Base(os.Args[0]), os.Args[1:]
	switch name {
	case linux.InitCommand:
		linux.Init(args)
	case linux.ExecCommand:
		linux.ExecHelper(args)
	case linux.ReaperCommand:
		linux.Reaper(args)
	case "probe":
		if len(args) == 0 {
			fail("usage: probe COMMAND [ARGS...]")
		}
		name, args = args[0], args[1:]
	}
	os.Exit(run(name, args))
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "probe: "+format+"\n", a...)
	os.Exit(2)
}

func run(name string, args []string) int {
	switch name {
	case "true":
		return 0
	case "false":
		return 1
	case "exit":
		n, _ := strconv.Atoi(args[0])
		return n
	case "echo":
		fmt.Println(strings.Join(args, " "))
	case "sleep":
		d, err := time.ParseDuration(args[0])
		if err != nil {
			fail("%v", err)
		}
		time.Sleep(d)
	case "cat":
		for _, f := range args {
			b, err := os.ReadFile(f)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			os.Stdout.Write(b)
		}
	case "stdin":
		io.Copy(os.Stdout, os.Stdin)
	case "status":
		b, _ := os.ReadFile("/proc/self/status")
		for _, l := range strings.Split(string(b), "\n") {
			for _, k := range []string{"Cap", "Uid", "Gid", "Groups", "NoNewPrivs"} {
				if strings.HasPrefix(l, k) {
					fmt.Println(l)
				}
			}
		}
	case "pid":
		fmt.Println(os.Getpid(), os.Getppid())
	case "pwd":
		wd, _ := os.Getwd()
		fmt.Println(wd)
	case "hostname":
		var u unix.Utsname
		unix.Uname(&u)
		fmt.Println(unix.ByteSliceToString(u.Nodename[:]), unix.ByteSliceToString(u.Domainname[:]))
	case "env":
		for _, e := range os.Environ() {
			fmt.Println(e)
		}
	case "umask":
		m := unix.Umask(0)
		fmt.Printf("%04o\n", m)
	case "tty":
		_, err := unix.IoctlGetTermios(0, unix.TCGETS)
		ws, _ := unix.IoctlGetWinsize(0, unix.TIOCGWINSZ)
		link, _ := os.Readlink("/proc/self/fd/0")
		sid, _ := unix.Getsid(0)
		pgrp, _ := unix.IoctlGetInt(0, unix.TIOCGPGRP)
		fmt.Printf("tty=%v size=%dx%d name=%s sid=%d fg=%d\n", err == nil, ws.Row, ws.Col, link, sid, pgrp)
	case "winch":
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGWINCH)
		fmt.Println("ready")
		<-c
		ws, _ := unix.IoctlGetWinsize(0, unix.TIOCGWINSZ)
		fmt.Printf("size=%dx%d\n", ws.Row, ws.Col)
	case "mknod":
		// mknod PATH b|c MAJOR MINOR, then open it: the devices cgroup
		// decides.
		mode := uint32(unix.S_IFCHR)
		if args[1] == "b" {
			mode = unix.S_IFBLK
		}
		maj, _ := strconv.Atoi(args[2])
		minor, _ := strconv.Atoi(args[3])
		if err := unix.Mknod(args[0], mode|0o600, int(unix.Mkdev(uint32(maj), uint32(minor)))); err != nil {
			fmt.Println("mknod:", err)
			return 1
		}
		f, err := os.Open(args[0])
		if err != nil {
			fmt.Println(err)
			return 1
		}
		f.Close()
		fmt.Println("ok")
	case "alloc":
		mb, _ := strconv.Atoi(args[0])
		var keep [][]byte
		for range mb {
			b := make([]byte, 1<<20)
			for i := 0; i < len(b); i += 4096 {
				b[i] = 1
			}
			keep = append(keep, b)
		}
		fmt.Println("allocated", len(keep))
	case "write":
		err := os.WriteFile(args[0], []byte("x"), 0o644)
		if err != nil {
			fmt.Println(err)
			return 1
		}
		fmt.Println("ok")
	case "ls":
		es, err := os.ReadDir(args[0])
		if err != nil {
			fmt.Println(err)
			return 1
		}
		for _, e := range es {
			fmt.Println(e.Name())
		}
	case "stat":
		st, err := os.Lstat(args[0])
		if err != nil {
			fmt.Println(err)
			return 1
		}
		sys := st.Sys().(*syscall.Stat_t)
		fmt.Printf("%v %d:%d\n", st.Mode(), sys.Uid, sys.Gid)
	case "trapterm":
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM)
		fmt.Println("ready")
		<-c
		return 42
	case "nohandler":
		// Like a C program with no handler: the kernel then protects a
		// namespace's PID 1 from SIGTERM, even from the host.
		sa := struct{ handler, flags, restorer, mask uint64 }{}
		unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(unix.SIGTERM), uintptr(unsafe.Pointer(&sa)), 0, 8, 0, 0)
		fmt.Println("ready")
		time.Sleep(time.Hour)
	case "orphan":
		// Leave a grandchild to PID 1 and count the zombies afterwards.
		self, _ := os.Executable()
		p, err := os.StartProcess(self, []string{"probe", "spawn", "sleep", "50ms"}, &os.ProcAttr{Files: []*os.File{nil, os.Stdout, os.Stderr}})
		if err != nil {
			fail("%v", err)
		}
		p.Wait()
		time.Sleep(300 * time.Millisecond)
		fmt.Println("zombies", zombies())
	case "spawn":
		self, _ := os.Executable()
		if _, err := os.StartProcess(self, append([]string{"probe"}, args...), &os.ProcAttr{Files: []*os.File{nil, os.Stdout, os.Stderr}}); err != nil {
			fail("%v", err)
		}
	case "ps":
		for _, p := range procs() {
			fmt.Println(p)
		}
	default:
		fail("unknown command %q", name)
	}
	return 0
}

func procs() []string {
	es, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range es {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		out = append(out, strings.TrimSpace(string(b)))
	}
	return out
}

func zombies() int {
	n := 0
	for _, p := range procs() {
		if i := strings.LastIndex(p, ") "); i > 0 && strings.HasPrefix(p[i+2:], "Z") {
			n++
		}
	}
	return n
}
