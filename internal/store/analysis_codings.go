package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/experience"
)

// Audit actions of the Understand step (who, when, which record; never
// the words).
const (
	AuditCodingViewed   = "analysis.experience_viewed"
	AuditCodebookEdit   = "analysis.codebook_changed"
	AuditAnalysisExport = "analysis.exported"
)

// Coding is a code applied to an experience.
type Coding struct {
	ID           string
	ExperienceID string
	CodeID       string
	analysis.Passage
	Quote       bool
	NeedsReview bool
	SampleID    string
	CoderID     string
	CreatedAt   time.Time
}

// CodingQueueItem is an approved experience waiting to be coded. It
// carries no words, so the queue shows nobody's story.
type CodingQueueItem struct {
	ID, Reference, Lang string
	Kind                experience.Kind
	Source              experience.Source
	CreatedAt           time.Time
	Codings             int
}

// CodingQueue lists approved experiences not yet marked as coded, oldest
// first, with how many codings each has so far; total is the whole queue.
func (s *Store) CodingQueue(ctx context.Context, limit int) (items []CodingQueueItem, total int, err error) {
	const waiting = `FROM experiences e WHERE e.status = 'approved' AND NOT EXISTS (SELECT 1 FROM coding_done d WHERE d.experience_id = e.id)`
	if err := s.conns.Read.QueryRowContext(ctx, "SELECT COUNT(*) "+waiting).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT e.id, e.reference, e.lang, e.kind, e.source, e.created_at,
		(SELECT COUNT(*) FROM codings c WHERE c.experience_id = e.id AND c.sample_id = '') `+waiting+` ORDER BY e.created_at, e.id LIMIT ?`), limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var it CodingQueueItem
		var kind, source string
		if err := rows.Scan(&it.ID, &it.Reference, &it.Lang, &kind, &source, &it.CreatedAt, &it.Codings); err != nil {
			return nil, 0, err
		}
		it.Kind, it.Source = experience.Kind(kind), experience.Source(source)
		items = append(items, it)
	}
	return items, total, rows.Err()
}

// ApprovedByReference finds an approved experience's id by its reference.
func (s *Store) ApprovedByReference(ctx context.Context, reference string) (string, error) {
	var id string
	err := s.conns.Read.QueryRowContext(ctx, s.q("SELECT id FROM experiences WHERE reference = ? AND status = 'approved'"), reference).Scan(&id)
	return id, notFound(err)
}

// Translation is a human English rendering of one answer.
type Translation struct {
	Field, Text, TranslatorID string
	UpdatedAt                 time.Time
	OutOfDate                 bool // the answer changed after it was rendered
}

// Memo is a note on an experience or on a code.
type Memo struct {
	ID, ExperienceID, CodeID, Text, AuthorID string
	CreatedAt, UpdatedAt                     time.Time
}

// CodingView is everything a coder sees of one experience.
type CodingView struct {
	Experience   HeldExperience
	Answers      map[string]string // field -> text, answers and translation.<field>
	Stamp        time.Time         // when the experience last changed; a coding names it
	Codings      []Coding
	Memos        []Memo
	Translations map[string]Translation
	Done         bool
}

// answerHash fingerprints an answer, so a rendering knows when it is stale.
func answerHash(text string) string {
	sum := sha256.Sum256([]byte("hearme-answer:" + text))
	return hex.EncodeToString(sum[:16])
}

// answers lists an experience's codable answers by field.
func answers(h HeldExperience) map[string]string {
	sub := h.Submission
	return map[string]string{"what_happened": sub.WhatHappened, "went_well": sub.WentWell, "could_be_better": sub.CouldBeBetter, "idea": sub.Idea}
}

// codingAnswers reads what a coding checks its passage and quote
// against: an approved experience's answers, opened, and whether its
// person agreed to be quoted. One statement, prepared once, where the
// whole experience (loadExperience) takes three: every coding runs it.
func (s *Store) codingAnswers(ctx context.Context, id string) (map[string]string, bool, error) {
	var what, well, better, idea, sealedKey string
	var quote bool
	err := keptRead{s}.QueryRowContext(ctx, s.q(`SELECT e.what_happened, e.went_well, e.could_be_better, e.idea, c.quote,
		COALESCE((SELECT k.sealed_key FROM experience_keys k WHERE k.experience_id = e.id), '')
		FROM experiences e JOIN consents c ON c.experience_id = e.id
		WHERE e.id = ? AND e.status = 'approved'`), id).Scan(&what, &well, &better, &idea, &quote, &sealedKey)
	if err != nil {
		return nil, false, notFound(err)
	}
	d, err := s.openDataKey(sealedKey)
	if err != nil {
		return nil, false, err
	}
	ans := map[string]string{"what_happened": what, "went_well": well, "could_be_better": better, "idea": idea}
	return ans, quote, openAnswers(d, id, ans)
}

// ExperienceForCoding returns an approved experience with its codings
// (the programme's, or a double-coding sample's), memos and renderings,
// and writes the look to the audit trail (who, when, which record).
func (s *Store) ExperienceForCoding(ctx context.Context, id, viewerID, sampleID string) (CodingView, error) {
	return s.experienceForCoding(ctx, id, viewerID, sampleID, true)
}

func (s *Store) experienceForCoding(ctx context.Context, id, viewerID, sampleID string, audited bool) (CodingView, error) {
	var v CodingView
	h, err := s.loadExperience(ctx, "e.id = ? AND e.status = 'approved'", id)
	if err != nil {
		return v, err
	}
	v.Experience, v.Answers = h, answers(h)
	if err := s.conns.Read.QueryRowContext(ctx, s.q("SELECT updated_at FROM experiences WHERE id = ?"), id).Scan(&v.Stamp); err != nil {
		return v, notFound(err)
	}
	v.Translations = map[string]Translation{}
	// Renderings and memos are sealed with the experience's own key.
	d, err := s.dataKey(ctx, s.conns.Read, id)
	if err != nil {
		return v, err
	}
	trows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT field, text, source_hash, translator_id, updated_at FROM translations WHERE experience_id = ?"), id)
	if err != nil {
		return v, err
	}
	for trows.Next() {
		var t Translation
		var hash string
		if err := trows.Scan(&t.Field, &t.Text, &hash, &t.TranslatorID, &t.UpdatedAt); err != nil {
			trows.Close()
			return v, err
		}
		if err := openAll(d, id, &t.Text); err != nil {
			trows.Close()
			return v, err
		}
		t.OutOfDate = hash != answerHash(v.Answers[t.Field])
		v.Translations[t.Field] = t
		v.Answers[analysis.TranslationPrefix+t.Field] = t.Text
	}
	if err := closeRows(trows); err != nil {
		return v, err
	}
	if v.Codings, err = s.codingsOf(ctx, s.conns.Read, id, sampleID); err != nil {
		return v, err
	}
	mrows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT id, text, author_id, created_at, updated_at FROM memos WHERE experience_id = ? ORDER BY created_at"), id)
	if v.Memos, err = collect(mrows, err, func(row rowScanner) (Memo, error) {
		m := Memo{ExperienceID: id}
		if err := row.Scan(&m.ID, &m.Text, &m.AuthorID, &m.CreatedAt, &m.UpdatedAt); err != nil {
			return m, err
		}
		return m, openAll(d, id, &m.Text)
	}); err != nil {
		return v, err
	}
	var n int
	if err := s.conns.Read.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM coding_done WHERE experience_id = ?"), id).Scan(&n); err != nil {
		return v, err
	}
	v.Done = n > 0
	if !audited {
		return v, nil
	}
	return v, s.AppendAudit(ctx, viewerID, AuditCodingViewed, id, "")
}

const codingColumns = "id, experience_id, code_id, field, start_pos, end_pos, whole, quote, needs_review, sample_id, coder_id, created_at"

func scanCoding(r rowScanner) (Coding, error) {
	var c Coding
	err := r.Scan(&c.ID, &c.ExperienceID, &c.CodeID, &c.Field, &c.Start, &c.End, &c.Whole, &c.Quote, &c.NeedsReview, &c.SampleID, &c.CoderID, &c.CreatedAt)
	return c, err
}

// codingsOf lists an experience's codings: the programme's (sampleID "")
// or one sample's, in reading order.
func (s *Store) codingsOf(ctx context.Context, q querier, experienceID, sampleID string) ([]Coding, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT `+codingColumns+`
		FROM codings WHERE experience_id = ? AND sample_id = ? ORDER BY field, start_pos, end_pos, created_at`), experienceID, sampleID)
	return collect(rows, err, scanCoding)
}

