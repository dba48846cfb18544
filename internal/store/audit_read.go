package store

import (
	"context"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/audit"
)

// Reading the audit trail as people do: by name and role, filtered.

// StaffName is what the audit trail and histories show for a user id.
type StaffName struct {
	Name string
	Role account.Role
}

// StaffNames maps every account's id to its name and role (disabled and
// anonymised accounts included, so old entries still read).
func (s *Store) StaffNames(ctx context.Context) (map[string]StaffName, error) {
	rows, err := s.conns.Read.QueryContext(ctx, "SELECT id, display_name, role FROM users")
	type row struct {
		id string
		n  StaffName
	}
	list, err := collect(rows, err, func(r rowScanner) (row, error) {
		var x row
		err := r.Scan(&x.id, &x.n.Name, &x.n.Role)
		return x, err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]StaffName, len(list))
	for _, x := range list {
		out[x.id] = x.n
	}
	return out, nil
}

// AuditFilter narrows a reading of the trail; empty fields match all.
type AuditFilter struct {
	ActorID string
	Action  string
	Subject string
	From    time.Time // at or after
	To      time.Time // before
	Limit   int       // at most this many, newest first (0: 200)
}

// AuditActions lists the actions the trail holds, for the filter's
// choices.
func (s *Store) AuditActions(ctx context.Context) ([]string, error) {
	rows, err := s.conns.Read.QueryContext(ctx, "SELECT DISTINCT action FROM audit_log ORDER BY action")
	return collect(rows, err, scanValue[string])
}

// FilterAudit returns the entries matching f, newest first.
func (s *Store) FilterAudit(ctx context.Context, f AuditFilter) ([]audit.Entry, error) {
	var where []string
	var args []any
	if f.ActorID != "" {
		where, args = append(where, "actor_id = ?"), append(args, f.ActorID)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if f.Subject != "" {
		where, args = append(where, "subject = ?"), append(args, f.Subject)
	}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, f.To.UTC())
	}
	if f.Limit <= 0 {
		f.Limit = 200
	}
	q := "SELECT seq, at, actor_id, action, subject, detail, prev_hash, hash FROM audit_log"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.conns.Read.QueryContext(ctx, s.q(q+" ORDER BY seq DESC LIMIT ?"), append(args, f.Limit)...)
	return collect(rows, err, func(row rowScanner) (audit.Entry, error) {
		var e audit.Entry
		err := row.Scan(&e.Seq, &e.At, &e.ActorID, &e.Action, &e.Subject, &e.Detail, &e.PrevHash, &e.Hash)
		return e, err
	})
}
