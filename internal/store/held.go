package store

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hearme-project/hearme/internal/mail"
)

// tableName is what Held accepts: a table's name, never an expression.
var tableName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Held counts the rows of one table: how many records of a kind the
// database holds. It answers questions about a whole table (is anything
// left after a withdrawal, a refused submission or a retention run?),
// where no read of one record can.
func (s *Store) Held(ctx context.Context, table string) (int, error) {
	if !tableName.MatchString(table) {
		return 0, fmt.Errorf("store: %q is not a table name", table)
	}
	var n int
	if err := s.conns.Read.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count %s: %w", table, err)
	}
	return n, nil
}

// OutboxMail returns the outbox's messages of the given kinds (of every
// kind when none is named), queued, sent or given up, oldest first. A
// payload is sealed (mail.Open reads it) and empty once the message was
// sent: the outbox does not keep what it delivered.
func (s *Store) OutboxMail(ctx context.Context, kinds ...string) ([]mail.Queued, error) {
	query := `SELECT kind, payload FROM outbox`
	var args []any
	if len(kinds) > 0 {
		in, a := placeholders(kinds)
		query += ` WHERE kind IN (` + in + `)`
		args = a
	}
	rows, err := s.conns.Read.QueryContext(ctx, s.q(query+` ORDER BY created_at, id`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []mail.Queued
	for rows.Next() {
		var m mail.Queued
		if err := rows.Scan(&m.Kind, &m.Payload); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
