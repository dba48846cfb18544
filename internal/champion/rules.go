package champion

import (
	"errors"
	"time"
)

// The rule errors of the champions' pipeline. The store enforces them
// inside the transaction that reads the champion's current stage.
var (
	// ErrIllegalMove means a stage may not follow the champion's current
	// one, or a champion who is not active tried to do what only active
	// champions do (log outreach, help at an event).
	ErrIllegalMove = errors.New("champion: that stage cannot follow the current one")
	// ErrNoActivation means moving to active needs an account to be made
	// (the first time) and none was described.
	ErrNoActivation = errors.New("champion: moving to active needs the new account's details")
	// ErrInvalidDate means a date was not a YYYY-MM-DD date in the
	// allowed range (a training completed in the future).
	ErrInvalidDate = errors.New("invalid date")
)

// CheckMove returns ErrIllegalMove unless the pipeline lets from move to to.
func CheckMove(from, to Stage) error {
	if !from.CanMoveTo(to) {
		return ErrIllegalMove
	}
	return nil
}

// CheckActive returns ErrIllegalMove unless the champion is active: only
// active champions log outreach and help at events.
func CheckActive(st Stage) error {
	if st != Active {
		return ErrIllegalMove
	}
	return nil
}

// CheckCompletedOn returns ErrInvalidDate unless completedOn is a
// YYYY-MM-DD date no later than now.
func CheckCompletedOn(completedOn string, now time.Time) error {
	d, err := time.Parse(time.DateOnly, completedOn)
	if err != nil || d.After(now) {
		return ErrInvalidDate
	}
	return nil
}
