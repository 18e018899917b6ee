package dockercli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-connections/nat"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/spf13/pflag"
)

// containerOptions holds the flags shared by `docker run` and `docker
// create`. addContainerFlags registers them with the docker CLI's names,
// types and help texts; parse turns them into the API's create request.
type containerOptions struct {
	attach            *listOpts
	volumes           *listOpts
	tmpfs             *listOpts
	mounts            mountOpt
	blkioWeightDevice weightDeviceOpt
	deviceReadBps     throttleDeviceOpt
	deviceWriteBps    throttleDeviceOpt
	deviceReadIOps    throttleDeviceOpt
	deviceWriteIOps   throttleDeviceOpt
	links             *listOpts
	aliases           *listOpts
	linkLocalIPs      *listOpts
	env               *listOpts
	labels            *listOpts
	deviceCgroupRules *listOpts
	devices           *listOpts
	gpus              string
	ulimits           *ulimitOpt
	sysctls           *mapOpts
	publish           *listOpts
	expose            *listOpts
	dns               *listOpts
	dnsSearch         *listOpts
	dnsOptions        *listOpts
	extraHosts        *listOpts
	volumesFrom       *listOpts
	envFile           *listOpts
	capAdd            *listOpts
	capDrop           *listOpts
	groupAdd          *listOpts
	securityOpt       *listOpts
	storageOpt        *listOpts
	labelsFile        *listOpts
	loggingOpts       *listOpts
	annotations       *mapOpts

	privileged          bool
	pidMode             string
	utsMode             string
	usernsMode          string
	cgroupnsMode        string
	publishAll          bool
	stdin               bool
	tty                 bool
	oomKillDisable      bool
	oomScoreAdj         int
	containerIDFile     string
	entrypoint          string
	hostname            string
	domainname          string
	memory              memBytes
	memoryReservation   memBytes
	memorySwap          memSwapBytes
	kernelMemory        memBytes
	user                string
	workingDir          string
	cpuCount            int64
	cpuShares           int64
	cpuPercent          int64
	cpuPeriod           int64
	cpuRealtimePeriod   int64
	cpuRealtimeRuntime  int64
	cpuQuota            int64
	cpus                nanoCPUs
	cpusetCpus          string
	cpusetMems          string
	blkioWeight         uint16
	ioMaxBandwidth      memBytes
	ioMaxIOps           uint64
	swappiness          int64
	netMode             networkOpt
	macAddress          string
	ipv4Address         string
	ipv6Address         string
	ipcMode             string
	pidsLimit           int64
	restartPolicy       string
	readonlyRootfs      bool
	loggingDriver       string
	cgroupParent        string
	volumeDriver        string
	stopSignal          string
	stopTimeout         int
	isolation           string
	shmSize             memBytes
	noHealthcheck       bool
	healthCmd           string
	healthInterval      time.Duration
	healthTimeout       time.Duration
	healthStartPeriod   time.Duration
	healthStartInterval time.Duration
	healthRetries       int
	runtime             string
	autoRemove          bool
	init                bool

	Image string
	Args  []string
}

