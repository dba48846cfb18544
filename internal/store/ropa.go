package store

import (
	"context"
	"database/sql"
	"sort"
	"strings"

	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/ropa"
)

// The parts of the record of processing and the DPIA the officer
// writes: every change a new version (ropa_versions), none rewritten,
// each save audited with the fields it changed and why.

// RopaReasonField keeps, as versions of its own, why each change was made
// (the fields changed, then the reason).
const RopaReasonField = "change_reason"

// AuditRopaChanged is the audit action of a saved change.
const AuditRopaChanged = "ropa.changed"

// RopaWritten returns the current version of every written field.
func (s *Store) RopaWritten(ctx context.Context) (map[string]ropa.Edit, error) {
	rows, err := s.conns.Read.QueryContext(ctx, `SELECT v.field, v.value, v.version, v.changed_by, v.changed_at FROM ropa_versions v
		WHERE v.version = (SELECT MAX(version) FROM ropa_versions w WHERE w.field = v.field)`)
	edits, err := collect(rows, err, func(r rowScanner) (ropa.Edit, error) {
		var e ropa.Edit
		err := r.Scan(&e.Field, &e.Value, &e.Version, &e.By, &e.At)
		e.At = e.At.UTC()
		return e, err
	})
	if err != nil {
		return nil, err
	}
	out := map[string]ropa.Edit{}
	for _, e := range edits {
		out[e.Field] = e
	}
	return out, nil
}

// RopaHistory lists every version of a field, newest first.
func (s *Store) RopaHistory(ctx context.Context, fieldID string) ([]ropa.Edit, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT field, value, version, changed_by, changed_at FROM ropa_versions WHERE field = ? ORDER BY version DESC"), fieldID)
	return collect(rows, err, func(r rowScanner) (ropa.Edit, error) {
		var e ropa.Edit
		err := r.Scan(&e.Field, &e.Value, &e.Version, &e.By, &e.At)
		e.At = e.At.UTC()
		return e, err
	})
}

// SaveRopa writes a new version of each field whose value differs from
// its current one, and audits the change (the fields and the reason,
// never the text). It returns how many fields changed.
func (s *Store) SaveRopa(ctx context.Context, actorID string, values map[string]string, reason string) (int, error) {
	ids := make([]string, 0, len(values))
	for id := range values {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var changed []string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		changed = nil
		for _, id := range ids {
			var cur string
			var version int
			err := tx.QueryRowContext(ctx, s.q("SELECT value, version FROM ropa_versions WHERE field = ? ORDER BY version DESC LIMIT 1"), id).Scan(&cur, &version)
			if err != nil && err != sql.ErrNoRows {
				return err
			}
			if err == nil && cur == values[id] || err == sql.ErrNoRows && values[id] == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO ropa_versions (field, version, value, changed_by, changed_at) VALUES (?, ?, ?, ?, ?)"),
				id, version+1, values[id], actorID, s.now()); err != nil {
				return s.conflict(err)
			}
			changed = append(changed, id)
		}
		if len(changed) == 0 {
			return nil
		}
		// The reason is kept as a version of its own (it is free text, so
		// not in the audit trail, which holds facts only).
		var version int
		if err := tx.QueryRowContext(ctx, s.q("SELECT COALESCE(MAX(version), 0) FROM ropa_versions WHERE field = ?"), RopaReasonField).Scan(&version); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO ropa_versions (field, version, value, changed_by, changed_at) VALUES (?, ?, ?, ?, ?)"),
			RopaReasonField, version+1, strings.Join(changed, ",")+": "+reason, actorID, s.now()); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditRopaChanged, "ropa", audit.Detail(map[string]string{"fields": strings.Join(changed, ",")}))
	})
	return len(changed), err
}
