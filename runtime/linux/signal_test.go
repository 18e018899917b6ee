package linux

import (
	"syscall"
	"testing"
)

func TestParseSignal(t *testing.T) {
	tests := []struct {
		in   string
		want syscall.Signal
		err  string
	}{
		{"SIGTERM", 15, ""},
		{"TERM", 15, ""},
		{"term", 15, ""},
		{"sigkill", 9, ""},
		{"15", 15, ""},
		{"99", 99, ""}, // Docker accepts any number here and refuses it later
		{"RTMIN+3", 37, ""},
		{"SIGRTMAX-2", 62, ""},
		{"cld", 17, ""},
		{"0", -1, "Invalid signal: 0"},
		{"FOO", -1, "Invalid signal: FOO"},
		{"", -1, "Invalid signal: "},
	}
	for _, tt := range tests {
		got, err := ParseSignal(tt.in)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
			t.Errorf("ParseSignal(%q) = %d, %v; want %d, %q", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestSignalName(t *testing.T) {
	tests := map[syscall.Signal]string{
		15: "SIGTERM", 9: "SIGKILL", 17: "SIGCHLD", 6: "SIGABRT", 29: "SIGIO",
		34: "SIGRTMIN", 37: "SIGRTMIN+3", 62: "SIGRTMAX-2", 64: "SIGRTMAX", 99: "99",
	}
	for sig, want := range tests {
		if got := SignalName(sig); got != want {
			t.Errorf("SignalName(%d) = %q, want %q", sig, got, want)
		}
	}
	for name, sig := range signals {
		if got, _ := ParseSignal(SignalName(sig)); got != sig {
			t.Errorf("%s: the name of %d does not parse back", name, sig)
		}
	}
}

func TestValidSignal(t *testing.T) {
	for sig, want := range map[syscall.Signal]bool{0: false, 1: true, 64: true, 65: false, -1: false} {
		if ValidSignal(sig) != want {
			t.Errorf("ValidSignal(%d) != %v", sig, want)
		}
	}
}