//nolint:funlen // one line per docker run flag, in the docker CLI's order
func addContainerFlags(flags *pflag.FlagSet) *containerOptions {
	o := &containerOptions{
		aliases:           newListOpts(nil),
		attach:            newListOpts(validateAttach),
		capAdd:            newListOpts(nil),
		capDrop:           newListOpts(nil),
		dns:               newListOpts(validateIPAddress),
		dnsOptions:        newListOpts(nil),
		dnsSearch:         newListOpts(validateDNSSearch),
		deviceCgroupRules: newListOpts(validateDeviceCgroupRule),
		deviceReadBps:     throttleDeviceOpt{bps: true},
		deviceWriteBps:    throttleDeviceOpt{bps: true},
		devices:           newListOpts(nil),
		env:               newListOpts(validateEnv),
		envFile:           newListOpts(nil),
		expose:            newListOpts(nil),
		extraHosts:        newListOpts(validateExtraHost),
		groupAdd:          newListOpts(nil),
		labels:            newListOpts(validateLabel),
		labelsFile:        newListOpts(nil),
		linkLocalIPs:      newListOpts(nil),
		links:             newListOpts(validateLink),
		loggingOpts:       newListOpts(nil),
		publish:           newListOpts(nil),
		securityOpt:       newListOpts(nil),
		storageOpt:        newListOpts(nil),
		sysctls:           newMapOpts(validateSysctl),
		tmpfs:             newListOpts(nil),
		ulimits:           &ulimitOpt{values: map[string]*container.Ulimit{}},
		volumes:           newListOpts(nil),
		volumesFrom:       newListOpts(nil),
		annotations:       newMapOpts(nil),
	}

	// General purpose flags
	flags.VarP(o.attach, "attach", "a", "Attach to STDIN, STDOUT or STDERR")
	flags.Var(o.deviceCgroupRules, "device-cgroup-rule", "Add a rule to the cgroup allowed devices list")
	flags.Var(o.devices, "device", "Add a host device to the container")
	flags.Var(&gpuOpt{&o.gpus}, "gpus", "GPU devices to add to the container ('all' to pass all GPUs)")
	flags.VarP(o.env, "env", "e", "Set environment variables")
	flags.Var(o.envFile, "env-file", "Read in a file of environment variables")
	flags.StringVar(&o.entrypoint, "entrypoint", "", "Overwrite the default ENTRYPOINT of the image")
	flags.Var(o.groupAdd, "group-add", "Add additional groups to join")
	flags.StringVarP(&o.hostname, "hostname", "h", "", "Container host name")
	flags.StringVar(&o.domainname, "domainname", "", "Container NIS domain name")
	flags.BoolVarP(&o.stdin, "interactive", "i", false, "Keep STDIN open even if not attached")
	flags.VarP(o.labels, "label", "l", "Set meta data on a container")
	flags.Var(o.labelsFile, "label-file", "Read in a line delimited file of labels")
	flags.BoolVar(&o.readonlyRootfs, "read-only", false, "Mount the container's root filesystem as read only")
	flags.StringVar(&o.restartPolicy, "restart", string(container.RestartPolicyDisabled), "Restart policy to apply when a container exits")
	flags.StringVar(&o.stopSignal, "stop-signal", "", "Signal to stop the container")
	flags.IntVar(&o.stopTimeout, "stop-timeout", 0, "Timeout (in seconds) to stop a container")
	flags.Var(o.sysctls, "sysctl", "Sysctl options")
	flags.BoolVarP(&o.tty, "tty", "t", false, "Allocate a pseudo-TTY")
	flags.Var(o.ulimits, "ulimit", "Ulimit options")
	flags.StringVarP(&o.user, "user", "u", "", "Username or UID (format: <name|uid>[:<group|gid>])")
	flags.StringVarP(&o.workingDir, "workdir", "w", "", "Working directory inside the container")
	flags.BoolVar(&o.autoRemove, "rm", false, "Automatically remove the container and its associated anonymous volumes when it exits")

	// Security
	flags.Var(o.capAdd, "cap-add", "Add Linux capabilities")
	flags.Var(o.capDrop, "cap-drop", "Drop Linux capabilities")
	flags.BoolVar(&o.privileged, "privileged", false, "Give extended privileges to this container")
	flags.Var(o.securityOpt, "security-opt", "Security Options")
	flags.StringVar(&o.usernsMode, "userns", "", "User namespace to use")
	flags.StringVar(&o.cgroupnsMode, "cgroupns", "", `Cgroup namespace to use (host|private)
'host':    Run the container in the Docker host's cgroup namespace
'private': Run the container in its own private cgroup namespace
'':        Use the cgroup namespace as configured by the
           default-cgroupns-mode option on the daemon (default)`)

	// Network and port publishing
	flags.Var(o.extraHosts, "add-host", "Add a custom host-to-IP mapping (host:ip)")
	flags.Var(o.dns, "dns", "Set custom DNS servers")
	flags.Var(o.dnsOptions, "dns-opt", "Set DNS options")
	flags.Var(o.dnsOptions, "dns-option", "Set DNS options")
	_ = flags.MarkHidden("dns-opt")
	flags.Var(o.dnsSearch, "dns-search", "Set custom DNS search domains")
	flags.Var(o.expose, "expose", "Expose a port or a range of ports")
	flags.StringVar(&o.ipv4Address, "ip", "", "IPv4 address (e.g., 172.30.100.104)")
	flags.StringVar(&o.ipv6Address, "ip6", "", "IPv6 address (e.g., 2001:db8::33)")
	flags.Var(o.links, "link", "Add link to another container")
	flags.Var(o.linkLocalIPs, "link-local-ip", "Container IPv4/IPv6 link-local addresses")
	flags.StringVar(&o.macAddress, "mac-address", "", "Container MAC address (e.g., 92:d0:c6:0a:29:33)")
	flags.VarP(o.publish, "publish", "p", "Publish a container's port(s) to the host")
	flags.BoolVarP(&o.publishAll, "publish-all", "P", false, "Publish all exposed ports to random ports")
	flags.Var(&o.netMode, "net", "Connect a container to a network")
	flags.Var(&o.netMode, "network", "Connect a container to a network")
	_ = flags.MarkHidden("net")
	flags.Var(o.aliases, "net-alias", "Add network-scoped alias for the container")
	flags.Var(o.aliases, "network-alias", "Add network-scoped alias for the container")
	_ = flags.MarkHidden("net-alias")

	// Logging and storage
	flags.StringVar(&o.loggingDriver, "log-driver", "", "Logging driver for the container")
	flags.StringVar(&o.volumeDriver, "volume-driver", "", "Optional volume driver for the container")
	flags.Var(o.loggingOpts, "log-opt", "Log driver options")
	flags.Var(o.storageOpt, "storage-opt", "Storage driver options for the container")
	flags.Var(o.tmpfs, "tmpfs", "Mount a tmpfs directory")
	flags.Var(o.volumesFrom, "volumes-from", "Mount volumes from the specified container(s)")
	flags.VarP(o.volumes, "volume", "v", "Bind mount a volume")
	flags.Var(&o.mounts, "mount", "Attach a filesystem mount to the container")

	// Health-checking
	flags.StringVar(&o.healthCmd, "health-cmd", "", "Command to run to check health")
	flags.DurationVar(&o.healthInterval, "health-interval", 0, "Time between running the check (ms|s|m|h) (default 0s)")
	flags.IntVar(&o.healthRetries, "health-retries", 0, "Consecutive failures needed to report unhealthy")
	flags.DurationVar(&o.healthTimeout, "health-timeout", 0, "Maximum time to allow one check to run (ms|s|m|h) (default 0s)")
	flags.DurationVar(&o.healthStartPeriod, "health-start-period", 0, "Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)")
	flags.DurationVar(&o.healthStartInterval, "health-start-interval", 0, "Time between running the check during the start period (ms|s|m|h) (default 0s)")
	flags.BoolVar(&o.noHealthcheck, "no-healthcheck", false, "Disable any container-specified HEALTHCHECK")

	// Resource management
	flags.Uint16Var(&o.blkioWeight, "blkio-weight", 0, "Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)")
	flags.Var(&o.blkioWeightDevice, "blkio-weight-device", "Block IO weight (relative device weight)")
	flags.StringVar(&o.containerIDFile, "cidfile", "", "Write the container ID to the file")
	flags.StringVar(&o.cpusetCpus, "cpuset-cpus", "", "CPUs in which to allow execution (0-3, 0,1)")
	flags.StringVar(&o.cpusetMems, "cpuset-mems", "", "MEMs in which to allow execution (0-3, 0,1)")
	flags.Int64Var(&o.cpuCount, "cpu-count", 0, "CPU count (Windows only)")
	flags.Int64Var(&o.cpuPercent, "cpu-percent", 0, "CPU percent (Windows only)")
	flags.Int64Var(&o.cpuPeriod, "cpu-period", 0, "Limit CPU CFS (Completely Fair Scheduler) period")
	flags.Int64Var(&o.cpuQuota, "cpu-quota", 0, "Limit CPU CFS (Completely Fair Scheduler) quota")
	flags.Int64Var(&o.cpuRealtimePeriod, "cpu-rt-period", 0, "Limit CPU real-time period in microseconds")
	flags.Int64Var(&o.cpuRealtimeRuntime, "cpu-rt-runtime", 0, "Limit CPU real-time runtime in microseconds")
	flags.Int64VarP(&o.cpuShares, "cpu-shares", "c", 0, "CPU shares (relative weight)")
	flags.Var(&o.cpus, "cpus", "Number of CPUs")
	flags.Var(&o.deviceReadBps, "device-read-bps", "Limit read rate (bytes per second) from a device")
	flags.Var(&o.deviceReadIOps, "device-read-iops", "Limit read rate (IO per second) from a device")
	flags.Var(&o.deviceWriteBps, "device-write-bps", "Limit write rate (bytes per second) to a device")
	flags.Var(&o.deviceWriteIOps, "device-write-iops", "Limit write rate (IO per second) to a device")
	flags.Var(&o.ioMaxBandwidth, "io-maxbandwidth", "Maximum IO bandwidth limit for the system drive (Windows only)")
	flags.Uint64Var(&o.ioMaxIOps, "io-maxiops", 0, "Maximum IOps limit for the system drive (Windows only)")
	flags.Var(&o.kernelMemory, "kernel-memory", "Kernel memory limit")
	flags.VarP(&o.memory, "memory", "m", "Memory limit")
	flags.Var(&o.memoryReservation, "memory-reservation", "Memory soft limit")
	flags.Var(&o.memorySwap, "memory-swap", "Swap limit equal to memory plus swap: '-1' to enable unlimited swap")
	flags.Int64Var(&o.swappiness, "memory-swappiness", -1, "Tune container memory swappiness (0 to 100)")
	flags.BoolVar(&o.oomKillDisable, "oom-kill-disable", false, "Disable OOM Killer")
	flags.IntVar(&o.oomScoreAdj, "oom-score-adj", 0, "Tune host's OOM preferences (-1000 to 1000)")
	flags.Int64Var(&o.pidsLimit, "pids-limit", 0, "Tune container pids limit (set -1 for unlimited)")

	// Low-level execution (cgroups, namespaces, ...)
	flags.StringVar(&o.cgroupParent, "cgroup-parent", "", "Optional parent cgroup for the container")
	flags.StringVar(&o.ipcMode, "ipc", "", "IPC mode to use")
	flags.StringVar(&o.isolation, "isolation", "", "Container isolation technology")
	flags.StringVar(&o.pidMode, "pid", "", "PID namespace to use")
	flags.Var(&o.shmSize, "shm-size", "Size of /dev/shm")
	flags.StringVar(&o.utsMode, "uts", "", "UTS namespace to use")
	flags.StringVar(&o.runtime, "runtime", "", "Runtime to use for this container")

	flags.BoolVar(&o.init, "init", false, "Run an init inside the container that forwards signals and reaps processes")
	flags.Var(o.annotations, "annotation", "Add an annotation to the container (passed through to the OCI runtime)")

	for name, version := range map[string]string{
		"gpus": "1.40", "stop-timeout": "1.25", "cgroupns": "1.41", "health-start-period": "1.29",
		"health-start-interval": "1.44", "cpu-rt-period": "1.25", "cpu-rt-runtime": "1.25",
		"cpus": "1.25", "init": "1.25", "annotation": "1.43",
	} {
		annotate(flags, name, "version", version)
	}
	for _, name := range []string{"cpu-count", "cpu-percent", "io-maxbandwidth", "io-maxiops"} {
		annotate(flags, name, "ostype", "windows")
	}
	return o
}

