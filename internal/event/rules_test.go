package event

import (
	"errors"
	"testing"
	"time"
)

func TestCheckOpen(t *testing.T) {
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		status Status
		start  time.Time
		open   bool
	}{
		{StatusScheduled, now.Add(time.Hour), true},
		{StatusScheduled, now, false}, // started
		{StatusScheduled, now.Add(-time.Hour), false},
		{StatusCancelled, now.Add(time.Hour), false},
		{StatusScheduled, time.Time{}, false}, // no start known
	}
	for _, c := range cases {
		err := CheckOpen(c.status, c.start, now)
		if c.open != (err == nil) || (err != nil && !errors.Is(err, ErrClosed)) {
			t.Errorf("CheckOpen(%s, %v) = %v, want open %v", c.status, c.start, err, c.open)
		}
	}
}

func TestCheckCapacity(t *testing.T) {
	if err := CheckCapacity(10, 10); err != nil {
		t.Errorf("capacity equal to confirmed refused: %v", err)
	}
	if err := CheckCapacity(9, 10); !errors.Is(err, ErrCapacityBelow) {
		t.Errorf("capacity below confirmed = %v, want ErrCapacityBelow", err)
	}
}
