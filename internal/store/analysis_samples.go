package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/hearme-project/hearme/internal/analysis"
)

// Sample is a set of coded experiences a second person codes again,
// blind, so agreement can be measured before results are published.
type Sample struct {
	ID, Name, SecondCoderID, RequestedBy string
	CreatedAt                            time.Time
	Items, Done                          int
}

// CreateSample picks size experiences at random among those whose coding
// is finished, for secondCoder to code again.
func (s *Store) CreateSample(ctx context.Context, requestedBy, name, secondCoder string, size int) (string, int, error) {
	id := NewID()
	var n int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO coding_samples (id, name, second_coder_id, requested_by, created_at) VALUES (?, ?, ?, ?, ?)"),
			id, name, secondCoder, requestedBy, s.now()); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO coding_sample_items (sample_id, experience_id, done)
			SELECT ?, d.experience_id, FALSE FROM coding_done d JOIN experiences e ON e.id = d.experience_id
			WHERE e.status = 'approved' ORDER BY random() LIMIT ?`), id, size)
		if err != nil {
			return err
		}
		k, err := res.RowsAffected()
		if err != nil {
			return err
		}
		n = int(k)
		if n == 0 {
			return ErrNotFound // nothing coded yet to sample
		}
		return nil
	})
	return id, n, err
}

// Samples lists the double-coding samples with their progress.
func (s *Store) Samples(ctx context.Context) ([]Sample, error) {
	rows, err := s.conns.Read.QueryContext(ctx, `SELECT s.id, s.name, s.second_coder_id, s.requested_by, s.created_at,
		(SELECT COUNT(*) FROM coding_sample_items i WHERE i.sample_id = s.id),
		(SELECT COUNT(*) FROM coding_sample_items i WHERE i.sample_id = s.id AND i.done)
		FROM coding_samples s ORDER BY s.created_at DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Sample
	for rows.Next() {
		var x Sample
		if err := rows.Scan(&x.ID, &x.Name, &x.SecondCoderID, &x.RequestedBy, &x.CreatedAt, &x.Items, &x.Done); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// SampleItems lists a sample's experience ids with whether each is done.
func (s *Store) SampleItems(ctx context.Context, sampleID string) (ids []string, done map[string]bool, err error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT experience_id, done FROM coding_sample_items WHERE sample_id = ? ORDER BY experience_id"), sampleID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	done = map[string]bool{}
	for rows.Next() {
		var id string
		var d bool
		if err := rows.Scan(&id, &d); err != nil {
			return nil, nil, err
		}
		ids = append(ids, id)
		done[id] = d
	}
	return ids, done, rows.Err()
}

// MarkSampleItemDone records that the second coder finished one item.
func (s *Store) MarkSampleItemDone(ctx context.Context, sampleID, experienceID string, done bool) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE coding_sample_items SET done = ? WHERE sample_id = ? AND experience_id = ?"), done, sampleID, experienceID)
		if err != nil {
			return err
		}
		if err := requireRow(res, ErrNotFound); err != nil {
			return err
		}
		return nil
	})
}

// SampleAgreement compares the programme's coding with the second
// coder's, sentence by sentence, over the sample's finished items.
func (s *Store) SampleAgreement(ctx context.Context, sampleID string) (analysis.Agreement, error) {
	ids, done, err := s.SampleItems(ctx, sampleID)
	if err != nil {
		return analysis.Agreement{}, err
	}
	codes, err := s.Codes(ctx)
	if err != nil {
		return analysis.Agreement{}, err
	}
	plain := make([]analysis.Code, len(codes))
	for i, c := range codes {
		plain[i] = c.Code
	}
	book := analysis.NewCodebook(plain)
	var units []analysis.Unit
	for _, id := range ids {
		if !done[id] {
			continue
		}
		h, err := s.loadExperience(ctx, "e.id = ?", id)
		if err != nil {
			continue // withdrawn since: it leaves the sample
		}
		first, err := s.codingsOf(ctx, s.conns.Read, id, "")
		if err != nil {
			return analysis.Agreement{}, err
		}
		second, err := s.codingsOf(ctx, s.conns.Read, id, sampleID)
		if err != nil {
			return analysis.Agreement{}, err
		}
		group := func(cs []Coding) map[string][]analysis.Passage {
			m := map[string][]analysis.Passage{}
			for _, c := range cs {
				code := book.Resolve(c.CodeID)
				m[code] = append(m[code], c.Passage)
			}
			return m
		}
		a, b := group(first), group(second)
		for field, text := range answers(h) {
			if text != "" {
				units = append(units, analysis.UnitsFromPassages(text, field, a, b)...)
			}
		}
	}
	return analysis.Kappa(units), nil
}
