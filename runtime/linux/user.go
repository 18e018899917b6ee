package linux

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// The wording of Docker's (runc's libcontainer/user) lookup errors.
var (
	errNoPasswdEntries = errors.New("no matching entries in passwd file")
	errNoGroupEntries  = errors.New("no matching entries in group file")
	errIDRange         = errors.New("uids and gids must be in range 0-2147483647")
)

const maxID = 1<<31 - 1

// execUser is who a container process runs as.
type execUser struct {
	UID, GID int
	Groups   []int // supplementary groups, the primary one first
	Home     string
}

type passwdEntry struct {
	name     string
	uid, gid int
	home     string
}

type groupEntry struct {
	name    string
	gid     int
	members []string
}

// lookupUser resolves spec ("", "uid", "name", "uid:gid", "name:group") and
// extra groups against the container's passwd and group files, the way
// Docker does: numeric ids need no entry, names must exist, a user without
// an explicit group gets its passwd gid and the groups listing it.
func lookupUser(spec string, groupAdd []string, passwdPath, groupPath string) (execUser, error) {
	u := execUser{Home: "/"}
	passwd, perr := readPasswd(passwdPath)
	groups, gerr := readGroups(groupPath)

	userArg, groupArg, _ := strings.Cut(spec, ":")
	uidArg, uidErr := strconv.Atoi(userArg)
	gidArg, gidErr := strconv.Atoi(groupArg)

	var matched *passwdEntry
	if perr == nil {
		for i := range passwd {
			p := &passwd[i]
			var ok bool
			switch {
			case userArg == "":
				ok = p.uid == 0
			case uidErr == nil:
				ok = p.uid == uidArg
			default:
				ok = p.name == userArg
			}
			if ok {
				matched = p
				break
			}
		}
	}
	switch {
	case matched != nil:
		u.UID, u.GID, u.Home = matched.uid, matched.gid, matched.home
	case userArg == "":
	case uidErr != nil:
		return u, fmt.Errorf("unable to find user %s: %w", userArg, errNoPasswdEntries)
	default:
		if uidArg < 0 || uidArg > maxID {
			return u, errIDRange
		}
		u.UID = uidArg
	}

	var member []int
	switch {
	case groupArg != "":
		var found *groupEntry
		if gerr == nil {
			for i := range groups {
				g := &groups[i]
				if (gidErr == nil && g.gid == gidArg) || (gidErr != nil && g.name == groupArg) {
					found = g
					break
				}
			}
		}
		switch {
		case found != nil:
			u.GID = found.gid
		case gidErr != nil:
			return u, fmt.Errorf("unable to find group %s: %w", groupArg, errNoGroupEntries)
		case gidArg < 0 || gidArg > maxID:
			return u, errIDRange
		default:
			u.GID = gidArg
		}
	case matched != nil && gerr == nil:
		for _, g := range groups {
			if slices.Contains(g.members, matched.name) {
				member = append(member, g.gid)
			}
		}
	}

	// The primary group is always a supplementary one too (containerd's fix
	// for CVE-2023-25173, which Docker ships).
	u.Groups = []int{u.GID}
	for _, gid := range member {
		if !slices.Contains(u.Groups, gid) {
			u.Groups = append(u.Groups, gid)
		}
	}
	for _, ag := range groupAdd {
		gid, err := lookupGroup(ag, groups)
		if err != nil {
			return u, err
		}
		if !slices.Contains(u.Groups, gid) {
			u.Groups = append(u.Groups, gid)
		}
	}
	return u, nil
}

// lookupGroup resolves one --group-add entry.
func lookupGroup(name string, groups []groupEntry) (int, error) {
	n, nerr := strconv.Atoi(name)
	for _, g := range groups {
		if g.name == name || (nerr == nil && g.gid == n) {
			return g.gid, nil
		}
	}
	if nerr != nil {
		return 0, fmt.Errorf("Unable to find group %s: %w", name, errNoGroupEntries)
	}
	if n < 0 || n > maxID {
		return 0, errIDRange
	}
	return n, nil
}

func readPasswd(path string) ([]passwdEntry, error) {
	var out []passwdEntry
	err := eachEntry(path, func(f []string) {
		p := passwdEntry{name: f[0]}
		if len(f) > 2 {
			p.uid, _ = strconv.Atoi(f[2])
		}
		if len(f) > 3 {
			p.gid, _ = strconv.Atoi(f[3])
		}
		if len(f) > 5 {
			p.home = f[5]
		}
		out = append(out, p)
	})
	return out, err
}

func readGroups(path string) ([]groupEntry, error) {
	var out []groupEntry
	err := eachEntry(path, func(f []string) {
		g := groupEntry{name: f[0]}
		if len(f) > 2 {
			g.gid, _ = strconv.Atoi(f[2])
		}
		if len(f) > 3 && f[3] != "" {
			g.members = strings.Split(f[3], ",")
		}
		out = append(out, g)
	})
	return out, err
}

// eachEntry calls fn with the colon-separated fields of every entry of an
// /etc/passwd-style file.
func eachEntry(path string, fn func([]string)) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := bufio.NewScanner(bytes.NewReader(b))
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		fn(strings.Split(line, ":"))
	}
	return s.Err()
}

// withHome adds HOME to env when it has none, as Docker does.
func withHome(env []string, home string) []string {
	for _, e := range env {
		if strings.HasPrefix(e, "HOME=") {
			return env
		}
	}
	return append(slices.Clip(env), "HOME="+home)
}

// envValue is the value of key in env ("" when absent).
func envValue(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v
		}
	}
	return ""
}
