package linux

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseIDMap(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []IDMap
	}{
		{"host", "         0          0 4294967295\n", []IDMap{{0, 0, 1<<32 - 1}}},
		{"single", "         0       1001          1\n", []IDMap{{0, 1001, 1}}},
		{"subids", "0 1001 1\n1 100000 65536\n", []IDMap{{0, 1001, 1}, {1, 100000, 65536}}},
		{"unmapped", "", nil},
		{"garbage skipped", "0 1001\nx y z\n0 5 1\n", []IDMap{{0, 5, 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseIDMap(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseIDMap(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestDescribeMapsMergesAdjacentRanges(t *testing.T) {
	for _, tc := range []struct {
		maps []IDMap
		want string
	}{
		{[]IDMap{{0, 1001, 1}}, "0"},
		{[]IDMap{{0, 1001, 1}, {1, 100000, 65536}}, "0-65536"},
		{[]IDMap{{0, 1001, 1}, {1000, 100000, 10}}, "0, 1000-1009"},
	} {
		if got := describeMaps(tc.maps); got != tc.want {
			t.Errorf("describeMaps(%v) = %q, want %q", tc.maps, got, tc.want)
		}
	}
}

func TestMapped(t *testing.T) {
	maps := []IDMap{{0, 1001, 1}, {1, 100000, 65536}}
	for id, want := range map[int]bool{0: true, 1: true, 1000: true, 65536: true, 65537: false, 1 << 20: false} {
		if got := mapped(maps, id); got != want {
			t.Errorf("mapped(%d) = %v, want %v", id, got, want)
		}
	}
	if mapped(nil, 0) {
		t.Error("an unmapped namespace maps 0")
	}
}

func TestSubIDRange(t *testing.T) {
	file := filepath.Join(t.TempDir(), "subuid")
	os.WriteFile(file, []byte("alice:100000:65536\n1002:300000:1000\nbob:200000:0\nbroken\ncarol:x:5\n"), 0o644)
	for _, tc := range []struct {
		name, uid string
		want      IDMap
		ok        bool
	}{
		{"alice", "1001", IDMap{Outside: 100000, Size: 65536}, true},
		{"dave", "1002", IDMap{Outside: 300000, Size: 1000}, true}, // by uid
		{"bob", "1003", IDMap{}, false},                            // an empty range is none
		{"carol", "1004", IDMap{}, false},
		{"erin", "1005", IDMap{}, false},
	} {
		got, ok := subIDRange(file, tc.name, tc.uid)
		if got != tc.want || ok != tc.ok {
			t.Errorf("subIDRange(%s) = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
	if _, ok := subIDRange(filepath.Join(t.TempDir(), "missing"), "alice", "1001"); ok {
		t.Error("a missing file gives a range")
	}
}

func TestRootlessIsFalseForHostRoot(t *testing.T) {
	b, err := os.ReadFile("/proc/self/uid_map")
	if err != nil {
		t.Skip(err)
	}
	host := reflect.DeepEqual(parseIDMap(string(b)), []IDMap{{0, 0, 1<<32 - 1}})
	if Rootless() == host {
		t.Errorf("Rootless() = %v with uid_map %q", Rootless(), b)
	}
}

func TestCheckMapped(t *testing.T) {
	single := usernsInfo{uids: []IDMap{{0, 1001, 1}}, gids: []IDMap{{0, 1001, 1}}, noSetgroups: true}
	subids := usernsInfo{
		uids: []IDMap{{0, 1001, 1}, {1, 100000, 65536}},
		gids: []IDMap{{0, 1001, 1}, {1, 100000, 65536}},
	}
	for _, tc := range []struct {
		name     string
		ns       usernsInfo
		u        execUser
		groupAdd []string
		want     string // "" for no error
	}{
		{"root, single", single, execUser{UID: 0, GID: 0, Groups: []int{0, 10}}, nil, ""},
		{"user, single", single, execUser{UID: 1000, GID: 1000}, nil,
			"uid 1000 is not mapped in the rootless engine's user namespace, which has ids 0 only: other users need newuidmap and newgidmap (package uidmap) and ranges for the engine's user in /etc/subuid and /etc/subgid"},
		{"group, single", single, execUser{UID: 0, GID: 5}, nil,
			"gid 5 is not mapped in the rootless engine's user namespace, which has ids 0 only: other users need newuidmap and newgidmap (package uidmap) and ranges for the engine's user in /etc/subuid and /etc/subgid"},
		{"group-add, single", single, execUser{UID: 0, GID: 0, Groups: []int{0, 10}}, []string{"10"},
			"supplementary groups need newgidmap (package uidmap) and a range for the engine's user in /etc/subgid: the rootless engine cannot set them"},
		{"user, subids", subids, execUser{UID: 1000, GID: 1000, Groups: []int{1000, 10}}, []string{"10"}, ""},
		{"nobody, subids", subids, execUser{UID: 65534, GID: 65534}, nil, ""},
		{"beyond, subids", subids, execUser{UID: 70000, GID: 0}, nil,
			"uid 70000 is not mapped in the rootless engine's user namespace, which has ids 0-65536 only"},
		{"supplementary beyond, subids", subids, execUser{UID: 0, GID: 0, Groups: []int{0, 70000}}, nil,
			"supplementary gid 70000 is not mapped in the rootless engine's user namespace, which has ids 0-65536 only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkMapped(tc.ns, tc.u, tc.groupAdd)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("checkMapped = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCloneErrorExplainsDisabledUserNamespaces(t *testing.T) {
	for _, tc := range []struct {
		errno    error
		explains bool
	}{
		{unix.EPERM, true}, {unix.ENOSPC, true}, {unix.EACCES, true}, {unix.ENOENT, false},
	} {
		err := cloneError(&os.PathError{Op: "fork/exec", Path: "/bin/boxlab", Err: tc.errno})
		if got := errors.Is(err, ErrNoUserNamespaces); got != tc.explains || !errors.Is(err, tc.errno) {
			t.Errorf("cloneError(%v) = %v", tc.errno, err)
		}
	}
}
