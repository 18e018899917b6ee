package linux

import (
	"fmt"
	"slices"
	"strings"
)

// capNames are Linux's capabilities by number.
var capNames = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
	"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
}

// DefaultCapabilities is the set Docker gives a container that is neither
// privileged nor tweaked with --cap-add/--cap-drop.
var DefaultCapabilities = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// Capabilities applies --privileged, --cap-add and --cap-drop to Docker's
// default set, with Docker's rules: names are case-insensitive with or
// without "CAP_"; "ALL" in add means every capability but the dropped ones;
// "ALL" in drop means only the added ones. An unknown name gives Docker's
// `unknown capability: "CAP_FOO"`.
func Capabilities(privileged bool, add, drop []string) ([]string, error) {
	if privileged {
		return slices.Clone(capNames), nil
	}
	if len(add) == 0 && len(drop) == 0 {
		return slices.Clone(DefaultCapabilities), nil
	}
	adds, err := normalizeCaps(add)
	if err != nil {
		return nil, err
	}
	drops, err := normalizeCaps(drop)
	if err != nil {
		return nil, err
	}
	var caps []string
	switch {
	case slices.Contains(adds, "ALL"):
		for _, c := range capNames {
			if !slices.Contains(drops, c) {
				caps = append(caps, c)
			}
		}
	case slices.Contains(drops, "ALL"):
		caps = adds
	default:
		for _, c := range DefaultCapabilities {
			if !slices.Contains(drops, c) {
				caps = append(caps, c)
			}
		}
		for _, c := range adds {
			if !slices.Contains(caps, c) {
				caps = append(caps, c)
			}
		}
	}
	return caps, nil
}

func normalizeCaps(names []string) ([]string, error) {
	out := make([]string, 0, len(names))
	for _, n := range names {
		n = strings.ToUpper(strings.TrimSpace(n))
		if n == "ALL" {
			out = append(out, n)
			continue
		}
		if !strings.HasPrefix(n, "CAP_") {
			n = "CAP_" + n
		}
		if !slices.Contains(capNames, n) {
			return nil, fmt.Errorf("unknown capability: %q", n)
		}
		out = append(out, n)
	}
	return out, nil
}

// capMask turns capability names into a bit mask.
func capMask(caps []string) uint64 {
	var m uint64
	for _, c := range caps {
		if i := slices.Index(capNames, c); i >= 0 {
			m |= 1 << uint(i)
		}
	}
	return m
}
