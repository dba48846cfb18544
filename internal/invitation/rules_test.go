package invitation

import (
	"errors"
	"testing"
)

func TestMoveReturnsTheRuleError(t *testing.T) {
	if err := Move(StatusNew, StatusContacted, ""); err != nil {
		t.Errorf("new to contacted refused: %v", err)
	}
	for _, c := range []struct {
		from, to Status
		reason   string
	}{
		{StatusNew, StatusDone, ""},                       // not on the path
		{StatusContacted, StatusDeclined, "  "},           // no reason
		{StatusDeclined, StatusContacted, "changed mind"}, // closed
	} {
		if err := Move(c.from, c.to, c.reason); !errors.Is(err, ErrIllegalMove) {
			t.Errorf("Move(%s, %s, %q) = %v, want ErrIllegalMove", c.from, c.to, c.reason, err)
		}
	}
}
