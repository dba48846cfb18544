package store

import (
	"context"
	"database/sql"
	"fmt"
)

// ProbeWrite makes one small durable write (a row of its own in
// job_locks, which no job uses), so that a health check learns whether
// the database can still write: a full disk or a read-only file answers
// reads and pings but refuses this.
func (s *Store) ProbeWrite(ctx context.Context) error {
	now := s.now()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO job_locks (name, holder, locked_until, last_run_at) VALUES ('health-probe', '', ?, ?)
			ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at`), now, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("write probe: %w", err)
	}
	return nil
}