// gpuOpt accepts --gpus for --help parity; boxlab has no GPU support.
type gpuOpt struct{ v *string }

func (g *gpuOpt) Set(v string) error { *g.v = v; return nil }
func (g *gpuOpt) String() string     { return "" }
func (g *gpuOpt) Type() string       { return "gpu-request" }

// containerConfig is the body of POST /containers/create.
type containerConfig struct {
	Config           *container.Config
	HostConfig       *container.HostConfig
	NetworkingConfig *network.NetworkingConfig
}

// parse builds the create request from the flags, following the docker
// CLI rule for rule: -v specs with a host path become Binds (relative
// paths made absolute), the rest anonymous volumes; -p specs become
// ExposedPorts and PortBindings; -i implies stdin attach and StdinOnce;
// `--entrypoint ""` resets the image's entrypoint; --stop-timeout and
// --init are sent only when given.
//
//nolint:gocyclo,funlen // mirrors the docker CLI's single parse step
func (o *containerOptions) parse(flags *pflag.FlagSet) (*containerConfig, error) {
	attachStdin := o.attach.has("stdin")
	attachStdout := o.attach.has("stdout")
	attachStderr := o.attach.has("stderr")

	if o.macAddress != "" {
		if _, err := net.ParseMAC(strings.TrimSpace(o.macAddress)); err != nil {
			return nil, fmt.Errorf("%s is not a valid mac address", o.macAddress)
		}
	}
	if o.stdin {
		attachStdin = true
	}
	if o.attach.len() == 0 {
		attachStdout = true
		attachStderr = true
	}
	if o.swappiness != -1 && (o.swappiness < 0 || o.swappiness > 100) {
		return nil, fmt.Errorf("invalid value: %d. Valid memory swappiness range is 0-100", o.swappiness)
	}
	if o.gpus != "" {
		return nil, errNotSupported("--gpus")
	}
	if o.devices.len() > 0 {
		return nil, errNotSupported("--device")
	}

	var binds []string
	volumes := map[string]struct{}{}
	for _, spec := range o.volumes.slice() {
		volumes[spec] = struct{}{}
	}
	for _, spec := range o.volumes.slice() {
		v, err := parseVolumeSpec(spec)
		if err != nil {
			return nil, err
		}
		if v.Source == "" {
			continue
		}
		bind := spec
		if v.Type == mount.TypeBind {
			if hostPart, target, ok := strings.Cut(spec, ":"); ok {
				if !filepath.IsAbs(hostPart) && strings.HasPrefix(hostPart, ".") {
					if abs, err := filepath.Abs(hostPart); err == nil {
						hostPart = abs
					}
				}
				bind = hostPart + ":" + target
			}
		}
		binds = append(binds, bind)
		delete(volumes, spec)
	}

	tmpfs := map[string]string{}
	for _, t := range o.tmpfs.slice() {
		k, v, _ := strings.Cut(t, ":")
		tmpfs[k] = v
	}

	var entrypoint []string
	if o.entrypoint != "" {
		entrypoint = []string{o.entrypoint}
	} else if flags.Changed("entrypoint") {
		entrypoint = []string{""}
	}

	publish, err := convertPublishSyntax(o.publish.slice())
	if err != nil {
		return nil, err
	}
	ports, bindings, err := parsePortSpecs(publish)
	if err != nil {
		return nil, err
	}
	for _, e := range o.expose.slice() {
		if strings.Contains(e, ":") {
			return nil, fmt.Errorf("invalid port format for --expose: %s", e)
		}
		proto, port := nat.SplitProtoPort(e)
		start, end, err := nat.ParsePortRange(port)
		if err != nil {
			return nil, fmt.Errorf("invalid range format for --expose: %s, error: %s", e, err)
		}
		for i := start; i <= end; i++ {
			p, err := network.ParsePort(strconv.FormatUint(i, 10) + "/" + proto)
			if err != nil {
				return nil, err
			}
			ports[p] = struct{}{}
		}
	}

	env, err := readKVStrings(o.envFile.slice(), dedupEnv(o.env.slice()), os.LookupEnv)
	if err != nil {
		return nil, err
	}
	labels, err := readKVStrings(o.labelsFile.slice(), o.labels.slice(), nil)
	if err != nil {
		return nil, err
	}

	pidMode := container.PidMode(o.pidMode)
	if !pidMode.Valid() {
		return nil, errors.New("--pid: invalid PID mode")
	}
	utsMode := container.UTSMode(o.utsMode)
	if !utsMode.Valid() {
		return nil, errors.New("--uts: invalid UTS mode")
	}
	usernsMode := container.UsernsMode(o.usernsMode)
	if !usernsMode.Valid() {
		return nil, errors.New("--userns: invalid USER mode")
	}
	cgroupnsMode := container.CgroupnsMode(o.cgroupnsMode)
	if !cgroupnsMode.Valid() {
		return nil, errors.New("--cgroupns: invalid CGROUP mode")
	}
	restartPolicy, err := parseRestartPolicy(o.restartPolicy)
	if err != nil {
		return nil, err
	}

	loggingOpts := kvToMap(o.loggingOpts.slice())
	if o.loggingDriver == "none" && o.loggingOpts.len() > 0 {
		return nil, fmt.Errorf("invalid logging opts for driver %s", o.loggingDriver)
	}
	securityOpts, err := parseSecurityOpts(o.securityOpt.slice())
	if err != nil {
		return nil, err
	}
	securityOpts, maskedPaths, readonlyPaths := parseSystemPaths(securityOpts)
	storageOpts := map[string]string{}
	for _, s := range o.storageOpt.slice() {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return nil, errors.New("invalid storage option")
		}
		storageOpts[k] = v
	}

	health, err := o.healthConfig()
	if err != nil {
		return nil, err
	}

	dns := make([]netip.Addr, 0, o.dns.len())
	for _, d := range o.dns.slice() {
		a, err := netip.ParseAddr(d)
		if err != nil {
			return nil, fmt.Errorf("IP address is not correctly formatted: %s", d)
		}
		dns = append(dns, a)
	}

	swappiness := o.swappiness
	oomKillDisable := o.oomKillDisable
	pidsLimit := o.pidsLimit
	resources := container.Resources{
		CgroupParent:         o.cgroupParent,
		Memory:               int64(o.memory),
		MemoryReservation:    int64(o.memoryReservation),
		MemorySwap:           int64(o.memorySwap),
		MemorySwappiness:     &swappiness,
		OomKillDisable:       &oomKillDisable,
		NanoCPUs:             int64(o.cpus),
		CPUCount:             o.cpuCount,
		CPUPercent:           o.cpuPercent,
		CPUShares:            o.cpuShares,
		CPUPeriod:            o.cpuPeriod,
		CpusetCpus:           o.cpusetCpus,
		CpusetMems:           o.cpusetMems,
		CPUQuota:             o.cpuQuota,
		CPURealtimePeriod:    o.cpuRealtimePeriod,
		CPURealtimeRuntime:   o.cpuRealtimeRuntime,
		PidsLimit:            &pidsLimit,
		BlkioWeight:          o.blkioWeight,
		BlkioWeightDevice:    o.blkioWeightDevice.values,
		BlkioDeviceReadBps:   o.deviceReadBps.values,
		BlkioDeviceWriteBps:  o.deviceWriteBps.values,
		BlkioDeviceReadIOps:  o.deviceReadIOps.values,
		BlkioDeviceWriteIOps: o.deviceWriteIOps.values,
		IOMaximumIOps:        o.ioMaxIOps,
		IOMaximumBandwidth:   uint64(o.ioMaxBandwidth),
		Ulimits:              o.ulimits.list(),
		DeviceCgroupRules:    o.deviceCgroupRules.slice(),
		Devices:              []container.DeviceMapping{},
	}

	config := &container.Config{
		Hostname:     o.hostname,
		Domainname:   o.domainname,
		ExposedPorts: ports,
		User:         o.user,
		Tty:          o.tty,
		OpenStdin:    o.stdin,
		AttachStdin:  attachStdin,
		AttachStdout: attachStdout,
		AttachStderr: attachStderr,
		Env:          env,
		Cmd:          o.Args,
		Image:        o.Image,
		Volumes:      volumes,
		Entrypoint:   entrypoint,
		WorkingDir:   o.workingDir,
		Labels:       kvToMap(labels),
		StopSignal:   o.stopSignal,
		Healthcheck:  health,
	}
	if flags.Changed("stop-timeout") {
		t := o.stopTimeout
		config.StopTimeout = &t
	}

	hostConfig := &container.HostConfig{
		Binds:           binds,
		ContainerIDFile: o.containerIDFile,
		OomScoreAdj:     o.oomScoreAdj,
		AutoRemove:      o.autoRemove,
		Privileged:      o.privileged,
		PortBindings:    bindings,
		Links:           o.links.slice(),
		PublishAllPorts: o.publishAll,
		DNS:             dns,
		DNSSearch:       o.dnsSearch.allOrEmpty(),
		DNSOptions:      o.dnsOptions.allOrEmpty(),
		ExtraHosts:      o.extraHosts.slice(),
		VolumesFrom:     o.volumesFrom.slice(),
		IpcMode:         container.IpcMode(o.ipcMode),
		NetworkMode:     container.NetworkMode(o.netMode.networkMode()),
		PidMode:         pidMode,
		UTSMode:         utsMode,
		UsernsMode:      usernsMode,
		CgroupnsMode:    cgroupnsMode,
		CapAdd:          o.capAdd.slice(),
		CapDrop:         o.capDrop.slice(),
		GroupAdd:        o.groupAdd.slice(),
		RestartPolicy:   restartPolicy,
		SecurityOpt:     securityOpts,
		StorageOpt:      storageOpts,
		ReadonlyRootfs:  o.readonlyRootfs,
		LogConfig:       container.LogConfig{Type: o.loggingDriver, Config: loggingOpts},
		VolumeDriver:    o.volumeDriver,
		Isolation:       container.Isolation(o.isolation),
		ShmSize:         int64(o.shmSize),
		Resources:       resources,
		Tmpfs:           tmpfs,
		Sysctls:         o.sysctls.values,
		Runtime:         o.runtime,
		Mounts:          o.mounts.values,
		MaskedPaths:     maskedPaths,
		ReadonlyPaths:   readonlyPaths,
		Annotations:     o.annotations.values,
	}
	if o.autoRemove && !hostConfig.RestartPolicy.IsNone() {
		return nil, errRestartAndRm
	}
	if flags.Changed("init") {
		i := o.init
		hostConfig.Init = &i
	}
	if config.OpenStdin && config.AttachStdin {
		config.StdinOnce = true
	}

	endpoints, err := o.parseNetworkOpts()
	if err != nil {
		return nil, err
	}
	return &containerConfig{
		Config:           config,
		HostConfig:       hostConfig,
		NetworkingConfig: &network.NetworkingConfig{EndpointsConfig: endpoints},
	}, nil
}

