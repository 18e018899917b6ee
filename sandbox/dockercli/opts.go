package dockercli

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/blkiodev"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/client"
)

// The flag value types below mirror the docker CLI's option types: the
// same pflag type names (shown in --help), the same validation and the
// same error texts.

type validatorFunc func(string) (string, error)

// listOpts is a repeatable string flag ("list" in --help).
type listOpts struct {
	values    *[]string
	validator validatorFunc
}

func newListOpts(v validatorFunc) *listOpts {
	var values []string
	return newListOptsRef(&values, v)
}

func newListOptsRef(values *[]string, v validatorFunc) *listOpts {
	return &listOpts{values: values, validator: v}
}

func (o *listOpts) String() string {
	if len(*o.values) == 0 {
		return ""
	}
	return fmt.Sprintf("%v", *o.values)
}

func (o *listOpts) Set(value string) error {
	if o.validator != nil {
		v, err := o.validator(value)
		if err != nil {
			return err
		}
		value = v
	}
	*o.values = append(*o.values, value)
	return nil
}

func (o *listOpts) Type() string      { return "list" }
func (o *listOpts) slice() []string   { return *o.values }
func (o *listOpts) len() int          { return len(*o.values) }
func (o *listOpts) has(v string) bool { return contains(*o.values, v) }
func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// allOrEmpty returns the values, never nil (the docker CLI sends [] for
// Dns, DnsSearch and DnsOptions).
func (o *listOpts) allOrEmpty() []string {
	if *o.values == nil {
		return []string{}
	}
	return *o.values
}

// mapOpts is a repeatable key=value flag ("map" in --help).
type mapOpts struct {
	values    map[string]string
	validator validatorFunc
}

func newMapOpts(v validatorFunc) *mapOpts {
	return &mapOpts{values: map[string]string{}, validator: v}
}

func (o *mapOpts) Set(value string) error {
	if o.validator != nil {
		v, err := o.validator(value)
		if err != nil {
			return err
		}
		value = v
	}
	k, v, _ := strings.Cut(value, "=")
	o.values[k] = v
	return nil
}

func (o *mapOpts) String() string { return fmt.Sprintf("%v", o.values) }
func (o *mapOpts) Type() string   { return "map" }

// filterOpt is the repeatable --filter name=value flag.
type filterOpt struct{ f client.Filters }

func newFilterOpt() *filterOpt { return &filterOpt{f: client.Filters{}} }

func (o *filterOpt) String() string {
	if len(o.f) == 0 {
		return ""
	}
	b, _ := json.Marshal(o.f)
	return string(b)
}

func (o *filterOpt) Set(value string) error {
	if value == "" {
		return nil
	}
	name, val, ok := strings.Cut(value, "=")
	if !ok {
		return errors.New("bad format of filter (expected name=value)")
	}
	o.f.Add(strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(val))
	return nil
}

func (o *filterOpt) Type() string { return "filter" }

// memBytes is a size flag ("bytes"): 512m, 1g, ...
type memBytes int64

func (m *memBytes) String() string {
	if *m != 0 {
		return units.BytesSize(float64(*m))
	}
	return "0"
}

func (m *memBytes) Set(value string) error {
	v, err := units.RAMInBytes(value)
	*m = memBytes(v)
	return err
}

func (m *memBytes) Type() string { return "bytes" }

// memSwapBytes is like memBytes but accepts -1 (unlimited swap).
type memSwapBytes int64

func (m *memSwapBytes) String() string {
	b := memBytes(*m)
	return b.String()
}

func (m *memSwapBytes) Set(value string) error {
	if value == "-1" {
		*m = -1
		return nil
	}
	v, err := units.RAMInBytes(value)
	*m = memSwapBytes(v)
	return err
}

func (m *memSwapBytes) Type() string { return "bytes" }

// nanoCPUs is the --cpus flag ("decimal").
type nanoCPUs int64