// NewCoding is what a coder asks for: a code on a passage of the
// experience as it was when they opened it (Stamp).
type NewCoding struct {
	ExperienceID string
	CodeID       string
	Passage      analysis.Passage
	Quote        bool
	SampleID     string
	Stamp        time.Time
}

// AddCoding applies a code. The passage is checked against the words as
// they are; if the experience changed since the coder opened it, the
// coding is refused with analysis.ErrStoryChanged (nothing is guessed). A
// second identical coding (two people at once) is the same coding.
func (s *Store) AddCoding(ctx context.Context, coderID string, n NewCoding) (Coding, error) {
	ans, quoteConsent, err := s.codingAnswers(ctx, n.ExperienceID)
	if err != nil {
		return Coding{}, err
	}
	if tr, err := s.translationText(ctx, n.ExperienceID, n.Passage.Field); err == nil {
		ans[n.Passage.Field] = tr
	}
	text, ok := ans[n.Passage.Field]
	if !ok {
		return Coding{}, analysis.ErrPassageField
	}
	p := n.Passage.Trim(text)
	if p.Whole {
		p = analysis.WholeOf(p.Field, text)
	}
	if err := p.Check(text); err != nil {
		return Coding{}, err
	}
	if n.Quote && !quoteConsent {
		return Coding{}, analysis.ErrNoQuoteConsent
	}
	c := Coding{ID: NewID(), ExperienceID: n.ExperienceID, CodeID: n.CodeID, Passage: p, Quote: n.Quote, SampleID: n.SampleID, CoderID: coderID}
	// A coding brings the experience's breakdown counts up to date in
	// every scope (breakdown_counts.go), and on SQLite the writer's turn
	// is everyone's: the statements are prepared once, and the coding
	// shares its commit with the writes waiting beside it under its own
	// savepoint (group_commit.go; docs/performance.md, "Coding, the cost
	// of keeping more counts").
	if err := s.prepareCoding(ctx); err != nil {
		return Coding{}, err
	}
	err = s.durably(ctx, func(ctx context.Context, t *sql.Tx) error {
		tx := keptTx{s, t}
		var stamp sql.NullTime
		var archived sql.NullBool
		var merged sql.NullString
		if err := tx.QueryRowContext(ctx, s.q(sqlCodingState), n.ExperienceID, n.CodeID).Scan(&stamp, &archived, &merged); err != nil {
			return err
		}
		switch {
		case !stamp.Valid:
			return ErrNotFound
		case !n.Stamp.IsZero() && !stamp.Time.Equal(n.Stamp):
			return analysis.ErrStoryChanged
		case !archived.Valid:
			return analysis.ErrCodeNotFound
		case archived.Bool || merged.String != "":
			return analysis.ErrCodeInactive
		}
		c.CreatedAt = s.now()
		_, err := tx.ExecContext(ctx, s.q(sqlCodingAdd), c.ID, c.ExperienceID, c.CodeID, p.Field, p.Start, p.End, p.Whole, c.Quote, c.SampleID, coderID, c.CreatedAt)
		if err != nil {
			return s.conflict(err)
		}
		return s.recount(ctx, t, c.ExperienceID)
	})
	if errors.Is(err, ErrConflict) {
		// Someone applied the same code to the same words first: theirs stands.
		existing, lerr := s.codingsOf(ctx, s.conns.Write, n.ExperienceID, n.SampleID)
		if lerr != nil {
			return Coding{}, lerr
		}
		for _, e := range existing {
			if e.CodeID == c.CodeID && e.Field == p.Field && e.Start == p.Start && e.End == p.End {
				return e, nil
			}
		}
	}
	return c, err
}