// dedupEnv keeps one -e value per variable, the last one given, as the
// docker CLI does (it passes them through a map; we keep the order).
func dedupEnv(env []string) []string {
	last := map[string]int{}
	for i, e := range env {
		k, _, _ := strings.Cut(e, "=")
		last[k] = i
	}
	out := make([]string, 0, len(last))
	for i, e := range env {
		k, _, _ := strings.Cut(e, "=")
		if last[k] == i {
			out = append(out, e)
		}
	}
	return out
}

func (o *containerOptions) healthConfig() (*container.HealthConfig, error) {
	have := o.healthCmd != "" || o.healthInterval != 0 || o.healthTimeout != 0 ||
		o.healthStartPeriod != 0 || o.healthRetries != 0 || o.healthStartInterval != 0
	if o.noHealthcheck {
		if have {
			return nil, errors.New("--no-healthcheck conflicts with --health-* options")
		}
		return &container.HealthConfig{Test: []string{"NONE"}}, nil
	}
	if !have {
		return nil, nil
	}
	var probe []string
	if o.healthCmd != "" {
		probe = []string{"CMD-SHELL", o.healthCmd}
	}
	switch {
	case o.healthInterval < 0:
		return nil, errors.New("--health-interval cannot be negative")
	case o.healthTimeout < 0:
		return nil, errors.New("--health-timeout cannot be negative")
	case o.healthRetries < 0:
		return nil, errors.New("--health-retries cannot be negative")
	case o.healthStartPeriod < 0:
		return nil, errors.New("--health-start-period cannot be negative")
	case o.healthStartInterval < 0:
		return nil, errors.New("--health-start-interval cannot be negative")
	}
	return &container.HealthConfig{
		Test:          probe,
		Interval:      o.healthInterval,
		Timeout:       o.healthTimeout,
		StartPeriod:   o.healthStartPeriod,
		StartInterval: o.healthStartInterval,
		Retries:       o.healthRetries,
	}, nil
}