func (c *nanoCPUs) String() string {
	if *c == 0 {
		return ""
	}
	return big.NewRat(int64(*c), 1e9).FloatString(3)
}

func (c *nanoCPUs) Set(value string) error {
	cpu, ok := new(big.Rat).SetString(value)
	if !ok {
		return fmt.Errorf("failed to parse %v as a rational number", value)
	}
	nano := cpu.Mul(cpu, big.NewRat(1e9, 1))
	if !nano.IsInt() {
		return errors.New("value is too precise")
	}
	*c = nanoCPUs(nano.Num().Int64())
	return nil
}

func (c *nanoCPUs) Type() string { return "decimal" }

// ulimitOpt is --ulimit name=soft[:hard].
type ulimitOpt struct{ values map[string]*container.Ulimit }

func (o *ulimitOpt) Set(val string) error {
	l, err := units.ParseUlimit(val)
	if err != nil {
		return err
	}
	o.values[l.Name] = l
	return nil
}

func (o *ulimitOpt) String() string {
	var out []string
	for _, v := range o.values {
		out = append(out, v.String())
	}
	return fmt.Sprintf("%v", out)
}

func (o *ulimitOpt) Type() string { return "ulimit" }

func (o *ulimitOpt) list() []*container.Ulimit {
	out := make([]*container.Ulimit, 0, len(o.values))
	for _, v := range o.values {
		out = append(out, v)
	}
	return out
}

// weightDeviceOpt is --blkio-weight-device DEVICE:WEIGHT.
type weightDeviceOpt struct{ values []*blkiodev.WeightDevice }

func (o *weightDeviceOpt) Set(val string) error {
	k, v, ok := strings.Cut(val, ":")
	if !ok || k == "" {
		return fmt.Errorf("bad format: %s", val)
	}
	if !strings.HasPrefix(k, "/dev/") {
		return fmt.Errorf("bad format for device path: %s", val)
	}
	w, err := strconv.ParseUint(v, 10, 16)
	if err != nil {
		return fmt.Errorf("invalid weight for device: %s", val)
	}
	if w > 0 && (w < 10 || w > 1000) {
		return fmt.Errorf("invalid weight for device: %s", val)
	}
	o.values = append(o.values, &blkiodev.WeightDevice{Path: k, Weight: uint16(w)})
	return nil
}

func (o *weightDeviceOpt) String() string {
	var out []string
	for _, v := range o.values {
		out = append(out, v.String())
	}
	return fmt.Sprintf("%v", out)
}

func (o *weightDeviceOpt) Type() string { return "list" }

// throttleDeviceOpt is --device-{read,write}-{bps,iops} DEVICE:RATE.
type throttleDeviceOpt struct {
	values []*blkiodev.ThrottleDevice
	bps    bool
}

func (o *throttleDeviceOpt) Set(val string) error {
	k, v, ok := strings.Cut(val, ":")
	if !ok || k == "" {
		return fmt.Errorf("bad format: %s", val)
	}
	if !strings.HasPrefix(k, "/dev/") {
		return fmt.Errorf("bad format for device path: %s", val)
	}
	var rate uint64
	if o.bps {
		r, err := units.RAMInBytes(v)
		if err != nil || r < 0 {
			return fmt.Errorf("invalid rate for device: %s. The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb", val)
		}
		rate = uint64(r)
	} else {
		r, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return fmt.Errorf("invalid rate for device: %s. The correct format is <device-path>:<number>. Number must be a positive integer", val)
		}
		rate = r
	}
	o.values = append(o.values, &blkiodev.ThrottleDevice{Path: k, Rate: rate})
	return nil
}

func (o *throttleDeviceOpt) String() string {
	var out []string
	for _, v := range o.values {
		out = append(out, v.String())
	}
	return fmt.Sprintf("%v", out)
}

func (o *throttleDeviceOpt) Type() string { return "list" }

