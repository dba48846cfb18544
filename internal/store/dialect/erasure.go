package dialect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

// What each database needs so that deleted rows cannot be read back from
// its files (store.EraseLeftovers). On SQLite, every connection to the
// main database runs with secure_delete, so deleted content is already
// overwritten with zeros in the database file; what is left is in the
// write-ahead log. PostgreSQL keeps old row versions in a table's files
// until they happen to be overwritten; only rewriting the table removes
// them.

// ErrCheckpointBusy means readers kept the SQLite log in use, so it could
// not be truncated; a later run tries again.
var ErrCheckpointBusy = errors.New("checkpoint: readers kept the log in use; the next run tries again")

// ClearDeleted removes from the files what deleted rows left: on SQLite
// it checkpoints the log into the database and truncates it to zero
// bytes (the tables are not needed); on PostgreSQL it rewrites each table
// named (VACUUM FULL), which holds an exclusive lock on it meanwhile.
func (d Dialect) ClearDeleted(ctx context.Context, db *sql.DB, tables ...string) error {
	if d.Name == SQLite {
		var busy, logFrames, done int
		if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		if busy != 0 {
			return ErrCheckpointBusy
		}
		return nil
	}
	for _, t := range tables {
		if _, err := db.ExecContext(ctx, "VACUUM FULL "+t); err != nil {
			return fmt.Errorf("vacuum %s: %w", t, err)
		}
	}
	return nil
}

// SnapshotsBefore counts other connections whose snapshot is as old as
// the transaction txn (a value of CurrentTransaction) or older: a table
// rewrite on PostgreSQL keeps every deleted row such a snapshot might
// still see. SQLite's checkpoint reports readers in its own way
// (ErrCheckpointBusy), so this is 0 there.
func (d Dialect) SnapshotsBefore(ctx context.Context, db *sql.DB, txn string) (int, error) {
	if d.Name == SQLite || txn == "" {
		return 0, nil
	}
	x, err := strconv.ParseUint(txn, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("transaction id %q: %w", txn, err)
	}
	// Snapshots in this database, and transactions still running in any
	// database (the rewrite's own snapshot must not reach back past
	// them). backend_xmin and backend_xid are 32-bit; age() compares
	// them across wraparound.
	var n int
	err = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type <> 'autovacuum worker'
		AND ((datname = current_database() AND age(backend_xmin) >= age($1::text::xid)) OR age(backend_xid) >= age($1::text::xid))`,
		strconv.FormatUint(x%(1<<32), 10)).Scan(&n)
	return n, err
}
