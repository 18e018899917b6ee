package conformance

import (
	"strings"
	"testing"
)

// Each test is one behaviour the notes and lessons rely on, run on boxlab
// and on Docker with the same commands.

func TestRunOutputAndExitCodes(t *testing.T) {
	runScenario(t, []step{
		{args: []string{"run", "--rm", "boxlab/base", "echo", "hello"}, compare: "exact"},
		{args: []string{"run", "--rm", "boxlab/base", "sh", "-c", "echo out; echo err >&2; exit 3"}, compare: "exact"},
		{args: []string{"run", "--rm", "boxlab/base", "false"}, compare: "exact"},
	})
}

func TestRunStartFailures(t *testing.T) {
	runScenario(t, []step{
		{args: sh("run --rm boxlab/base nosuch"), compare: "stderr~", want: []string{`exec: "nosuch": executable file not found in $PATH`}},
		// Modern runc says `exec: "/etc": is a directory`, 20.10's runc
		// `permission denied`; boxlab follows modern Docker.
		{args: sh("run --rm boxlab/base /etc"), compare: "stderr~", want: []string{`exec: "/etc": `}},
		{args: sh("run --rm boxlab/base /etc/passwd"), compare: "stderr~", want: []string{`exec: "/etc/passwd": permission denied`}},
		{args: sh("run --rm -u nosuch boxlab/base true"), compare: "stderr~", want: []string{"unable to find user nosuch: no matching entries in passwd file"}},
		{args: sh("run --rm nosuchimage:1"), compare: "stderr~", want: []string{"Unable to find image 'nosuchimage:1' locally"}},
	})
}

func TestRunConfig(t *testing.T) {
	runScenario(t, []step{
		{args: sh("run --rm -h myhost boxlab/base hostname"), compare: "exact"},
		{args: sh("run --rm -w /tmp/new/dir boxlab/base pwd"), compare: "exact"},
		{args: sh("run --rm -u 1000:1000 boxlab/base id"), compare: "exact"},
		{args: sh("run --rm --entrypoint echo boxlab/base from entrypoint"), compare: "exact"},
		{args: sh("run --rm -e FOO=bar -e PATH=/bin boxlab/base env"), compare: "sorted"},
		{args: sh("run --rm -t boxlab/base env"), compare: "sorted"},
		{args: sh("run --rm boxlab/base cat /etc/hostname"), compare: "exact"},
		{args: []string{"run", "--rm", "boxlab/base", "sh", "-c", "echo $$"}, compare: "exact"},
		// With --init, PID 1 is docker-init and the command its child (its
		// pid differs: the Go reaper's threads take pid numbers, tini's do not).
		{args: []string{"run", "--rm", "--init", "boxlab/base", "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '"}, compare: "exact"},
		{args: []string{"run", "--rm", "--stop-signal", "SIGBOGUS", "boxlab/base", "true"}, compare: "stderr~", want: []string{"Invalid signal: SIGBOGUS"}},
	})
}

func TestContainerLifecycle(t *testing.T) {
	runScenario(t, []step{
		{args: sh("create --name conf-life boxlab/base sh -c 'echo started; sleep 100'"), compare: "exit"},
		{args: sh("inspect --format {{.State.Status}} conf-life"), compare: "exact"},
		{args: sh("start conf-life"), compare: "exact"},
		{args: sh("inspect --format {{.State.Status}}/{{.State.Running}} conf-life"), compare: "exact"},
		{args: sh("pause conf-life"), compare: "exact"},
		{args: sh("inspect --format {{.State.Status}}/{{.State.Paused}} conf-life"), compare: "exact"},
		{args: sh("unpause conf-life"), compare: "exact"},
		{args: sh("rm conf-life"), compare: "exit"},
		{args: sh("stop -t 1 conf-life"), compare: "exact"},
		{args: sh("inspect --format {{.State.Status}}/{{.State.ExitCode}} conf-life"), compare: "exact"},
		{args: sh("logs conf-life"), compare: "exact"},
		{args: sh("rename conf-life conf-life2"), compare: "exact"},
		{args: sh("rm conf-life2"), compare: "exact"},
		{args: sh("inspect conf-life2"), compare: "exit"},
	}, sh("rm -f conf-life"), sh("rm -f conf-life2"))
}

func TestNameRules(t *testing.T) {
	runScenario(t, []step{
		{args: sh("create --name conf-dup boxlab/base true"), compare: "exit"},
		{args: sh("create --name conf-dup boxlab/base true"), compare: "stderr~", want: []string{`Conflict. The container name "/conf-dup" is already in use by container`}},
		{args: sh("create --name x boxlab/base true"), compare: "stderr~", want: []string{"Invalid container name (x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"}},
		{args: sh("start nosuch-container"), compare: "stderr~", want: []string{"No such container: nosuch-container"}},
	}, sh("rm -f conf-dup"))
}

func TestWaitAndExitCodes(t *testing.T) {
	runScenario(t, []step{
		{args: []string{"run", "-d", "--name", "conf-wait", "boxlab/base", "sh", "-c", "exit 5"}, compare: "exit"},
		{args: sh("wait conf-wait"), compare: "exact"},
		{args: sh("inspect --format {{.State.ExitCode}} conf-wait"), compare: "exact"},
	}, sh("rm -f conf-wait"))
}