func (s *Store) translationText(ctx context.Context, experienceID, field string) (string, error) {
	if len(field) <= len(analysis.TranslationPrefix) || field[:len(analysis.TranslationPrefix)] != analysis.TranslationPrefix {
		return "", ErrNotFound
	}
	var text string
	err := s.conns.Read.QueryRowContext(ctx, s.q("SELECT text FROM translations WHERE experience_id = ? AND field = ?"),
		experienceID, field[len(analysis.TranslationPrefix):]).Scan(&text)
	if err != nil {
		return "", notFound(err)
	}
	d, err := s.dataKey(ctx, s.conns.Read, experienceID)
	if err != nil {
		return "", err
	}
	return text, openAll(d, experienceID, &text)
}

// The statements of a coding added or removed (with recount's).
const (
	// sqlCodingState is the approved experience's stamp and the code's
	// state in one statement (NULLs for either missing).
	sqlCodingState = `SELECT e.updated_at, k.archived, k.merged_into FROM (SELECT CAST(? AS TEXT) AS id, CAST(? AS TEXT) AS code) x
			LEFT JOIN experiences e ON e.id = x.id AND e.status = 'approved' LEFT JOIN codes k ON k.id = x.code`
	sqlCodingAdd = `INSERT INTO codings (id, experience_id, code_id, field, start_pos, end_pos, whole, quote, needs_review, sample_id, coder_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, FALSE, ?, ?, ?)`
	sqlCodingOf     = "SELECT experience_id FROM codings WHERE id = ?"
	sqlCodingRemove = "DELETE FROM codings WHERE id = ?"
)

