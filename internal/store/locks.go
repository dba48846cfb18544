package store

import (
	"context"
	"database/sql"
	"time"
)

// AcquireJobLock takes (or renews) the lease on a job for holder until
// now+ttl. It returns false when another holder's lease has not expired,
// so instances sharing one PostgreSQL never run the same job at once.
func (s *Store) AcquireJobLock(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	now := s.now()
	var got bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO job_locks (name, holder, locked_until) VALUES (?, '', ?) ON CONFLICT (name) DO NOTHING"), name, now.Add(-time.Second)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q("UPDATE job_locks SET holder = ?, locked_until = ? WHERE name = ? AND (locked_until < ? OR holder = ?)"),
			holder, now.Add(ttl), name, now, holder)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		got = n == 1
		return err
	})
	return got, err
}

// ReleaseJobLock ends holder's lease and records when the job last ran.
func (s *Store) ReleaseJobLock(ctx context.Context, name, holder string) error {
	now := s.now()
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q("UPDATE job_locks SET locked_until = ?, last_run_at = ? WHERE name = ? AND holder = ?"), now.Add(-time.Second), now, name, holder)
		return err
	})
}

// JobLastRun reports when a job last finished (zero if never).
func (s *Store) JobLastRun(ctx context.Context, name string) (time.Time, error) {
	var t sql.NullTime
	err := s.conns.Read.QueryRowContext(ctx, s.q("SELECT last_run_at FROM job_locks WHERE name = ?"), name).Scan(&t)
	if err == sql.ErrNoRows {
		return time.Time{}, nil
	}
	return t.Time, err
}
