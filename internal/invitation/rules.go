package invitation

import (
	"errors"
	"fmt"
)

// ErrIllegalMove means a status change the triage path does not allow
// (or a decline without a reason). The store checks it inside the
// transaction that holds the request's row, so two staff moving the same
// request cannot both succeed.
var ErrIllegalMove = errors.New("invitation: illegal status change")

// Move checks a status change as CheckMove does and returns ErrIllegalMove
// (wrapped with the move and the refusal's key) when it is refused.
func Move(from, to Status, reason string) error {
	if key := CheckMove(from, to, reason); key != "" {
		return fmt.Errorf("%w: %s to %s (%s)", ErrIllegalMove, from, to, key)
	}
	return nil
}