// parseNetworkOpts turns --network (plain or advanced syntax) plus the
// legacy --network-alias, --link, --ip, --ip6, --mac-address and
// --link-local-ip flags into endpoint settings, as the docker CLI does.
func (o *containerOptions) parseNetworkOpts() (map[string]*network.EndpointSettings, error) {
	endpoints := make(map[string]*network.EndpointSettings, len(o.netMode.options))
	var hasUserDefined, hasNonUserDefined bool

	if len(o.netMode.options) == 0 {
		n := networkAttachment{Target: "default"}
		if err := o.applyContainerOptions(&n); err != nil {
			return nil, err
		}
		ep, err := parseNetworkAttachment(n)
		if err != nil {
			return nil, err
		}
		endpoints["default"] = ep
	}
	for i, n := range o.netMode.options {
		if container.NetworkMode(n.Target).IsUserDefined() {
			hasUserDefined = true
		} else {
			hasNonUserDefined = true
		}
		if i == 0 {
			if err := o.applyContainerOptions(&n); err != nil {
				return nil, err
			}
		}
		ep, err := parseNetworkAttachment(n)
		if err != nil {
			return nil, err
		}
		if _, ok := endpoints[n.Target]; ok {
			return nil, fmt.Errorf("network %q is specified multiple times", n.Target)
		}
		// A single network without options sends no endpoint config; the
		// daemon creates the endpoint anyway.
		if i == 0 && len(o.netMode.options) == 1 && reflect.DeepEqual(*ep, network.EndpointSettings{}) {
			continue
		}
		endpoints[n.Target] = ep
	}
	if hasUserDefined && hasNonUserDefined {
		return nil, errors.New("conflicting options: cannot attach both user-defined and non-user-defined network-modes")
	}
	return endpoints, nil
}

