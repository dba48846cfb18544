package testenv

import (
	"testing"
	"time"
)

// Scaled multiplies by HEARME_TEST_TIMEOUT_SCALE, and never shortens a
// limit or takes a value that is not a number.
func TestScaled(t *testing.T) {
	for _, c := range []struct {
		env  string
		want time.Duration
	}{
		{"", 15 * time.Second},
		{"4", 60 * time.Second},
		{"2.5", 37500 * time.Millisecond},
		{"0.5", 15 * time.Second},
		{"-3", 15 * time.Second},
		{"fast", 15 * time.Second},
	} {
		t.Setenv(TimeoutScaleEnv, c.env)
		if got := Scaled(15 * time.Second); got != c.want {
			t.Errorf("%s=%q: Scaled(15s) = %v, want %v", TimeoutScaleEnv, c.env, got, c.want)
		}
	}
}