// mountOpt is the --mount flag: CSV key=value fields.
type mountOpt struct{ values []mount.Mount }

func (o *mountOpt) Type() string { return "mount" }

func (o *mountOpt) String() string {
	var out []string
	for _, m := range o.values {
		out = append(out, fmt.Sprintf("%s %s %s", m.Type, m.Source, m.Target))
	}
	return strings.Join(out, ", ")
}

//nolint:gocyclo // one switch per --mount key, as documented by Docker
func (o *mountOpt) Set(value string) error {
	fields, err := csv.NewReader(strings.NewReader(value)).Read()
	if err != nil {
		return err
	}
	m := mount.Mount{Type: mount.TypeVolume}
	volumeOptions := func() *mount.VolumeOptions {
		if m.VolumeOptions == nil {
			m.VolumeOptions = &mount.VolumeOptions{Labels: map[string]string{}}
		}
		if m.VolumeOptions.DriverConfig == nil {
			m.VolumeOptions.DriverConfig = &mount.Driver{}
		}
		return m.VolumeOptions
	}
	bindOptions := func() *mount.BindOptions {
		if m.BindOptions == nil {
			m.BindOptions = &mount.BindOptions{}
		}
		return m.BindOptions
	}
	tmpfsOptions := func() *mount.TmpfsOptions {
		if m.TmpfsOptions == nil {
			m.TmpfsOptions = &mount.TmpfsOptions{}
		}
		return m.TmpfsOptions
	}
	imageOptions := func() *mount.ImageOptions {
		if m.ImageOptions == nil {
			m.ImageOptions = &mount.ImageOptions{}
		}
		return m.ImageOptions
	}
	setKV := func(target map[string]string, v string) {
		k, val, _ := strings.Cut(v, "=")
		if k != "" {
			target[k] = val
		}
	}
	parseBool := func(key, val string) (bool, error) {
		b, err := strconv.ParseBool(val)
		if err != nil {
			return false, fmt.Errorf("invalid value for %s: %s", key, val)
		}
		return b, nil
	}
	for _, field := range fields {
		key, val, ok := strings.Cut(field, "=")
		key = strings.ToLower(key)
		if !ok {
			switch key {
			case "readonly", "ro":
				m.ReadOnly = true
			case "volume-nocopy":
				volumeOptions().NoCopy = true
			case "bind-nonrecursive":
				bindOptions().NonRecursive = true
			default:
				return fmt.Errorf("invalid field '%s' must be a key=value pair", field)
			}
			continue
		}
		switch key {
		case "type":
			m.Type = mount.Type(strings.ToLower(val))
		case "source", "src":
			m.Source = val
			if !filepath.IsAbs(val) && strings.HasPrefix(val, ".") {
				if abs, err := filepath.Abs(val); err == nil {
					m.Source = abs
				}
			}
		case "target", "dst", "destination":
			m.Target = val
		case "readonly", "ro":
			if m.ReadOnly, err = parseBool(key, val); err != nil {
				return err
			}
		case "consistency":
			m.Consistency = mount.Consistency(strings.ToLower(val))
		case "bind-propagation":
			bindOptions().Propagation = mount.Propagation(strings.ToLower(val))
		case "bind-nonrecursive":
			if bindOptions().NonRecursive, err = parseBool(key, val); err != nil {
				return err
			}
		case "bind-recursive":
			switch val {
			case "enabled":
			case "disabled":
				bindOptions().NonRecursive = true
			case "writable":
				bindOptions().ReadOnlyNonRecursive = true
			case "readonly":
				bindOptions().ReadOnlyForceRecursive = true
			default:
				return fmt.Errorf(`invalid value for %s: %s (must be "enabled", "disabled", "writable", or "readonly")`, key, val)
			}
		case "volume-subpath":
			volumeOptions().Subpath = val
		case "volume-nocopy":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return fmt.Errorf("invalid value for volume-nocopy: %s", val)
			}
			volumeOptions().NoCopy = b
		case "volume-label":
			setKV(volumeOptions().Labels, val)
		case "volume-driver":
			volumeOptions().DriverConfig.Name = val
		case "volume-opt":
			if volumeOptions().DriverConfig.Options == nil {
				volumeOptions().DriverConfig.Options = map[string]string{}
			}
			setKV(volumeOptions().DriverConfig.Options, val)
		case "image-subpath":
			imageOptions().Subpath = val
		case "tmpfs-size":
			n, err := units.RAMInBytes(val)
			if err != nil {
				return fmt.Errorf("invalid value for %s: %s", key, val)
			}
			tmpfsOptions().SizeBytes = n
		case "tmpfs-mode":
			n, err := strconv.ParseUint(val, 8, 32)
			if err != nil {
				return fmt.Errorf("invalid value for %s: %s", key, val)
			}
			tmpfsOptions().Mode = os.FileMode(n)
		default:
			return fmt.Errorf("unexpected key '%s' in '%s'", key, field)
		}
	}
	if m.Type == "" {
		return errors.New("type is required")
	}
	if m.Target == "" {
		return errors.New("target is required")
	}
	if m.VolumeOptions != nil && m.Type != mount.TypeVolume {
		return fmt.Errorf("cannot mix 'volume-*' options with mount type '%s'", m.Type)
	}
	if m.ImageOptions != nil && m.Type != mount.TypeImage {
		return fmt.Errorf("cannot mix 'image-*' options with mount type '%s'", m.Type)
	}
	if m.BindOptions != nil && m.Type != mount.TypeBind {
		return fmt.Errorf("cannot mix 'bind-*' options with mount type '%s'", m.Type)
	}
	if m.TmpfsOptions != nil && m.Type != mount.TypeTmpfs {
		return fmt.Errorf("cannot mix 'tmpfs-*' options with mount type '%s'", m.Type)
	}
	if b := m.BindOptions; b != nil {
		if b.ReadOnlyNonRecursive && !m.ReadOnly {
			return errors.New("option 'bind-recursive=writable' requires 'readonly' to be specified in conjunction")
		}
		if b.ReadOnlyForceRecursive {
			if !m.ReadOnly {
				return errors.New("option 'bind-recursive=readonly' requires 'readonly' to be specified in conjunction")
			}
			if b.Propagation != mount.PropagationRPrivate {
				return errors.New("option 'bind-recursive=readonly' requires 'bind-propagation=rprivate' to be specified in conjunction")
			}
		}
	}
	o.values = append(o.values, m)
	return nil
}