func (o *containerOptions) applyContainerOptions(n *networkAttachment) error {
	switch {
	case len(n.Aliases) > 0 && o.aliases.len() > 0:
		return errors.New("conflicting options: cannot specify both --network-alias and per-network alias")
	case len(n.Links) > 0 && o.links.len() > 0:
		return errors.New("conflicting options: cannot specify both --link and per-network links")
	case n.IPv4Address != "" && o.ipv4Address != "":
		return errors.New("conflicting options: cannot specify both --ip and per-network IPv4 address")
	case n.IPv6Address != "" && o.ipv6Address != "":
		return errors.New("conflicting options: cannot specify both --ip6 and per-network IPv6 address")
	case n.MacAddress != "" && o.macAddress != "":
		return errors.New("conflicting options: cannot specify both --mac-address and per-network MAC address")
	case len(n.LinkLocalIPs) > 0 && o.linkLocalIPs.len() > 0:
		return errors.New("conflicting options: cannot specify both --link-local-ip and per-network link-local IP addresses")
	}
	if o.aliases.len() > 0 {
		n.Aliases = append([]string(nil), o.aliases.slice()...)
	}
	// --link is an alias on user-defined networks, a legacy link on bridge.
	if container.NetworkMode(n.Target).IsUserDefined() && o.links.len() > 0 {
		n.Links = append([]string(nil), o.links.slice()...)
	}
	if o.ipv4Address != "" {
		n.IPv4Address = o.ipv4Address
	}
	if o.ipv6Address != "" {
		n.IPv6Address = o.ipv6Address
	}
	if o.macAddress != "" {
		n.MacAddress = o.macAddress
	}
	if o.linkLocalIPs.len() > 0 {
		n.LinkLocalIPs = append([]string(nil), o.linkLocalIPs.slice()...)
	}
	return nil
}

