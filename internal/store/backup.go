package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/hearme-project/hearme/internal/audit"
)

// ErrBackupNeedsSQLite is returned by SnapshotSQLite on PostgreSQL, whose
// own tools (pg_dump) make its backups.
var ErrBackupNeedsSQLite = errors.New("online backup is for the SQLite database; on PostgreSQL use pg_dump")

// CanSnapshot reports whether the database can be backed up to a file by
// hearme itself (SQLite); PostgreSQL is backed up with pg_dump.
func (s *Store) CanSnapshot() bool { return s.d.FileSnapshot }

// SnapshotSQLite writes a consistent copy of the database to path (an
// empty file or none) with VACUUM INTO, on a reader connection: it reads
// one snapshot of the WAL, so writers carry on while it runs and nothing
// they commit after it began is half in it. (SQLite's backup API would
// restart from the first page on every write from another connection,
// and under steady submissions might never finish.) It returns the time
// the snapshot was taken and the audit trail's last entry in it.
func (s *Store) SnapshotSQLite(ctx context.Context, path string) (takenAt time.Time, auditSeq int64, err error) {
	if !s.d.FileSnapshot {
		return time.Time{}, 0, ErrBackupNeedsSQLite
	}
	conn, err := s.conns.Read.Conn(ctx)
	if err != nil {
		return time.Time{}, 0, err
	}
	defer conn.Close()
	// Readers are query_only, which forbids writing even to another
	// file; this connection is let write for the copy only, and is
	// thrown away rather than returned to the pool if it cannot be put
	// back.
	if _, err := conn.ExecContext(ctx, "PRAGMA query_only = 0"); err != nil {
		return time.Time{}, 0, err
	}
	defer func() {
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA query_only = 1"); rerr != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	// The snapshot's moment is taken before the copy starts: every write
	// acknowledged before it is in the copy (the audit head read here is
	// the least the copy holds).
	takenAt = s.now()
	var seq sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT MAX(seq) FROM audit_log").Scan(&seq); err != nil {
		return time.Time{}, 0, err
	}
	u := url.URL{Scheme: "file", Opaque: path}
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", u.String()); err != nil {
		return time.Time{}, 0, fmt.Errorf("vacuum into: %w", err)
	}
	return takenAt, seq.Int64, nil
}

// CheckSQLiteFile opens a database file read-only and runs SQLite's
// integrity check over it (a restore checks the copy before putting it
// in place).
func CheckSQLiteFile(ctx context.Context, path string) error {
	u := url.URL{Scheme: "file", Opaque: path}
	db, err := sql.Open("sqlite", u.String()+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("the database in the backup cannot be read: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return err
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("the database in the backup cannot be read: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("the database in the backup fails SQLite's integrity check: %v", problems)
	}
	return nil
}

// ActionRestored is the audit action a restore records.
const ActionRestored = "database.restored"

// Restore is what the trail says about a restore.
type Restore struct {
	RestoredAt time.Time
	TakenAt    time.Time `json:"taken_at"`
}

// RecordRestore appends "database restored from a backup taken at T" to
// the audit trail.
func (s *Store) RecordRestore(ctx context.Context, takenAt time.Time) error {
	detail := audit.Detail(map[string]string{"taken_at": takenAt.UTC().Format(time.RFC3339Nano),
		"note": "database restored from a backup taken at " + takenAt.UTC().Format(time.RFC3339)})
	return s.AppendAudit(ctx, "system", ActionRestored, "", detail)
}

// LastRestore returns the newest restore recorded in the trail (ok false
// when the database was never restored).
func (s *Store) LastRestore(ctx context.Context) (r Restore, ok bool, err error) {
	var detail string
	err = s.conns.Read.QueryRowContext(ctx, s.q("SELECT at, detail FROM audit_log WHERE action = ? ORDER BY seq DESC LIMIT 1"), ActionRestored).Scan(&r.RestoredAt, &detail)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	if err := json.Unmarshal([]byte(detail), &r); err != nil {
		return r, false, fmt.Errorf("restore entry: %w", err)
	}
	return r, true, nil
}
