package linux

import "syscall"

// Names under which the toolbox binary dispatches to this package.
const (
	InitCommand = "boxlab-init"
	ExecCommand = "boxlab-exec"
	// ReaperCommand is the zombie-reaping PID 1 of docker run --init,
	// bind-mounted at ReaperPath (Reaper).
	ReaperCommand = "docker-init"
)

// ReaperPath is where a container started with Spec.Init finds the toolbox
// acting as its init (docker run --init), as in Docker.
const ReaperPath = "/sbin/docker-init"

// DefaultPath is the PATH a container gets when its image sets none (Docker's).
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Spec is everything needed to start a container's first process.
type Spec struct {
	ID      string // container id, for error messages and cgroup names
	Toolbox string // host path of the static toolbox binary re-exec'd as init

	Rootfs Rootfs
	Mounts []Mount // applied in order on top of the rootfs, before pivot_root

	Args       []string // argv; Args[0] is looked up in the container's PATH (from Env)
	Env        []string
	Cwd        string // created if missing, like Docker's WORKDIR at start
	User       string // "", "uid", "uid:gid", "name", "name:group": resolved in the rootfs
	Hostname   string
	Domainname string

	Tty   bool // a pty as stdin/stdout/stderr; Process.Console is its master
	Stdin bool // keep stdin open (docker run -i); Process.Stdin is its writer

	// ConsoleSize is the pty's initial [height, width] (Docker's
	// HostConfig.ConsoleSize), set before the process runs so it never sees
	// a 0x0 terminal; zero leaves it unset.
	ConsoleSize [2]uint16

	// Init runs the toolbox as PID 1 (docker run --init): it reaps zombies and
	// forwards signals to Args, which runs as its child.
	Init bool

	// Network chooses the network namespace: "" or "none" for a new one
	// (only lo, brought up), "host" for the engine's own, or a path such as
	// /proc/PID/ns/net to join another container's.
	Network string

	Privileged bool
	CapAdd     []string // "NET_ADMIN" or "CAP_NET_ADMIN"; "ALL"
	CapDrop    []string
	GroupAdd   []string // supplementary groups, names (from /etc/group) or ids
	// NoNewPrivileges sets no_new_privs (--security-opt no-new-privileges);
	// off by default, as in Docker.
	NoNewPrivileges bool
	ReadonlyRootfs  bool
	Sysctls         map[string]string
	Resources       Resources
	StopSignal      syscall.Signal

	// MaskedPaths and ReadonlyPaths replace DefaultMaskedPaths and
	// DefaultReadonlyPaths when not nil; a privileged container gets
	// neither.
	MaskedPaths   []string
	ReadonlyPaths []string
	ShmSize       int64 // bytes of /dev/shm; 0 means Docker's 64 MiB
}

// DefaultMaskedPaths are hidden from a container, as Docker does: an empty
// read-only tmpfs over directories, /dev/null over files.
var DefaultMaskedPaths = []string{
	"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
	"/sys/firmware", "/sys/devices/virtual/powercap",
}

// DefaultReadonlyPaths are remounted read-only in a container, as Docker does.
var DefaultReadonlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}

// Rootfs is the overlay a container runs in.
type Rootfs struct {
	Lower  []string // read-only layer directories, topmost first
	Upper  string   // the container's writable layer
	Work   string   // overlayfs work dir on the same filesystem as Upper
	Target string   // mount point, a directory the engine owns
}

// Mount is one filesystem mounted into the container.
type Mount struct {
	Type        string   // "bind", "tmpfs"
	Source      string   // host path for bind
	Destination string   // absolute path inside the container
	Options     []string // "ro", "rw", "nosuid", "nodev", "noexec", "size=64m", "mode=1777", "rprivate"
}

// Resources are the cgroup limits applied where the host allows them.
type Resources struct {
	Memory     int64 // bytes, 0 = unlimited
	MemorySwap int64 // memory+swap bytes (--memory-swap): 0 = twice Memory, -1 = unlimited
	PidsLimit  int64 // 0 = unlimited
	CPUShares  int64
	NanoCPUs   int64 // --cpus in billionths of a CPU, 0 = unlimited
}

// ExecSpec is a process started in a running container (docker exec).
type ExecSpec struct {
	Args        []string
	Env         []string
	Cwd         string // must exist, as in Docker (exec does not create it)
	User        string
	Tty         bool
	Stdin       bool
	ConsoleSize [2]uint16 // [height, width], see Spec.ConsoleSize
	Privileged  bool
	CapAdd      []string
	CapDrop     []string
	GroupAdd    []string
	// NoNewPrivileges sets no_new_privs for the exec'd process.
	NoNewPrivileges bool
}

// ExitStatus is how a process ended, in Docker's terms.
type ExitStatus struct {
	Code   int            // exit code; 128+signal when killed by a signal
	Signal syscall.Signal // the signal that killed it, 0 if it exited
	OOM    bool
}
