package ctrarchive

import (
	"bufio"
	"bytes"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// LookupUser finds the ids of a container user ("name", "uid", with an
// optional ":group" or ":gid") in the container's /etc/passwd and
// /etc/group, as Docker does for copyUIDGID: a name must exist, a uid
// needs no entry (its group is then 0), an empty user is root.
func (r *Root) LookupUser(spec string) (Owner, error) {
	var o Owner
	user, group, _ := strings.Cut(spec, ":")
	if user != "" {
		id, isID := numericID(user)
		found := false
		r.eachEntry("/etc/passwd", func(f []string) bool {
			if len(f) < 4 || (isID && f[2] != strconv.Itoa(id)) || (!isID && f[0] != user) {
				return true
			}
			uid, err1 := strconv.Atoi(f[2])
			gid, err2 := strconv.Atoi(f[3])
			if err1 != nil || err2 != nil {
				return true
			}
			o, found = Owner{UID: uid, GID: gid}, true
			return false
		})
		switch {
		case found:
		case isID:
			o = Owner{UID: id}
		default:
			return Owner{}, errNoUser(user)
		}
	}
	if group != "" {
		id, isID := numericID(group)
		if isID {
			o.GID = id
			return o, nil
		}
		found := false
		r.eachEntry("/etc/group", func(f []string) bool {
			if len(f) < 3 || f[0] != group {
				return true
			}
			gid, err := strconv.Atoi(f[2])
			if err != nil {
				return true
			}
			o.GID, found = gid, true
			return false
		})
		if !found {
			return Owner{}, errNoGroup(group)
		}
	}
	return o, nil
}

func numericID(s string) (int, bool) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n > math.MaxInt32 {
		return 0, false
	}
	return int(n), true
}

// eachEntry calls fn with the colon-separated fields of each entry of the
// container file p until fn returns false; a missing file has none.
func (r *Root) eachEntry(p string, fn func([]string) bool) {
	full, err := r.resolve(p)
	if err != nil {
		return
	}
	fd, err := r.openBeneath(r.fd, strings.TrimPrefix(full, "/"), unix.O_RDONLY|unix.O_NONBLOCK, false)
	if err != nil {
		return
	}
	f := os.NewFile(uintptr(fd), p)
	defer f.Close()
	// Bounded: the container owns the file.
	sc := bufio.NewScanner(io.LimitReader(f, 16<<20))
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		if !fn(strings.Split(string(line), ":")) {
			return
		}
	}
}
