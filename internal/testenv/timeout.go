package testenv

import (
	"os"
	"strconv"
	"time"
)

// TimeoutScaleEnv names the environment variable that multiplies the time
// limits of tests that drive a browser (see Scaled): .ci/run sets 2, as
// the whole suite keeps CI's two cores busy; 3 or 4 for a machine that
// other work loads many times over.
const TimeoutScaleEnv = "HEARME_TEST_TIMEOUT_SCALE"

// TimeoutScale is the factor of Scaled: HEARME_TEST_TIMEOUT_SCALE, or 1
// when it is unset, not a number, or less than 1 (a limit is never made
// shorter than the test chose).
func TimeoutScale() float64 {
	f, err := strconv.ParseFloat(os.Getenv(TimeoutScaleEnv), 64)
	if err != nil || f < 1 {
		return 1
	}
	return f
}

// Scaled is d multiplied by TimeoutScale. It is for time limits that only
// keep a stuck test from waiting for ever, never for a time that a test
// checks something against.
func Scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) * TimeoutScale())
}