// prepareCoding prepares those statements on the writer, once.
func (s *Store) prepareCoding(ctx context.Context) error {
	if _, err := s.writeStatements(ctx, s.q(sqlCodingState), s.q(sqlCodingAdd), s.q(sqlCodingOf), s.q(sqlCodingRemove)); err != nil {
		return err
	}
	return s.prepareRecount(ctx)
}

// RemoveCoding takes a coding away (ErrNotFound if someone already did).
func (s *Store) RemoveCoding(ctx context.Context, id string) error {
	if err := s.prepareCoding(ctx); err != nil {
		return err
	}
	return s.durably(ctx, func(ctx context.Context, t *sql.Tx) error {
		tx := keptTx{s, t}
		var exp string
		if err := tx.QueryRowContext(ctx, s.q(sqlCodingOf), id).Scan(&exp); err != nil {
			return notFound(err)
		}
		res, err := tx.ExecContext(ctx, s.q(sqlCodingRemove), id)
		if err != nil {
			return err
		}
		if err := requireRow(res, ErrNotFound); err != nil {
			return err
		}
		return s.recount(ctx, t, exp)
	})
}

// SetQuote marks or unmarks a coded passage as a quote, only where the
// person agreed to be quoted.
func (s *Store) SetQuote(ctx context.Context, codingID string, quote bool) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var consented bool
		err := tx.QueryRowContext(ctx, s.q(`SELECT c.quote FROM codings g JOIN consents c ON c.experience_id = g.experience_id WHERE g.id = ?`), codingID).Scan(&consented)
		if err != nil {
			return notFound(err)
		}
		if quote && !consented {
			return analysis.ErrNoQuoteConsent
		}
		_, err = tx.ExecContext(ctx, s.q("UPDATE codings SET quote = ? WHERE id = ?"), quote, codingID)
		return err
	})
}

