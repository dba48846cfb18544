package store

import (
	"context"
	"sort"
	"strings"
	"time"
)

// CodedExperience is one coded experience for an exchange file: its
// answers (and renderings), codings and memos. No equality answer, no
// contact detail, no name: sources are known by their reference.
type CodedExperience struct {
	ID, Reference, Lang, Source, Stages string
	CreatedAt                           time.Time
	Answers                             map[string]string
	Codings                             []Coding
	Memos                               []Memo
}

// CodedData is the programme's coded project.
type CodedData struct {
	Experiences []CodedExperience
	CodeMemos   []Memo
}

// CodedProject reads every approved experience that has codings, with
// its codings (the programme's, not samples'), memos and renderings.
func (s *Store) CodedProject(ctx context.Context) (CodedData, error) {
	var d CodedData
	rows, err := s.conns.Read.QueryContext(ctx, `SELECT DISTINCT c.experience_id FROM codings c JOIN experiences e ON e.id = c.experience_id
		WHERE c.sample_id = '' AND e.status = 'approved' ORDER BY c.experience_id`)
	if err != nil {
		return d, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return d, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, err
	}
	for _, id := range ids {
		v, err := s.codingViewQuiet(ctx, id)
		if err != nil {
			if err == ErrNotFound {
				continue // withdrawn meanwhile
			}
			return d, err
		}
		h := v.Experience
		sub := h.Submission
		stages := append([]string(nil), sub.Stages...)
		sort.Strings(stages)
		d.Experiences = append(d.Experiences, CodedExperience{ID: h.ID, Reference: h.Reference, Lang: sub.Lang, Source: string(sub.Source),
			Stages: strings.Join(stages, ", "), CreatedAt: h.CreatedAt, Answers: v.Answers, Codings: v.Codings, Memos: v.Memos})
	}
	mrows, err := s.conns.Read.QueryContext(ctx, "SELECT id, code_id, text, author_id, created_at, updated_at FROM memos WHERE code_id IS NOT NULL ORDER BY created_at")
	if err != nil {
		return d, err
	}
	defer mrows.Close()
	for mrows.Next() {
		var m Memo
		if err := mrows.Scan(&m.ID, &m.CodeID, &m.Text, &m.AuthorID, &m.CreatedAt, &m.UpdatedAt); err != nil {
			return d, err
		}
		d.CodeMemos = append(d.CodeMemos, m)
	}
	return d, mrows.Err()
}

// codingViewQuiet is ExperienceForCoding without the audit entry (the
// export as a whole is audited once).
func (s *Store) codingViewQuiet(ctx context.Context, id string) (CodingView, error) {
	return s.experienceForCoding(ctx, id, "", "", false)
}

// Occurrence is how many passages of one experience carry one code.
type Occurrence struct {
	ExperienceID, CodeID string
	Passages             int
}

// CodeOccurrences lists, for every coded approved experience, its codes
// with their number of passages (the programme's coding).
func (s *Store) CodeOccurrences(ctx context.Context) ([]Occurrence, error) {
	rows, err := s.conns.Read.QueryContext(ctx, `SELECT c.experience_id, c.code_id, COUNT(*) FROM codings c JOIN experiences e ON e.id = c.experience_id
		WHERE c.sample_id = '' AND e.status = 'approved' GROUP BY c.experience_id, c.code_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Occurrence
	for rows.Next() {
		var o Occurrence
		if err := rows.Scan(&o.ExperienceID, &o.CodeID, &o.Passages); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
