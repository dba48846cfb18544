package champion

import (
	"errors"
	"testing"
	"time"
)

func TestRuleErrors(t *testing.T) {
	if err := CheckMove(Applied, Contacted); err != nil {
		t.Errorf("applied to contacted refused: %v", err)
	}
	if err := CheckMove(Applied, Active); !errors.Is(err, ErrIllegalMove) {
		t.Errorf("applied to active = %v, want ErrIllegalMove", err)
	}
	if err := CheckActive(Active); err != nil {
		t.Errorf("active refused: %v", err)
	}
	if err := CheckActive(Paused); !errors.Is(err, ErrIllegalMove) {
		t.Errorf("paused = %v, want ErrIllegalMove", err)
	}
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	if err := CheckCompletedOn("2026-05-01", now); err != nil {
		t.Errorf("today refused: %v", err)
	}
	for _, d := range []string{"2026-05-02", "01/05/2026", ""} {
		if err := CheckCompletedOn(d, now); !errors.Is(err, ErrInvalidDate) {
			t.Errorf("CheckCompletedOn(%q) = %v, want ErrInvalidDate", d, err)
		}
	}
}