// MarkCoded records that an experience's coding is finished (or not).
func (s *Store) MarkCoded(ctx context.Context, coderID, experienceID string, done bool) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM experiences WHERE id = ? AND status = 'approved'"), experienceID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		if !done {
			_, err := tx.ExecContext(ctx, s.q("DELETE FROM coding_done WHERE experience_id = ?"), experienceID)
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO coding_done (experience_id, coder_id, done_at) VALUES (?, ?, ?)
			ON CONFLICT (experience_id) DO NOTHING`), experienceID, coderID, s.now())
		return err
	})
}

// SaveMemo adds or edits a memo on an experience or a code (one of the
// two ids is ""); id "" adds one.
func (s *Store) SaveMemo(ctx context.Context, authorID, id, experienceID, codeID, text string) (string, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		// The experience or code must exist (a forged id is not found,
		// not a constraint failure).
		var n int
		target, q := experienceID, "SELECT COUNT(*) FROM experiences WHERE id = ? AND status = 'approved'"
		if codeID != "" {
			target, q = codeID, "SELECT COUNT(*) FROM codes WHERE id = ?"
		}
		if err := tx.QueryRowContext(ctx, s.q(q), target).Scan(&n); err != nil {
			return err
		}
		if n == 0 && id == "" {
			return ErrNotFound
		}
		// A memo on an experience is sealed with the experience's key.
		sealFor := func(expID string) (string, error) {
			if expID == "" {
				return text, nil
			}
			d, err := s.writeKey(ctx, tx, expID)
			return d.Seal(expID, text), err
		}
		if id != "" {
			var exp sql.NullString
			if err := tx.QueryRowContext(ctx, s.q("SELECT experience_id FROM memos WHERE id = ?"), id).Scan(&exp); err != nil {
				return notFound(err)
			}
			sealedText, err := sealFor(exp.String)
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, s.q("UPDATE memos SET text = ?, updated_at = ? WHERE id = ?"), sealedText, now, id)
			if err != nil {
				return err
			}
			if err := requireRow(res, ErrNotFound); err != nil {
				return err
			}
			return s.reindexMemoExperience(ctx, tx, id)
		}
		id = NewID()
		var exp, code any
		if experienceID != "" {
			exp = experienceID
		}
		if codeID != "" {
			code = codeID
		}
		sealedText, err := sealFor(experienceID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO memos (id, experience_id, code_id, text, author_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
			id, exp, code, sealedText, authorID, now, now); err != nil {
			return err
		}
		return s.reindexMemoExperience(ctx, tx, id)
	})
	return id, err
}

// DeleteMemo removes a memo.
func (s *Store) DeleteMemo(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var exp sql.NullString
		if err := tx.QueryRowContext(ctx, s.q("SELECT experience_id FROM memos WHERE id = ?"), id).Scan(&exp); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM memos WHERE id = ?"), id); err != nil {
			return err
		}
		if exp.Valid {
			return s.reindex(ctx, tx, exp.String)
		}
		return nil
	})
}

// reindexMemoExperience updates the search document of the experience a
// memo is on (a memo on a code is on none).
func (s *Store) reindexMemoExperience(ctx context.Context, tx *sql.Tx, memoID string) error {
	var exp sql.NullString
	if err := tx.QueryRowContext(ctx, s.q("SELECT experience_id FROM memos WHERE id = ?"), memoID).Scan(&exp); err != nil {
		return notFound(err)
	}
	if !exp.Valid {
		return nil
	}
	return s.reindex(ctx, tx, exp.String)
}

// CodeMemos lists the memos on a code.
func (s *Store) CodeMemos(ctx context.Context, codeID string) ([]Memo, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT id, text, author_id, created_at, updated_at FROM memos WHERE code_id = ? ORDER BY created_at"), codeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Memo
	for rows.Next() {
		m := Memo{CodeID: codeID}
		if err := rows.Scan(&m.ID, &m.Text, &m.AuthorID, &m.CreatedAt, &m.UpdatedAt); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SaveTranslation keeps a human English rendering of one answer of an
// approved experience, with who made it.
func (s *Store) SaveTranslation(ctx context.Context, translatorID, experienceID, fieldName, text string) error {
	h, err := s.loadExperience(ctx, "e.id = ? AND e.status = 'approved'", experienceID)
	if err != nil {
		return err
	}
	src, ok := answers(h)[fieldName]
	if !ok || src == "" {
		return analysis.ErrPassageField
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		d, err := s.writeKey(ctx, tx, experienceID)
		if err != nil {
			return err
		}
		// The rendering as it was, so codings on it can follow their words.
		var old string
		if err := tx.QueryRowContext(ctx, s.q("SELECT text FROM translations WHERE experience_id = ? AND field = ?"), experienceID, fieldName).Scan(&old); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if old != "" {
			if err := openAll(d, experienceID, &old); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO translations (experience_id, field, text, source_hash, translator_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (experience_id, field) DO UPDATE SET text = excluded.text, source_hash = excluded.source_hash,
			translator_id = excluded.translator_id, updated_at = excluded.updated_at`), experienceID, fieldName, d.Seal(experienceID, text), answerHash(src), translatorID, s.now())
		if err != nil {
			return err
		}
		rendering := analysis.TranslationPrefix + fieldName
		if err := s.reanchorCodings(ctx, tx, experienceID, map[string]string{rendering: old}, map[string]string{rendering: text}); err != nil {
			return err
		}
		return s.reindex(ctx, tx, experienceID)
	})
}

