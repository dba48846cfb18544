package experience

import "time"

// Capture time of a record made offline on a phone (docs/offline.md).
// The phone says when the record was captured and, when it sends it, what
// its clock reads then. The server trusts the interval between the two
// (a phone's clock runs at the right speed even when it is set wrong) and
// not the phone's date: the capture time kept is the arrival time minus
// that interval. A phone whose clock was changed between capture and
// sending gives an interval that cannot be true (negative, or longer than
// a record waits); then the capture time is kept as unknown, with the
// reason, and the record itself is accepted: a wrong clock never loses a
// story.

// MaxWait is the longest a record may plausibly have waited on a phone.
const MaxWait = 90 * 24 * time.Hour

// Clock notes: why a capture time was corrected or is unknown.
const (
	ClockOK        = ""
	ClockCorrected = "corrected" // the phone's clock was off by more than ClockTolerance; the time was corrected
	ClockNoTime    = "missing"   // the phone sent no capture time
	ClockFuture    = "future"    // captured after it was sent: the clock was changed in between
	ClockTooOld    = "too_old"   // waited longer than MaxWait by the phone's clock
)

// ClockTolerance is how far a phone's clock may be off before the
// correction is noted.
const ClockTolerance = 2 * time.Minute

// CaptureTime returns when a record was captured, by the server's clock,
// from the phone's capture time and the phone's clock when sending
// (either may be zero), and the time the server received it. ok is false
// when the capture time cannot be known; note says why, or that the
// phone's clock was corrected.
func CaptureTime(capturedOnPhone, sentOnPhone, arrived time.Time) (at time.Time, ok bool, note string) {
	if capturedOnPhone.IsZero() {
		return time.Time{}, false, ClockNoTime
	}
	if sentOnPhone.IsZero() {
		sentOnPhone = arrived // nothing to correct with: the phone's clock as it is
	}
	waited := sentOnPhone.Sub(capturedOnPhone)
	switch {
	case waited < -time.Minute:
		return time.Time{}, false, ClockFuture
	case waited > MaxWait:
		return time.Time{}, false, ClockTooOld
	case waited < 0:
		waited = 0
	}
	at = arrived.Add(-waited).UTC().Truncate(time.Second)
	skew := arrived.Sub(sentOnPhone)
	if skew > ClockTolerance || skew < -ClockTolerance {
		return at, true, ClockCorrected
	}
	return at, true, ClockOK
}