// networkAttachment is one --network value, plain or in the long CSV form.
type networkAttachment struct {
	Target       string
	Aliases      []string
	DriverOpts   map[string]string
	Links        []string
	IPv4Address  string
	IPv6Address  string
	LinkLocalIPs []string
	MacAddress   string
	GwPriority   int
}

// networkOpt is the repeatable --network flag.
type networkOpt struct{ options []networkAttachment }

// Regular expressions are compiled on first use: the CLI's start-up time
// is paid on every learner command.
var longNetworkSyntax = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\w+=\w+(,\w+=\w+)*`) })

func (n *networkOpt) Set(value string) error {
	var a networkAttachment
	if !longNetworkSyntax().MatchString(value) {
		a.Target = value
		n.options = append(n.options, a)
		return nil
	}
	fields, err := csv.NewReader(strings.NewReader(value)).Read()
	if err != nil {
		return err
	}
	a.Aliases = []string{}
	for _, field := range fields {
		key, val, ok := strings.Cut(strings.ToLower(field), "=")
		if !ok || key == "" {
			return fmt.Errorf("invalid field %s", field)
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch key {
		case "name":
			a.Target = val
		case "alias":
			a.Aliases = append(a.Aliases, val)
		case "ip":
			a.IPv4Address = val
		case "ip6":
			a.IPv6Address = val
		case "mac-address":
			a.MacAddress = val
		case "link-local-ip":
			a.LinkLocalIPs = append(a.LinkLocalIPs, val)
		case "driver-opt":
			k, v, ok := strings.Cut(val, "=")
			if !ok || k == "" {
				return errors.New("invalid key value pair format in driver options")
			}
			if a.DriverOpts == nil {
				a.DriverOpts = map[string]string{}
			}
			a.DriverOpts[strings.TrimSpace(k)] = strings.TrimSpace(v)
		case "gw-priority":
			p, err := strconv.Atoi(val)
			if err != nil {
				var numErr *strconv.NumError
				if errors.As(err, &numErr) {
					err = numErr.Err
				}
				return fmt.Errorf("invalid gw-priority (%s): %w", val, err)
			}
			a.GwPriority = p
		default:
			return errors.New("invalid field key " + key)
		}
	}
	if a.Target == "" {
		return errors.New("network name/id is not specified")
	}
	n.options = append(n.options, a)
	return nil
}

func (n *networkOpt) Type() string   { return "network" }
func (n *networkOpt) String() string { return "" }

// networkMode is the first network, or "default".
func (n *networkOpt) networkMode() string {
	if len(n.options) > 0 {
		return n.options[0].Target
	}
	return "default"
}

// Validators with the docker CLI's texts.

func validateEnv(val string) (string, error) {
	k, _, hasValue := strings.Cut(val, "=")
	if k == "" {
		return "", errors.New("invalid environment variable: " + val)
	}
	if hasValue {
		return val, nil
	}
	if v, ok := os.LookupEnv(k); ok {
		return k + "=" + v, nil
	}
	return val, nil
}

func validateLabel(value string) (string, error) {
	key, _, _ := strings.Cut(value, "=")
	key = strings.TrimLeft(key, " \t")
	if key == "" {
		return "", fmt.Errorf("invalid label '%s': empty name", value)
	}
	if strings.ContainsAny(key, " \t") {
		return "", fmt.Errorf("label '%s' contains whitespaces", key)
	}
	return value, nil
}

func validateIPAddress(val string) (string, error) {
	if ip := net.ParseIP(strings.TrimSpace(val)); ip != nil {
		return ip.String(), nil
	}
	return "", fmt.Errorf("IP address is not correctly formatted: %s", val)
}

func validateExtraHost(val string) (string, error) {
	k, v, ok := strings.Cut(val, "=")
	if !ok {
		k, v, ok = strings.Cut(val, ":")
	}
	if !ok || k == "" || strings.Contains(k, ":") {
		return "", fmt.Errorf("bad format for add-host: %q", val)
	}
	if v != "host-gateway" {
		if len(v) > 2 && v[0] == '[' && v[len(v)-1] == ']' {
			v = v[1 : len(v)-1]
		}
		if _, err := validateIPAddress(v); err != nil {
			return "", fmt.Errorf("invalid IP address in add-host: %q", v)
		}
	}
	return k + ":" + v, nil
}

var domainRegexp = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(:?(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9]))(:?\.(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])))*)\.?\s*$`)
})

