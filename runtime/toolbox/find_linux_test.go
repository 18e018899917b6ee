package toolbox

import (
	"os"
	"testing"
)

// Expected outputs checked against busybox 1.35.0 in the same tree; find
// lists a directory in name order where busybox follows readdir(3).
func TestFind(t *testing.T) {
	lsTree(t)
	runCases(t, "find", []appletCase{
		{args: []string{"."}, want: ".\n./.hidden\n./a.txt\n./big.bin\n./broken\n./dir\n./dir/sub\n./fifo\n./link\n./old.txt\n"},
		{args: []string{".", "-name", "*.txt"}, want: "./a.txt\n./old.txt\n"},
		{args: []string{".", "-type", "d"}, want: ".\n./dir\n./dir/sub\n"},
		{args: []string{".", "-maxdepth", "1", "-type", "f"}, want: "./.hidden\n./a.txt\n./big.bin\n./old.txt\n"},
		{args: []string{".", "-mindepth", "2"}, want: "./dir/sub\n"},
		{args: []string{"dir", "-print"}, want: "dir\ndir/sub\n"},
		{args: []string{"dir/"}, want: "dir/\ndir/sub\n"},
		{args: []string{".", "-type", "l", "-o", "-type", "p"}, want: "./broken\n./fifo\n./link\n"},
		{args: []string{".", "!", "-name", "*.txt", "-type", "f"}, want: "./.hidden\n./big.bin\n"},
		{args: []string{".", "-path", "./dir*"}, want: "./dir\n./dir/sub\n"},
		{args: []string{"-name", "a.txt"}, want: "./a.txt\n"},
		{args: []string{".", "-iname", "A.TXT"}, want: "./a.txt\n"},
		{args: []string{".", "-perm", "-4000"}, want: "./big.bin\n"},
		{args: []string{".", "-size", "+1", "-type", "f"}, want: "./big.bin\n"},
		{args: []string{".", "-size", "6c"}, want: "./a.txt\n"},
		{args: []string{".", "-empty", "-type", "f"}, want: "./.hidden\n./old.txt\n"},
		{args: []string{".", "-newer", "old.txt", "-type", "f"}, want: "./a.txt\n"},
		{args: []string{".", "-name", "dir", "-prune", "-o", "-type", "d", "-print"}, want: ".\n"},
		{args: []string{".", "-regex", `.*\.bin`}, want: "./big.bin\n"},
		{args: []string{".", "-name", "a.txt", "-exec", "echo", "got", "{}", ";"}, want: "got ./a.txt\n"},
		{args: []string{".", "-name", "*.txt", "-exec", "echo", "{}", "+"}, want: "./a.txt ./old.txt\n"},
		{args: []string{".", "-name", "*.txt", "-print", "-quit"}, want: "./a.txt\n"},
		{args: []string{"nosuch"}, stderr: "find: nosuch: No such file or directory\n", code: 1},
		{args: []string{".", "-name"}, stderr: "find: -name requires an argument\n", code: 1},
		{args: []string{".", "-type", "x"}, stderr: "find: invalid argument 'x' to '-type'\n", code: 1},
		{args: []string{".", "-bogus"}, stderr: "find: unrecognized: -bogus\n" + usageOf("find"), code: 1},
	})
	runCases(t, "find", []appletCase{{args: []string{".", "-name", "a*", "-delete"}}})
	if _, err := os.Stat("a.txt"); err == nil {
		t.Error("find -delete left a.txt")
	}
}

func TestFnmatch(t *testing.T) {
	tests := []struct {
		pat, name string
		want      bool
	}{
		{"*.txt", "a.txt", true}, {"*.txt", ".txt", true}, {"a?c", "abc", true}, {"[a-c]x", "bx", true},
		{"[!a-c]x", "bx", false}, {`\*`, "*", true}, {"./dir*", "./dir/sub", true}, {"a*", "b", false},
	}
	for _, tc := range tests {
		if got := fnmatch(tc.pat, tc.name, false); got != tc.want {
			t.Errorf("fnmatch(%q, %q) = %v", tc.pat, tc.name, got)
		}
	}
}
