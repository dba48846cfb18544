package experience

import (
	"testing"
	"time"
)

func TestCaptureTime(t *testing.T) {
	t.Parallel()
	arrived := time.Date(2026, 12, 6, 14, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name           string
		captured, sent time.Time
		want           time.Time
		ok             bool
		note           string
	}{
		{"right clock", arrived.Add(-time.Hour), arrived, arrived.Add(-time.Hour), true, ClockOK},
		{"no sending time", arrived.Add(-time.Hour), time.Time{}, arrived.Add(-time.Hour), true, ClockOK},
		{"clock a year behind", arrived.AddDate(-1, 0, 0).Add(-time.Hour), arrived.AddDate(-1, 0, 0), arrived.Add(-time.Hour), true, ClockCorrected},
		{"clock three years ahead", arrived.AddDate(3, 0, 0).Add(-2 * time.Hour), arrived.AddDate(3, 0, 0), arrived.Add(-2 * time.Hour), true, ClockCorrected},
		{"clock moved back after capture", arrived.Add(time.Hour), arrived, time.Time{}, false, ClockFuture},
		{"waited longer than a record can", arrived.Add(-MaxWait - time.Hour), arrived, time.Time{}, false, ClockTooOld},
		{"no capture time", time.Time{}, arrived, time.Time{}, false, ClockNoTime},
		{"a few seconds the wrong way", arrived.Add(20 * time.Second), arrived, arrived, true, ClockOK},
	} {
		at, ok, note := CaptureTime(c.captured, c.sent, arrived)
		if !at.Equal(c.want) || ok != c.ok || note != c.note {
			t.Errorf("%s: CaptureTime = %v %v %q, want %v %v %q", c.name, at, ok, note, c.want, c.ok, c.note)
		}
	}
}
