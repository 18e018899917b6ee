package toolbox

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run runs applet name in-process with stdin and returns what it wrote
// and its status.
func run(t *testing.T, name, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	a, ok := Lookup(name)
	if !ok {
		t.Fatalf("no applet %q", name)
	}
	var out, errOut bytes.Buffer
	c := &Context{Name: name, Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut, applet: a}
	code = runApplet(c, a, args)
	return out.String(), errOut.String(), code
}

// appletCase is one table row: arguments, stdin, and what busybox does.
type appletCase struct {
	name   string
	args   []string
	stdin  string
	want   string
	stderr string
	code   int
}

func runCases(t *testing.T, applet string, cases []appletCase) {
	t.Helper()
	for _, tc := range cases {
		name := tc.name
		if name == "" {
			name = strings.Join(append([]string{applet}, tc.args...), " ")
		}
		t.Run(name, func(t *testing.T) {
			out, errOut, code := run(t, applet, tc.stdin, tc.args...)
			if out != tc.want {
				t.Errorf("stdout:\n%q\nwant:\n%q", out, tc.want)
			}
			if errOut != tc.stderr {
				t.Errorf("stderr:\n%q\nwant:\n%q", errOut, tc.stderr)
			}
			if code != tc.code {
				t.Errorf("status %d, want %d", code, tc.code)
			}
		})
	}
}

// chdir moves the test into dir until it ends.
func chdir(t *testing.T, dir string) {
	t.Helper()
	old, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(old) })
}

// writeFiles creates files (name → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// fakeUsers points the user database at test files.
func fakeUsers(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"passwd": "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\nverylongusername:x:1001:1001::/home/v:/bin/sh\n",
		"group":  "root:x:0:\nwheel:x:10:root,alice\nalice:x:1000:\nstaff:x:50:alice\n",
	})
	oldP, oldG := passwdFile, groupFile
	passwdFile, groupFile = filepath.Join(dir, "passwd"), filepath.Join(dir, "group")
	t.Cleanup(func() { passwdFile, groupFile = oldP, oldG })
}

func TestInvocation(t *testing.T) {
	tests := []struct {
		argv []string
		name string
		args []string
	}{
		{[]string{"/bin/ls", "-l"}, "ls", []string{"-l"}},
		{[]string{"boxlab-toolbox", "ls", "-l"}, "ls", []string{"-l"}},
		{[]string{"/x/boxlab-toolbox-1234abcd", "sh"}, "sh", []string{}},
		{[]string{"-sh"}, "sh", []string{}},
		{[]string{"boxlab-toolbox"}, Binary, []string{}},
		{nil, Binary, nil},
	}
	for _, tc := range tests {
		name, args := Invocation(tc.argv)
		if name != tc.name || strings.Join(args, " ") != strings.Join(tc.args, " ") {
			t.Errorf("Invocation(%q) = %q %q, want %q %q", tc.argv, name, args, tc.name, tc.args)
		}
	}
}

func TestRegisterRejectsDuplicates(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("registering cat twice did not panic")
		}
	}()
	Register(&Applet{Name: "cat"})
}

// --help prints the usage on stdout with status 0, like busybox; echo
// and test have none and treat it as an argument.
func TestHelp(t *testing.T) {
	out, _, code := run(t, "seq", "", "--help")
	if code != 0 || !strings.Contains(out, "Usage: seq [-w] [-s SEP] [FIRST [INC]] LAST") {
		t.Errorf("seq --help: %d %q", code, out)
	}
	out, _, code = run(t, "echo", "", "--help")
	if code != 0 || out != "--help\n" {
		t.Errorf("echo --help: %d %q", code, out)
	}
}

func TestErrText(t *testing.T) {
	_, err := os.Open("/nonexistent/file")
	if got := errText(err); got != "No such file or directory" {
		t.Errorf("errText = %q", got)
	}
	if got := pathErr("x", err); got != "x: No such file or directory" {
		t.Errorf("pathErr = %q", got)
	}
}
