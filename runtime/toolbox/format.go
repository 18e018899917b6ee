package toolbox

import (
	"fmt"
	"strconv"
)

// humanSize is busybox's make_human_readable_str: n units of blockSize
// bytes as "0", "123", "1.2K", "154.1M".
func humanSize(n, blockSize uint64) string {
	if n == 0 {
		return "0"
	}
	v := n * blockSize
	units := " KMGTPE"
	u, frac := 0, uint64(0)
	for v >= 1024 && u < len(units)-1 {
		frac = ((v%1024)*10 + 512) / 1024
		v /= 1024
		u++
	}
	if frac >= 10 {
		v++
		frac = 0
	}
	if u == 0 {
		return strconv.FormatUint(v, 10)
	}
	return fmt.Sprintf("%d.%d%c", v, frac, units[u])
}

// humanSizeWhole is humanSize without the fraction, rounded: busybox's
// form for ls -lh's total.
func humanSizeWhole(bytes uint64) string {
	if bytes == 0 {
		return "0"
	}
	v := bytes
	units := " KMGTPE"
	u, frac := 0, uint64(0)
	for v >= 1024 && u < len(units)-1 {
		frac = ((v%1024)*10 + 512) / 1024
		v /= 1024
		u++
	}
	if frac >= 5 {
		v++
	}
	if u == 0 {
		return strconv.FormatUint(v, 10)
	}
	return fmt.Sprintf("%d%c", v, units[u])
}