// A shell as PID 1 ignores SIGTERM: docker stop waits for the timeout and
// then kills it, so the exit code is 137.
func TestStopPID1IgnoresSIGTERM(t *testing.T) {
	runScenario(t, []step{
		{args: sh("run -d --name conf-pid1 boxlab/base sleep 100"), compare: "exit"},
		{args: sh("stop -t 1 conf-pid1"), compare: "exact"},
		{args: sh("inspect --format {{.State.ExitCode}} conf-pid1"), compare: "exact"},
		{args: sh("kill conf-pid1"), compare: "stderr~", want: []string{"is not running"}},
	}, sh("rm -f conf-pid1"))
}

func TestLogs(t *testing.T) {
	runScenario(t, []step{
		{args: []string{"run", "--name", "conf-logs", "boxlab/base", "sh", "-c", "echo one; echo two; echo three"}, compare: "exact"},
		{args: sh("logs conf-logs"), compare: "exact"},
		{args: sh("logs --tail 1 conf-logs"), compare: "exact"},
		{args: sh("logs --tail 2 conf-logs"), compare: "exact"},
		{args: sh("start -a conf-logs"), compare: "exact"},
		{args: sh("logs conf-logs"), compare: "exact"},
	}, sh("rm -f conf-logs"))
}

// stdout and stderr are separate pipes, so their relative order in the log
// is not defined (not in Docker either); each stream on its own is.
func TestLogsKeepStreamsApart(t *testing.T) {
	runScenario(t, []step{
		{args: []string{"run", "--name", "conf-logs2", "boxlab/base", "sh", "-c", "echo out1; echo err1 >&2; echo out2; echo err2 >&2"}, compare: "exact"},
		{args: sh("logs conf-logs2"), compare: "exact"},
	}, sh("rm -f conf-logs2"))
}

func TestExec(t *testing.T) {
	runScenario(t, []step{
		{args: sh("run -d --name conf-exec boxlab/base sleep 100"), compare: "exit"},
		{args: sh("exec conf-exec echo hi"), compare: "exact"},
		{args: []string{"exec", "conf-exec", "sh", "-c", "exit 4"}, compare: "exact"},
		{args: sh("exec -w /tmp conf-exec pwd"), compare: "exact"},
		{args: sh("exec -e A=1 conf-exec sh -c 'echo $A'"), compare: "exact"},
		{args: sh("exec -u 1000 conf-exec id -u"), compare: "exact"},
		{args: sh("exec conf-exec cat /etc/hostname"), compare: "exit"},
		{args: sh("pause conf-exec"), compare: "exact"},
		{args: sh("exec conf-exec true"), compare: "stderr~", want: []string{"is paused, unpause the container before exec"}},
		{args: sh("unpause conf-exec"), compare: "exact"},
		{args: sh("kill conf-exec"), compare: "exit"},
		{args: sh("exec conf-exec true"), compare: "stderr~", want: []string{"is not running"}},
	}, sh("rm -f conf-exec"))
}

func TestPsFilters(t *testing.T) {
	runScenario(t, []step{
		{args: sh("run -d --name conf-ps1 --label team=a boxlab/base sleep 100"), compare: "exit"},
		{args: sh("create --name conf-ps2 --label team=b boxlab/base true"), compare: "exit"},
		{args: sh("ps --filter name=conf-ps --format {{.Names}}"), compare: "exact"},
		{args: sh("ps -a --filter name=conf-ps --format {{.Names}}:{{.State}}"), compare: "sorted"},
		{args: sh("ps -a --filter label=team=b --format {{.Names}}"), compare: "exact"},
		{args: sh("ps -a --filter status=created --filter name=conf-ps --format {{.Names}}"), compare: "exact"},
		{args: sh("ps --filter status=bogus"), compare: "stderr~", want: []string{"Invalid filter 'status=bogus'"}},
		{args: sh("ps --filter bogus=1"), compare: "stderr~", want: []string{"Invalid filter 'bogus'"}},
		{args: sh("ps --filter exited=abc"), compare: "stderr~", want: []string{`strconv.Atoi: parsing "abc": invalid syntax`}},
	}, sh("rm -f conf-ps1"), sh("rm -f conf-ps2"))
}

func TestTop(t *testing.T) {
	needEngines(t)
	for _, host := range []string{boxlabHost, refHost} {
		dockerCmd(host, "rm", "-f", "conf-top")
		if _, errOut, code := dockerCmd(host, "run", "-d", "--name", "conf-top", "boxlab/base", "sleep", "100"); code != 0 {
			t.Fatalf("run on %s: %s", host, errOut)
		}
		out, errOut, code := dockerCmd(host, "top", "conf-top")
		dockerCmd(host, "rm", "-f", "conf-top")
		if code != 0 {
			t.Fatalf("top on %s: %s", host, errOut)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 2 || strings.Join(strings.Fields(lines[0]), " ") != "UID PID PPID C STIME TTY TIME CMD" || !strings.HasSuffix(lines[1], "sleep 100") {
			t.Errorf("top on %s: want the ps -ef header and one sleep row, got:\n%s", host, out)
		}
	}
}
