package toolbox

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// The toolbox reads /etc/passwd and /etc/group itself: os/user would need
// cgo or pull in more than the lean binary wants, and inside a container
// these files are the whole user database anyway.

// passwdEntry is one line of /etc/passwd.
type passwdEntry struct {
	name  string
	uid   int
	gid   int
	home  string
	shell string
}

// groupEntry is one line of /etc/group.
type groupEntry struct {
	name    string
	gid     int
	members []string
}

var (
	passwdFile = "/etc/passwd"
	groupFile  = "/etc/group"
)

func readColonFile(path string, fields int, fn func(f []string) bool) {
	file, err := os.Open(path)
	if err != nil {
		return
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, ":")
		if len(f) < fields {
			continue
		}
		if !fn(f) {
			return
		}
	}
}

// lookupUser finds a user by name or, when byID, by uid.
func lookupUser(match func(e passwdEntry) bool) (passwdEntry, bool) {
	var found passwdEntry
	ok := false
	readColonFile(passwdFile, 7, func(f []string) bool {
		uid, err1 := strconv.Atoi(f[2])
		gid, err2 := strconv.Atoi(f[3])
		if err1 != nil || err2 != nil {
			return true
		}
		e := passwdEntry{name: f[0], uid: uid, gid: gid, home: f[5], shell: f[6]}
		if match(e) {
			found, ok = e, true
			return false
		}
		return true
	})
	return found, ok
}

func userByID(uid int) (passwdEntry, bool) {
	return lookupUser(func(e passwdEntry) bool { return e.uid == uid })
}

func userByName(name string) (passwdEntry, bool) {
	return lookupUser(func(e passwdEntry) bool { return e.name == name })
}

func lookupGroup(match func(g groupEntry) bool) (groupEntry, bool) {
	var found groupEntry
	ok := false
	readColonFile(groupFile, 3, func(f []string) bool {
		gid, err := strconv.Atoi(f[2])
		if err != nil {
			return true
		}
		g := groupEntry{name: f[0], gid: gid}
		if len(f) > 3 && f[3] != "" {
			g.members = strings.Split(f[3], ",")
		}
		if match(g) {
			found, ok = g, true
			return false
		}
		return true
	})
	return found, ok
}

func groupByID(gid int) (groupEntry, bool) {
	return lookupGroup(func(g groupEntry) bool { return g.gid == gid })
}

func groupByName(name string) (groupEntry, bool) {
	return lookupGroup(func(g groupEntry) bool { return g.name == name })
}

// userName is the name of uid, or the number when it has none.
func userName(uid int) string {
	if e, ok := userByID(uid); ok {
		return e.name
	}
	return strconv.Itoa(uid)
}

// groupName is the name of gid, or the number when it has none.
func groupName(gid int) string {
	if g, ok := groupByID(gid); ok {
		return g.name
	}
	return strconv.Itoa(gid)
}

// idCache remembers names looked up for many files (ls -l, ps, find).
type idCache struct {
	users, groups map[int]string
}

func (c *idCache) user(uid int) string {
	if c.users == nil {
		c.users = map[int]string{}
	}
	n, ok := c.users[uid]
	if !ok {
		n = userName(uid)
		c.users[uid] = n
	}
	return n
}

func (c *idCache) group(gid int) string {
	if c.groups == nil {
		c.groups = map[int]string{}
	}
	n, ok := c.groups[gid]
	if !ok {
		n = groupName(gid)
		c.groups[gid] = n
	}
	return n
}