func parseNetworkAttachment(a networkAttachment) (*network.EndpointSettings, error) {
	if strings.TrimSpace(a.Target) == "" {
		return nil, errors.New("no name set for network")
	}
	if !container.NetworkMode(a.Target).IsUserDefined() {
		if len(a.Aliases) > 0 {
			return nil, errors.New("network-scoped aliases are only supported for user-defined networks")
		}
		if len(a.Links) > 0 {
			return nil, errors.New("links are only supported for user-defined networks")
		}
	}
	ep := &network.EndpointSettings{GwPriority: a.GwPriority}
	ep.Aliases = append(ep.Aliases, a.Aliases...)
	if len(a.DriverOpts) > 0 {
		ep.DriverOpts = a.DriverOpts
	}
	if len(a.Links) > 0 {
		ep.Links = a.Links
	}
	if a.IPv4Address != "" || a.IPv6Address != "" || len(a.LinkLocalIPs) > 0 {
		ipam := &network.EndpointIPAMConfig{}
		var err error
		if a.IPv4Address != "" {
			if ipam.IPv4Address, err = netip.ParseAddr(a.IPv4Address); err != nil {
				return nil, fmt.Errorf("invalid IPv4 address: %s", a.IPv4Address)
			}
		}
		if a.IPv6Address != "" {
			if ipam.IPv6Address, err = netip.ParseAddr(a.IPv6Address); err != nil {
				return nil, fmt.Errorf("invalid IPv6 address: %s", a.IPv6Address)
			}
		}
		for _, l := range a.LinkLocalIPs {
			ip, err := netip.ParseAddr(l)
			if err != nil {
				return nil, fmt.Errorf("invalid link-local IP address: %s", l)
			}
			ipam.LinkLocalIPs = append(ipam.LinkLocalIPs, ip)
		}
		ep.IPAMConfig = ipam
	}
	if a.MacAddress != "" {
		hw, err := net.ParseMAC(strings.TrimSpace(a.MacAddress))
		if err != nil {
			return nil, fmt.Errorf("%s is not a valid mac address", a.MacAddress)
		}
		ep.MacAddress = network.HardwareAddr(hw)
	}
	return ep, nil
}

