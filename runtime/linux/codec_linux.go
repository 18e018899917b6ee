package linux

import (
	"encoding/binary"
	"errors"
	"slices"
	"syscall"
)

// The engine and its helpers exchange requests and messages in this small
// positional binary format instead of JSON: a helper lives for a few
// milliseconds, and encoding/json's reflection on first use was a quarter
// of the init's own work. Every field is written and read in the same
// order; TestCodecRoundTrip fills every field by reflection, so a field
// added to a type but not here fails it.

var errCodec = errors.New("malformed request")

type encoder struct{ b []byte }

func (e *encoder) uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) int(v int64)   { e.b = binary.AppendVarint(e.b, v) }

func (e *encoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

func (e *encoder) str(s string) {
	e.uint(uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *encoder) strs(l []string) {
	if l == nil {
		e.uint(0)
		return
	}
	e.uint(uint64(len(l)) + 1) // 0 keeps nil apart from empty
	for _, s := range l {
		e.str(s)
	}
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCodec
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) int() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errCodec
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bool() bool {
	if len(d.b) == 0 {
		d.err = errCodec
		return false
	}
	v := d.b[0] != 0
	d.b = d.b[1:]
	return v
}

func (d *decoder) str() string {
	n := d.uint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.err = errCodec
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) strs() []string {
	n := d.uint()
	if d.err != nil || n == 0 {
		return nil
	}
	if n-1 > uint64(len(d.b)) {
		d.err = errCodec
		return nil
	}
	l := make([]string, n-1)
	for i := range l {
		l[i] = d.str()
	}
	return l
}

func (e *encoder) spec(s *Spec) {
	e.str(s.ID)
	e.str(s.Toolbox)
	e.strs(s.Rootfs.Lower)
	e.str(s.Rootfs.Upper)
	e.str(s.Rootfs.Work)
	e.str(s.Rootfs.Target)
	e.uint(uint64(len(s.Mounts)))
	for _, m := range s.Mounts {
		e.str(m.Type)
		e.str(m.Source)
		e.str(m.Destination)
		e.strs(m.Options)
	}
	e.strs(s.Args)
	e.strs(s.Env)
	e.str(s.Cwd)
	e.str(s.User)
	e.str(s.Hostname)
	e.str(s.Domainname)
	e.bool(s.Tty)
	e.bool(s.Stdin)
	e.uint(uint64(s.ConsoleSize[0]))
	e.uint(uint64(s.ConsoleSize[1]))
	e.bool(s.Init)
	e.str(s.Network)
	e.bool(s.Privileged)
	e.strs(s.CapAdd)
	e.strs(s.CapDrop)
	e.strs(s.GroupAdd)
	e.bool(s.NoNewPrivileges)
	e.bool(s.ReadonlyRootfs)
	keys := make([]string, 0, len(s.Sysctls))
	for k := range s.Sysctls {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.uint(uint64(len(keys)))
	for _, k := range keys {
		e.str(k)
		e.str(s.Sysctls[k])
	}
	e.int(s.Resources.Memory)
	e.int(s.Resources.MemorySwap)
	e.int(s.Resources.PidsLimit)
	e.int(s.Resources.CPUShares)
	e.int(s.Resources.NanoCPUs)
	e.int(int64(s.StopSignal))
	e.strs(s.MaskedPaths)
	e.strs(s.ReadonlyPaths)
	e.int(s.ShmSize)
}

func (d *decoder) spec() *Spec {
	s := &Spec{}
	s.ID = d.str()
	s.Toolbox = d.str()
	s.Rootfs.Lower = d.strs()
	s.Rootfs.Upper = d.str()
	s.Rootfs.Work = d.str()
	s.Rootfs.Target = d.str()
	if n := d.uint(); n > 0 && n <= uint64(len(d.b)) {
		s.Mounts = make([]Mount, n)
		for i := range s.Mounts {
			m := &s.Mounts[i]
			m.Type = d.str()
			m.Source = d.str()
			m.Destination = d.str()
			m.Options = d.strs()
		}
	}
	s.Args = d.strs()
	s.Env = d.strs()
	s.Cwd = d.str()
	s.User = d.str()
	s.Hostname = d.str()
	s.Domainname = d.str()
	s.Tty = d.bool()
	s.Stdin = d.bool()
	s.ConsoleSize[0] = uint16(d.uint())
	s.ConsoleSize[1] = uint16(d.uint())
	s.Init = d.bool()
	s.Network = d.str()
	s.Privileged = d.bool()
	s.CapAdd = d.strs()
	s.CapDrop = d.strs()
	s.GroupAdd = d.strs()
	s.NoNewPrivileges = d.bool()
	s.ReadonlyRootfs = d.bool()
	if n := d.uint(); n > 0 && n <= uint64(len(d.b)) {
		s.Sysctls = make(map[string]string, n)
		for range n {
			k := d.str()
			s.Sysctls[k] = d.str()
		}
	}
	s.Resources.Memory = d.int()
	s.Resources.MemorySwap = d.int()
	s.Resources.PidsLimit = d.int()
	s.Resources.CPUShares = d.int()
	s.Resources.NanoCPUs = d.int()
	s.StopSignal = syscall.Signal(d.int())
	s.MaskedPaths = d.strs()
	s.ReadonlyPaths = d.strs()
	s.ShmSize = d.int()
	return s
}

func (e *encoder) execSpec(s *ExecSpec) {
	e.strs(s.Args)
	e.strs(s.Env)
	e.str(s.Cwd)
	e.str(s.User)
	e.bool(s.Tty)
	e.bool(s.Stdin)
	e.uint(uint64(s.ConsoleSize[0]))
	e.uint(uint64(s.ConsoleSize[1]))
	e.bool(s.Privileged)
	e.strs(s.CapAdd)
	e.strs(s.CapDrop)
	e.strs(s.GroupAdd)
	e.bool(s.NoNewPrivileges)
}

func (d *decoder) execSpec() ExecSpec {
	var s ExecSpec
	s.Args = d.strs()
	s.Env = d.strs()
	s.Cwd = d.str()
	s.User = d.str()
	s.Tty = d.bool()
	s.Stdin = d.bool()
	s.ConsoleSize[0] = uint16(d.uint())
	s.ConsoleSize[1] = uint16(d.uint())
	s.Privileged = d.bool()
	s.CapAdd = d.strs()
	s.CapDrop = d.strs()
	s.GroupAdd = d.strs()
	s.NoNewPrivileges = d.bool()
	return s
}

func (e *encoder) message(m message) {
	e.str(m.Type)
	e.str(m.Msg)
	e.int(int64(m.Code))
	e.bool(m.Daemon)
	e.int(int64(m.Pid))
	e.int(int64(m.Signal))
	e.int(int64(m.Status))
}

func (d *decoder) message() message {
	var m message
	m.Type = d.str()
	m.Msg = d.str()
	m.Code = int(d.int())
	m.Daemon = d.bool()
	m.Pid = int(d.int())
	m.Signal = int(d.int())
	m.Status = int(d.int())
	return m
}

func encodeInitRequest(r initRequest) []byte {
	var e encoder
	e.spec(r.Spec)
	e.bool(r.Cgroup.V2)
	e.strs(r.Cgroup.Dirs)
	e.strs(r.Cgroup.Mounts)
	return e.b
}

func decodeInitRequest(b []byte) (initRequest, error) {
	d := decoder{b: b}
	var r initRequest
	r.Spec = d.spec()
	r.Cgroup.V2 = d.bool()
	r.Cgroup.Dirs = d.strs()
	r.Cgroup.Mounts = d.strs()
	return r, d.done()
}

func encodeExecRequest(r execRequest) []byte {
	var e encoder
	e.int(int64(r.Pid))
	e.execSpec(&r.Spec)
	return e.b
}

func decodeExecRequest(b []byte) (execRequest, error) {
	d := decoder{b: b}
	var r execRequest
	r.Pid = int(d.int())
	r.Spec = d.execSpec()
	return r, d.done()
}

// done reports the decoding error, if any, or leftover bytes.
func (d *decoder) done() error {
	if d.err == nil && len(d.b) != 0 {
		return errCodec
	}
	return d.err
}
