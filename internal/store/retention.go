package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hearme-project/hearme/internal/audit"
)

// ContactDetailsDue counts the contact details last used before the
// given time: what the contact-details retention rule would remove.
func (s *Store) ContactDetailsDue(ctx context.Context, before time.Time) (int, error) {
	var n int
	err := s.conns.Read.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM contact_details WHERE last_contact_at < ?"), before.UTC()).Scan(&n)
	return n, err
}

// PurgeContactDetails deletes at most limit contact details last used
// before the given time, in one transaction audited with the count only
// (never the content). The experience, its consent and its equality
// answers stay. Call it until it returns fewer than limit: each batch
// commits on its own, so an interrupted purge loses nothing and running
// it again simply carries on.
func (s *Store) PurgeContactDetails(ctx context.Context, before time.Time, limit int) (int64, error) {
	if limit < 1 {
		return 0, errors.New("purge contact details: limit must be at least 1")
	}
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM contact_details WHERE experience_id IN
			(SELECT experience_id FROM contact_details WHERE last_contact_at < ? ORDER BY last_contact_at, experience_id LIMIT ?)`),
			before.UTC(), limit)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return s.appendAudit(ctx, tx, "system", audit.ContactDetailsDeleted, "contact_details", fmt.Sprintf(`{"count":%d}`, n))
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
