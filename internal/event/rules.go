package event

import (
	"errors"
	"time"
)

// The rule errors of events and registrations. The store enforces these
// rules inside its transactions (where the true counts are) and returns
// these errors; handlers match them with errors.Is.
var (
	// ErrClosed means the event no longer takes registrations or helpers
	// (cancelled, postponed or started).
	ErrClosed = errors.New("event is not open for registration")
	// ErrCapacityBelow means a new capacity is below the places already
	// confirmed.
	ErrCapacityBelow = errors.New("capacity below the places already confirmed")
	// ErrDuplicateRegistration means the email or phone is already
	// registered for the event.
	ErrDuplicateRegistration = errors.New("already registered for this event")
)

// CheckOpen returns ErrClosed unless an event in status, starting at
// start, still takes registrations at now (the rule of Event.Open).
func CheckOpen(status Status, start, now time.Time) error {
	if !(&Event{Status: status, Start: start}).Open(now) {
		return ErrClosed
	}
	return nil
}

// CheckCapacity returns ErrCapacityBelow when capacity is below the
// places already confirmed.
func CheckCapacity(capacity, confirmed int) error {
	if capacity < confirmed {
		return ErrCapacityBelow
	}
	return nil
}
