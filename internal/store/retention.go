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
	return s.RetentionDue(ctx, "contact-details", before)
}

// PurgeContactDetails deletes at most limit contact details last used
// before the given time (see RetentionPurge). The experience, its
// consent and its equality answers stay.
func (s *Store) PurgeContactDetails(ctx context.Context, before time.Time, limit int) (int64, error) {
	return s.RetentionPurge(ctx, "contact-details", before, limit)
}

// retentionRules maps each retention rule to the rows it covers: a query
// selecting the keys of due rows (oldest first) and the delete of those
// keys. Deleting an experience takes everything about it with it (the
// foreign keys cascade).
//
// A rule that keeps the row but removes some of it (an event
// registration keeps its count of places) sets remove: an UPDATE whose
// "IN (?)" placeholder-free tail is appended by RetentionPurge, and its
// due query must leave out rows already stripped. Feature files add
// their rules in init with registerRetentionRule.
var retentionRules = map[string]retentionRule{
	"contact-details": {"contact_details", "experience_id",
		"SELECT experience_id FROM contact_details WHERE last_contact_at < ? ORDER BY last_contact_at, experience_id", audit.ContactDetailsDeleted, false, ""},
	"unredacted-originals": {"experience_originals", "experience_id",
		"SELECT o.experience_id FROM experience_originals o JOIN experiences e ON e.id = o.experience_id WHERE e.moderated_at < ? ORDER BY e.moderated_at, o.experience_id",
		"retention.originals_deleted", false, ""},
	"rejected-submissions": {"experiences", "id",
		"SELECT id FROM experiences WHERE status = 'rejected' AND moderated_at < ? ORDER BY moderated_at, id", "retention.rejected_deleted", false, ""},
	// Every experience, once the programme's end date (a YYYY-MM-DD
	// setting, which compares as text) is before the cut-off.
	"experiences-after-programme-end": {"experiences", "id",
		"SELECT id FROM experiences WHERE EXISTS (SELECT 1 FROM programme_settings WHERE key = 'end_date' AND value <> '' AND value < ?) ORDER BY created_at, id",
		"retention.experiences_deleted", true, ""},
}

type retentionRule struct {
	table, key, due, action string
	dateOnly                bool   // the cut-off is compared as a YYYY-MM-DD text
	remove                  string // e.g. "UPDATE t SET x = NULL WHERE id": instead of DELETE; " IN (...)" is appended
}

// retentionFirst is, for a rule whose rows have children without a
// cascade (a breach's versions), a statement run on the same rows before
// the rule's delete, e.g. "DELETE FROM child WHERE parent_id" (" IN
// (...)" is appended).
var retentionFirst = map[string]string{}

func registerRetentionRule(name string, r retentionRule) {
	if _, dup := retentionRules[name]; dup {
		panic("retention rule " + name + " registered twice")
	}
	retentionRules[name] = r
}

// RetentionDue counts the rows a rule would remove.
func (s *Store) RetentionDue(ctx context.Context, rule string, before time.Time) (int, error) {
	r, ok := retentionRules[rule]
	if !ok {
		return 0, fmt.Errorf("unknown retention rule %q", rule)
	}
	var n int
	err := s.conns.Read.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM ("+r.due+") due"), cutoff(before, r.dateOnly)).Scan(&n)
	return n, err
}

// RetentionPurge deletes at most limit due rows of a rule in one
// transaction, audited with the count only. Call it until it returns
// fewer than limit.
func (s *Store) RetentionPurge(ctx context.Context, rule string, before time.Time, limit int) (int64, error) {
	r, ok := retentionRules[rule]
	if !ok {
		return 0, fmt.Errorf("unknown retention rule %q", rule)
	}
	if limit < 1 {
		return 0, errors.New("retention purge: limit must be at least 1")
	}
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if r.table == "experiences" {
			// Out of the breakdown counts before their facts go by cascade.
			if err := s.uncountWhere(ctx, tx, "SELECT "+r.key+" FROM ("+r.due+" LIMIT ?) batch", cutoff(before, r.dateOnly), limit); err != nil {
				return err
			}
		}
		remove := "DELETE FROM " + r.table + " WHERE " + r.key
		if r.remove != "" {
			remove = r.remove
		}
		if first := retentionFirst[rule]; first != "" {
			if _, err := tx.ExecContext(ctx, s.q(first+" IN (SELECT "+r.key+" FROM ("+r.due+" LIMIT ?) batch)"), cutoff(before, r.dateOnly), limit); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, s.q(remove+" IN (SELECT "+r.key+" FROM ("+r.due+" LIMIT ?) batch)"), cutoff(before, r.dateOnly), limit)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		if err := s.markErased(ctx, tx); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, "system", r.action, r.table, fmt.Sprintf(`{"count":%d}`, n))
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

func cutoff(before time.Time, dateOnly bool) any {
	if dateOnly {
		return before.UTC().Format("2006-01-02")
	}
	return before.UTC()
}
