package engine

import (
	"regexp"
	"testing"
)

func TestValidName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"web2", true},
		{"/web2", true},
		{"redis", true},
		{"a.b-c_d", true},
		{"ab", true},
		{"a", false}, // Docker needs at least two characters
		{"-web", false},
		{"_web", false},
		{"web 2", false},
		{"web/2", false},
		{"", false},
		{"wéb", false},
	} {
		if got := validName.MatchString(tc.name); got != tc.ok {
			t.Errorf("validName(%q) = %v, want %v", tc.name, got, tc.ok)
		}
	}
}

func TestGenerateNameShapeAndUniqueness(t *testing.T) {
	shape := regexp.MustCompile(`^[a-z]+_[a-z-]+[0-9]?$`)
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		n := generateName(func(s string) bool { return seen[s] })
		if !shape.MatchString(n) || !validName.MatchString(n) {
			t.Fatalf("bad generated name %q", n)
		}
		if seen[n] {
			t.Fatalf("generated a taken name %q", n)
		}
		seen[n] = true
	}
}
