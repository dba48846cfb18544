package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hearme-project/hearme/internal/audit"
)

// AppendAudit adds an entry to the trail inside its own transaction.
func (s *Store) AppendAudit(ctx context.Context, actorID, action, subject, detail string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return s.appendAudit(ctx, tx, actorID, action, subject, detail)
	})
}

// auditLockKey names the advisory lock that orders audit appends.
const auditLockKey = 0x6175646974 // "audit"

// appendAudit adds an entry inside an existing write transaction, so an
// audited change and its record commit or fail together. Appends are
// serialised (see dialect.TxLock) so each reads the true previous hash;
// seq is the primary key, so two can never share a number.
func (s *Store) appendAudit(ctx context.Context, tx *sql.Tx, actorID, action, subject, detail string) error {
	if detail == "" {
		detail = "{}"
	}
	e := audit.Entry{At: audit.Normalise(s.now()), ActorID: actorID, Action: action, Subject: subject, Detail: detail, PrevHash: audit.GenesisHash}
	if lock := s.d.TxLock(auditLockKey); lock != "" {
		if _, err := tx.ExecContext(ctx, lock); err != nil {
			return fmt.Errorf("audit lock: %w", err)
		}
	}
	err := tx.QueryRowContext(ctx, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").Scan(&e.Seq, &e.PrevHash)
	if err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("audit head: %w", err)
	}
	e.Seq++
	e.Hash = audit.ComputeHash(e)
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO audit_log (seq, at, actor_id, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		e.Seq, e.At, e.ActorID, e.Action, e.Subject, e.Detail, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

// VerifyAudit walks the whole trail in order and returns the first
// broken link (nil when intact) and how many entries were checked.
func (s *Store) VerifyAudit(ctx context.Context) (*audit.Break, int64, error) {
	rows, err := s.conns.Read.QueryContext(ctx, "SELECT seq, at, actor_id, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY seq")
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	v := audit.NewVerifier()
	for rows.Next() {
		var e audit.Entry
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.Action, &e.Subject, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, v.Checked, err
		}
		if b := v.Next(e); b != nil {
			return b, v.Checked, nil
		}
	}
	return nil, v.Checked, rows.Err()
}

// RecentAudit returns the newest entries, newest first.
func (s *Store) RecentAudit(ctx context.Context, limit int) ([]audit.Entry, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT seq, at, actor_id, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY seq DESC LIMIT ?"), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.Action, &e.Subject, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
