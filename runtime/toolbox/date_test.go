package toolbox

import (
	"testing"
	"time"
)

// Expected outputs checked against busybox 1.35.0 with TZ=UTC.
func TestDate(t *testing.T) {
	runCases(t, "date", []appletCase{
		{args: []string{"-u", "-d", "@0"}, want: "Thu Jan  1 00:00:00 UTC 1970\n"},
		{args: []string{"-u", "+%Y-%m-%dT%H:%M:%S", "-d", "@86400"}, want: "1970-01-02T00:00:00\n"},
		{args: []string{"-u", "-d", "2020-01-02", "+%j"}, want: "002\n"},
		{args: []string{"-u", "-d", "@0", "-R"}, want: "Thu, 01 Jan 1970 00:00:00 +0000\n"},
		{args: []string{"-u", "-I", "-d", "@0"}, want: "1970-01-01\n"},
		{args: []string{"-u", "-Iseconds", "-d", "@0"}, want: "1970-01-01T00:00:00+00:00\n"},
		{args: []string{"-u", "-d", "bogus"}, stderr: "date: invalid date 'bogus'\n", code: 1},
	})
}

func TestStrftime(t *testing.T) {
	tm := time.Unix(1700000000, 0).UTC() // Tue Nov 14 22:13:20 2023
	// Checked with busybox date -u -d @1700000000 '+...'.
	got := strftime("%a %A %b %B %C %d %D %e %F %H %I %j %k %l %m %M %p %r %R %s %S %T %u %U %V %w %W %y %Y %z %Z %%", tm)
	want := "Tue Tuesday Nov November 20 14 11/14/23 14 2023-11-14 22 10 318 22 10 11 13 PM 10:13:20 PM 22:13 1700000000 20 22:13:20 2 46 46 2 46 23 2023 +0000 UTC %"
	if got != want {
		t.Errorf("strftime:\n%q\nwant\n%q", got, want)
	}
	if got := strftime("%-d %_m %^a", tm); got != "14 11 TUE" {
		t.Errorf("strftime flags: %q", got)
	}
}