func validateDNSSearch(val string) (string, error) {
	if val = strings.Trim(val, " "); val == "." {
		return val, nil
	}
	if !strings.ContainsFunc(val, func(r rune) bool { return r < utf8.RuneSelf && unicode.IsLetter(r) }) {
		return "", fmt.Errorf("%s is not a valid domain", val)
	}
	ns := domainRegexp().FindSubmatch([]byte(val))
	if len(ns) > 0 && len(ns[1]) < 255 {
		return string(ns[1]), nil
	}
	return "", fmt.Errorf("%s is not a valid domain", val)
}

func validateLink(val string) (string, error) {
	if val == "" {
		return val, errors.New("empty string specified for links")
	}
	if strings.Count(val, ":") > 1 {
		return val, errors.New("bad format for links: " + val)
	}
	return val, nil
}

func validateSysctl(val string) (string, error) {
	k, _, ok := strings.Cut(val, "=")
	if !ok || k == "" {
		return "", fmt.Errorf("sysctl '%s' is not allowed", val)
	}
	switch k {
	case "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
		"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced":
		return val, nil
	}
	if strings.HasPrefix(k, "net.") || strings.HasPrefix(k, "fs.mqueue.") {
		return val, nil
	}
	return "", fmt.Errorf("sysctl '%s' is not allowed", val)
}