// convertPublishSyntax rewrites the long -p syntax
// (published=8080,target=80,protocol=udp) to the short one.
func convertPublishSyntax(ports []string) ([]string, error) {
	out := []string{}
	for _, p := range ports {
		if !strings.Contains(p, "=") {
			out = append(out, p)
			continue
		}
		params := map[string]string{"protocol": "tcp"}
		for _, param := range strings.Split(p, ",") {
			k, v, ok := strings.Cut(param, "=")
			if !ok || k == "" {
				return out, fmt.Errorf("invalid publish opts format (should be name=value but got '%s')", param)
			}
			params[k] = v
		}
		out = append(out, fmt.Sprintf("%s:%s/%s", params["published"], params["target"], params["protocol"]))
	}
	return out, nil
}

// parsePortSpecs parses -p specs with go-connections' parser (the one the
// docker CLI uses, so errors read the same) into the API's port types.
func parsePortSpecs(specs []string) (network.PortSet, network.PortMap, error) {
	exposed, bindings, err := nat.ParsePortSpecs(specs)
	if err != nil {
		return nil, nil, err
	}
	ports := network.PortSet{}
	for p := range exposed {
		np, err := network.ParsePort(string(p))
		if err != nil {
			return nil, nil, err
		}
		ports[np] = struct{}{}
	}
	pm := network.PortMap{}
	for p, bs := range bindings {
		np, err := network.ParsePort(string(p))
		if err != nil {
			return nil, nil, err
		}
		out := make([]network.PortBinding, 0, len(bs))
		for _, b := range bs {
			var ip netip.Addr
			if b.HostIP != "" {
				if ip, err = netip.ParseAddr(b.HostIP); err != nil {
					return nil, nil, fmt.Errorf("invalid IP address: %s", b.HostIP)
				}
			}
			out = append(out, network.PortBinding{HostIP: ip, HostPort: b.HostPort})
		}
		pm[np] = out
	}
	return ports, pm, nil
}

func parseSecurityOpts(opts []string) ([]string, error) {
	for i, opt := range opts {
		k, v, ok := strings.Cut(opt, "=")
		if !ok && k != "no-new-privileges" {
			k, v, ok = strings.Cut(opt, ":")
		}
		if (!ok || v == "") && k != "no-new-privileges" {
			return opts, fmt.Errorf("Invalid --security-opt: %q", opt)
		}
		if k == "seccomp" && v != "builtin" && v != "unconfined" {
			b, err := os.ReadFile(v)
			if err != nil {
				return opts, fmt.Errorf("opening seccomp profile (%s) failed: %v", v, err)
			}
			compact, err := compactJSON(b)
			if err != nil {
				return opts, fmt.Errorf("compacting json for seccomp profile (%s) failed: %v", v, err)
			}
			opts[i] = "seccomp=" + compact
		}
	}
	return opts, nil
}

// parseSystemPaths handles the client-side systempaths=unconfined option.
func parseSystemPaths(opts []string) (filtered, masked, readonly []string) {
	filtered = opts[:0]
	for _, opt := range opts {
		if opt == "systempaths=unconfined" {
			masked = []string{}
			readonly = []string{}
			continue
		}
		filtered = append(filtered, opt)
	}
	return filtered, masked, readonly
}

// volumeSpec is the parsed form of a -v value.
type volumeSpec struct {
	Type   mount.Type
	Source string
	Target string
}

// parseVolumeSpec splits SOURCE:TARGET[:MODE] the way the docker CLI does
// to decide between bind mounts and volumes: a source starting with '.',
// '/' or '~' is a host path.
func parseVolumeSpec(spec string) (volumeSpec, error) {
	var v volumeSpec
	switch len(spec) {
	case 0:
		return v, errors.New("invalid empty volume spec")
	case 1, 2:
		v.Target, v.Type = spec, mount.TypeVolume
		return v, nil
	}
	parts := strings.Split(spec, ":")
	for i, p := range parts {
		if p == "" {
			return v, fmt.Errorf("invalid spec: %s: empty section between colons", spec)
		}
		switch i {
		case 0:
			if len(parts) == 1 {
				v.Target = p
			} else {
				v.Source = p
			}
		case 1:
			v.Target = p
		case 2:
			// mode (ro, rw, z, propagation): validated by the daemon
		default:
			return v, fmt.Errorf("invalid spec: %s: too many colons", spec)
		}
	}
	v.Type = mount.TypeVolume
	if v.Source != "" && strings.ContainsAny(v.Source[:1], "./~") {
		v.Type = mount.TypeBind
	}
	return v, nil
}

func compactJSON(b []byte) (string, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return "", err
	}
	return buf.String(), nil
}
