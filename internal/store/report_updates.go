package store

import (
	"context"

	"github.com/hearme-project/hearme/internal/accountability"
)

// PublicUpdates lists the public progress updates (not waiting for a
// connector's review, not sent back) on the commitments of published
// recommendations, newest first; limit <= 0 lists them all. The report's
// open data and its Atom feed read them.
func (s *Store) PublicUpdates(ctx context.Context, limit int) ([]accountability.Update, error) {
	q := "SELECT " + updateColumns + ` FROM commitment_updates u
		JOIN commitments c ON c.id = u.commitment_id
		JOIN recommendations r ON r.id = c.recommendation_id AND r.status = 'published'
		WHERE u.review IN ('none', 'approved')
		ORDER BY u.on_date DESC, u.created_at DESC, u.id`
	var args []any
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := s.conns.Read.QueryContext(ctx, s.q(q), args...)
	us, err := collect(rows, err, scanUpdate)
	if err != nil {
		return nil, err
	}
	// Their translations: all of public updates' (a feed's fifty or the
	// open data's every one).
	return us, s.withUpdateTranslations(ctx, us, `JOIN commitments c ON c.id = u.commitment_id
		JOIN recommendations r ON r.id = c.recommendation_id AND r.status = 'published' WHERE u.review IN ('none', 'approved')`)
}