func validateAttach(val string) (string, error) {
	s := strings.ToLower(val)
	switch s {
	case "stdin", "stdout", "stderr":
		return s, nil
	}
	return val, errors.New("valid streams are STDIN, STDOUT and STDERR")
}

var deviceCgroupRuleRegexp = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[acb] ([0-9]+|\*):([0-9]+|\*) [rwm]{1,3}$`) })

func validateDeviceCgroupRule(val string) (string, error) {
	if deviceCgroupRuleRegexp().MatchString(val) {
		return val, nil
	}
	return val, fmt.Errorf("invalid device cgroup format '%s'", val)
}

// readKVStrings reads KEY=VALUE files (--env-file, --label-file) and
// appends the flag values, which take precedence. With lookup, a bare KEY
// line takes its value from the CLI's environment (env files only).
func readKVStrings(files, override []string, lookup func(string) (string, bool)) ([]string, error) {
	var out []string
	for _, f := range files {
		vars, err := parseKVFile(f, lookup)
		if err != nil {
			return nil, err
		}
		out = append(out, vars...)
	}
	return append(out, override...), nil
}

func parseKVFile(filename string, lookup func(string) (string, bool)) ([]string, error) {
	fh, err := os.Open(filename)
	if err != nil {
		return []string{}, err
	}
	defer fh.Close()
	lines, err := parseKV(fh, lookup)
	if err != nil {
		return []string{}, fmt.Errorf("invalid env file (%s): %v", filename, err)
	}
	return lines, nil
}

func parseKV(r *os.File, lookup func(string) (string, bool)) ([]string, error) {
	lines := []string{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		b := sc.Bytes()
		if !utf8.Valid(b) {
			return []string{}, fmt.Errorf("invalid utf8 bytes at line %d: %v", n, b)
		}
		if n == 1 {
			b = bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})
		}
		line := strings.TrimLeftFunc(string(b), unicode.IsSpace)
		if line == "" || line[0] == '#' {
			continue
		}
		key, _, hasValue := strings.Cut(line, "=")
		if key == "" {
			return []string{}, fmt.Errorf("no variable name on line '%s'", line)
		}
		if strings.ContainsAny(key, " \t") {
			return []string{}, fmt.Errorf("variable '%s' contains whitespaces", key)
		}
		if hasValue {
			lines = append(lines, line)
			continue
		}
		if lookup != nil {
			if v, ok := lookup(line); ok {
				lines = append(lines, key+"="+v)
			}
		}
	}
	return lines, sc.Err()
}

func kvToMap(values []string) map[string]string {
	m := make(map[string]string, len(values))
	for _, v := range values {
		k, val, _ := strings.Cut(v, "=")
		m[k] = val
	}
	return m
}

// parseRestartPolicy parses --restart as the docker CLI does; the daemon
// validates the policy name.
func parseRestartPolicy(policy string) (container.RestartPolicy, error) {
	if policy == "" {
		return container.RestartPolicy{}, nil
	}
	k, v, ok := strings.Cut(policy, ":")
	if ok && k == "" {
		return container.RestartPolicy{}, errors.New("invalid restart policy format: no policy provided before colon")
	}
	p := container.RestartPolicy{Name: container.RestartPolicyMode(k)}
	if v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return container.RestartPolicy{}, errors.New("invalid restart policy format: maximum retry count must be an integer")
		}
		p.MaximumRetryCount = n
	}
	return p, nil
}