// RecordSuggestion keeps a coder's answer to a suggestion, with the model
// version that made it.
func (s *Store) RecordSuggestion(ctx context.Context, coderID, experienceID, codeID, modelVersion string, accepted bool) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO suggestion_decisions (id, experience_id, code_id, model_version, accepted, coder_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`), NewID(), experienceID, codeID, modelVersion, accepted, coderID, s.now())
		return err
	})
}

// SuggestionCounts is how often suggestions were accepted and rejected.
func (s *Store) SuggestionCounts(ctx context.Context) (accepted, rejected int, err error) {
	err = s.conns.Read.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN accepted THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN accepted THEN 0 ELSE 1 END), 0) FROM suggestion_decisions`).Scan(&accepted, &rejected)
	return accepted, rejected, err
}

// TrainingExamples returns every coded approved experience's text (the
// answers and their renderings) with the codes applied to it (merges
// followed), for the suggestion model. Withdrawn experiences are gone
// from here with their codings.
func (s *Store) TrainingExamples(ctx context.Context) ([]analysis.Example, error) {
	codes, err := s.Codes(ctx)
	if err != nil {
		return nil, err
	}
	plain := make([]analysis.Code, len(codes))
	for i, c := range codes {
		plain[i] = c.Code
	}
	book := analysis.NewCodebook(plain)
	rows, err := s.conns.Read.QueryContext(ctx, `SELECT DISTINCT experience_id, code_id FROM codings WHERE sample_id = '' ORDER BY experience_id`)
	if err != nil {
		return nil, err
	}
	byExp := map[string][]string{}
	var order []string
	for rows.Next() {
		var e, c string
		if err := rows.Scan(&e, &c); err != nil {
			rows.Close()
			return nil, err
		}
		if _, ok := byExp[e]; !ok {
			order = append(order, e)
		}
		byExp[e] = append(byExp[e], book.Resolve(c))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]analysis.Example, 0, len(order))
	for _, id := range order {
		h, err := s.loadExperience(ctx, "e.id = ? AND e.status = 'approved'", id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		text := h.Submission.WhatHappened + "\n" + h.Submission.WentWell + "\n" + h.Submission.CouldBeBetter + "\n" + h.Submission.Idea
		d, err := s.dataKey(ctx, s.conns.Read, id)
		if err != nil {
			return nil, err
		}
		trows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT text FROM translations WHERE experience_id = ?"), id)
		translations, err := collect(trows, err, scanValue[string])
		if err != nil {
			return nil, err
		}
		for _, t := range translations {
			if err := openAll(d, id, &t); err != nil {
				return nil, err
			}
			text += "\n" + t
		}
		out = append(out, analysis.Example{Text: text, Codes: byExp[id]})
	}
	return out, nil
}

// CodingFingerprint changes whenever the programme's coding does (a
// coding added or removed, a merge, a withdrawal), so the suggestion
// model knows when to learn again.
func (s *Store) CodingFingerprint(ctx context.Context) (string, error) {
	var n int
	var newest sql.NullString
	var codes int
	var codesChanged sql.NullString
	if err := s.conns.Read.QueryRowContext(ctx, `SELECT COUNT(*), MAX(id) FROM codings WHERE sample_id = ''`).Scan(&n, &newest); err != nil {
		return "", err
	}
	if err := s.conns.Read.QueryRowContext(ctx, `SELECT COUNT(*), MAX(id) FROM code_history`).Scan(&codes, &codesChanged); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d/%s/%d/%s", n, newest.String, codes, codesChanged.String), nil
}

// reanchorCodings moves each coding of an experience whose words moved
// (a redaction before them, or a rendering redone) and sends back to a
// coder each whose words changed, in the transaction that changed the
// text. A coding on the rendering of an answer that changed is sent back
// too: the rendering is out of date and may hold words the answer lost.
// A coding once sent back stays so until a coder codes it again.
func (s *Store) reanchorCodings(ctx context.Context, tx *sql.Tx, experienceID string, before, after map[string]string) error {
	codings, err := s.codingsOfAll(ctx, tx, experienceID)
	if err != nil {
		return err
	}
	sentBack := false
	for _, c := range codings {
		var p analysis.Passage
		old, ok := before[c.Field]
		switch {
		case ok && old != after[c.Field]:
			p, ok = analysis.Reanchor(old, after[c.Field], c.Passage)
		case renderedAnswerChanged(c.Field, before, after):
			p, ok = c.Passage, false
		default:
			continue // words that did not change
		}
		if ok && p == c.Passage {
			continue
		}
		if !ok {
			p = c.Passage
			sentBack = true
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE codings SET start_pos = ?, end_pos = ?, needs_review = ? WHERE id = ?"),
			p.Start, p.End, c.NeedsReview || !ok, c.ID); err != nil {
			if s.d.IsUniqueViolation(err) {
				// The same code already covers the moved words: one coding is enough.
				if _, err := tx.ExecContext(ctx, s.q("DELETE FROM codings WHERE id = ?"), c.ID); err != nil {
					return err
				}
				continue
			}
			return err
		}
	}
	if sentBack {
		// Back in the coding queue until a coder has looked again.
		_, err = tx.ExecContext(ctx, s.q("DELETE FROM coding_done WHERE experience_id = ?"), experienceID)
	}
	return err
}

// renderedAnswerChanged tells whether field is the rendering of an answer
// that changed between before and after.
func renderedAnswerChanged(field string, before, after map[string]string) bool {
	answer, ok := strings.CutPrefix(field, analysis.TranslationPrefix)
	if !ok {
		return false
	}
	old, ok := before[answer]
	return ok && old != after[answer]
}

// codingsOfAll lists every coding of an experience, samples included.
func (s *Store) codingsOfAll(ctx context.Context, q querier, experienceID string) ([]Coding, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT `+codingColumns+` FROM codings WHERE experience_id = ?`), experienceID)
	return collect(rows, err, scanCoding)
}
