package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hearme-project/hearme/internal/accountability"
)

// Translations of organisations' words (issue 13, item 4; migration
// 0029): a connector or an administrator translates a commitment, a
// public update or an answer's reasons into a programme language. Each
// translation records the English it was made from, so one made before
// the organisation changed its words is stale (accountability/translation.go).

// AuditTranslated is the audit action of a saved translation; its subject
// is the commitment (for a commitment or one of its updates) or the
// recommendation (for an answer's reasons).
const AuditTranslated = "commitment.translated"

// translationTable names each kind's table and its key column.
var translationTable = map[accountability.Subject][2]string{
	accountability.SubjectCommitment: {"commitment_translations", "commitment_id"},
	accountability.SubjectUpdate:     {"update_translations", "update_id"},
	accountability.SubjectResponse:   {"response_translations", "response_id"},
}

// TranslationTarget is a subject to translate: its English words, where
// it stands (its commitment's reference, its recommendation's), and its
// translations.
type TranslationTarget struct {
	Kind           accountability.Subject
	ID             string
	English        accountability.Words
	Commitment     string // the commitment's reference (a commitment or an update)
	Recommendation string // the recommendation's reference
	Organisation   string
	AuditSubject   string // the commitment's or the recommendation's id
	On             string // an update's date (YYYY-MM-DD)
	Translations   []accountability.TextTranslation
}

// targetQuery reads a public subject's English words, its references and
// its audit subject. A commitment or an answer is public when its
// recommendation is published; an update when it also needs no review or
// was approved.
func targetQuery(kind accountability.Subject) string {
	switch kind {
	case accountability.SubjectCommitment:
		return `SELECT c.body, '', '', c.reference, r.reference, c.organisation, c.id, '' FROM commitments c
			JOIN recommendations r ON r.id = c.recommendation_id AND r.status = 'published' WHERE c.id = ?`
	case accountability.SubjectUpdate:
		return `SELECT u.body, u.reason, u.what_changed, c.reference, r.reference, c.organisation, c.id, u.on_date FROM commitment_updates u
			JOIN commitments c ON c.id = u.commitment_id JOIN recommendations r ON r.id = c.recommendation_id AND r.status = 'published'
			WHERE u.id = ? AND u.review IN ('none', 'approved')`
	default:
		return `SELECT p.reasons, '', '', '', r.reference, p.organisation, r.id, '' FROM recommendation_responses p
			JOIN recommendations r ON r.id = p.recommendation_id AND r.status = 'published' WHERE p.id = ? AND p.reasons <> ''`
	}
}

func scanTarget(row rowScanner, t *TranslationTarget) error {
	return row.Scan(&t.English.Text, &t.English.Reason, &t.English.WhatChanged, &t.Commitment, &t.Recommendation, &t.Organisation, &t.AuditSubject, &t.On)
}

// TranslationTarget reads a public subject with its translations
// (ErrNotFound for one that is not public or not there).
func (s *Store) TranslationTarget(ctx context.Context, kind accountability.Subject, id string) (TranslationTarget, error) {
	t := TranslationTarget{Kind: kind, ID: id}
	if !kind.Valid() {
		return t, ErrNotFound
	}
	if err := scanTarget(s.conns.Read.QueryRowContext(ctx, s.q(targetQuery(kind)), id), &t); err != nil {
		return t, notFound(err)
	}
	tab := translationTable[kind]
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT `+tab[1]+`, lang, body, reason, what_changed, source, translated_by, translated_at FROM `+tab[0]+
		` WHERE `+tab[1]+` = ? ORDER BY lang`), id)
	all, err := collect(rows, err, scanTranslation)
	for _, x := range all {
		t.Translations = append(t.Translations, x.t)
	}
	return t, err
}

type keyedTranslation struct {
	id string
	t  accountability.TextTranslation
}

func scanTranslation(row rowScanner) (keyedTranslation, error) {
	var k keyedTranslation
	err := row.Scan(&k.id, &k.t.Lang, &k.t.Text, &k.t.Reason, &k.t.WhatChanged, &k.t.Source, &k.t.By, &k.t.At)
	return k, err
}

// SaveWordsTranslation saves (or replaces) the translation of a public subject
// into t.Lang, made from the English t.Source: if the organisation has
// changed its words since the translator opened them, it is refused with
// ErrConflict and nothing is saved. The audit entry is written in the same
// transaction.
func (s *Store) SaveWordsTranslation(ctx context.Context, actorID string, kind accountability.Subject, id string, t accountability.TextTranslation) error {
	if !kind.Valid() {
		return ErrNotFound
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		cur := TranslationTarget{Kind: kind, ID: id}
		if err := scanTarget(tx.QueryRowContext(ctx, s.q(targetQuery(kind)), id), &cur); err != nil {
			return notFound(err)
		}
		if cur.English.Source() != t.Source {
			return ErrConflict
		}
		tab := translationTable[kind]
		now := s.now()
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM `+tab[0]+` WHERE `+tab[1]+` = ? AND lang = ?`), id, t.Lang); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO `+tab[0]+` (`+tab[1]+`, lang, body, reason, what_changed, source, translated_by, translated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), id, t.Lang, t.Text, t.Reason, t.WhatChanged, t.Source, actorID, now); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditTranslated, cur.AuditSubject, fmt.Sprintf(`{"kind":%q,"id":%q,"lang":%q}`, kind, id, t.Lang))
	})
}

// translationsWhere reads a kind's translations whose subject the join
// and condition select, by subject id.
func (s *Store) translationsWhere(ctx context.Context, kind accountability.Subject, join string, args ...any) (map[string][]accountability.TextTranslation, error) {
	tab := translationTable[kind]
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT x.`+tab[1]+`, x.lang, x.body, x.reason, x.what_changed, x.source, x.translated_by, x.translated_at FROM `+tab[0]+` x `+join+` ORDER BY x.lang`), args...)
	all, err := collect(rows, err, scanTranslation)
	if err != nil {
		return nil, err
	}
	out := map[string][]accountability.TextTranslation{}
	for _, k := range all {
		out[k.id] = append(out[k.id], k.t)
	}
	return out, nil
}

// withCommitmentTranslations attaches their translations to cs, read
// with the join and condition given (on commitments c).
func (s *Store) withCommitmentTranslations(ctx context.Context, cs []accountability.Commitment, join string, args ...any) error {
	if len(cs) == 0 {
		return nil
	}
	m, err := s.translationsWhere(ctx, accountability.SubjectCommitment, "JOIN commitments c ON c.id = x.commitment_id "+join, args...)
	for i := range cs {
		cs[i].Translations = m[cs[i].ID]
	}
	return err
}

// withUpdateTranslations attaches their translations to us.
func (s *Store) withUpdateTranslations(ctx context.Context, us []accountability.Update, join string, args ...any) error {
	if len(us) == 0 {
		return nil
	}
	m, err := s.translationsWhere(ctx, accountability.SubjectUpdate, "JOIN commitment_updates u ON u.id = x.update_id "+join, args...)
	for i := range us {
		us[i].Translations = m[us[i].ID]
	}
	return err
}

// TranslationItem is one public subject in a language's list of work:
// its English words and its translation into that language, if any.
type TranslationItem struct {
	Kind         accountability.Subject
	ID           string
	Reference    string // the commitment's (or, for an answer, the recommendation's) reference
	Organisation string
	English      accountability.Words
	On           string // an update's date
	Translation  *accountability.TextTranslation
}

// Stale reports whether the item's translation is out of date.
func (i TranslationItem) Stale() bool { return i.Translation != nil && i.Translation.Stale(i.English) }

// TranslationWork lists every public subject with its translation into
// lang (if any): commitments by reference, then public updates newest
// first, then answers with reasons.
func (s *Store) TranslationWork(ctx context.Context, lang string) ([]TranslationItem, error) {
	queries := []struct {
		kind accountability.Subject
		q    string
	}{
		{accountability.SubjectCommitment, `SELECT c.id, c.reference, c.organisation, c.body, '', '', '' FROM commitments c
			JOIN recommendations r ON r.id = c.recommendation_id AND r.status = 'published' ORDER BY c.reference`},
		{accountability.SubjectUpdate, `SELECT u.id, c.reference, c.organisation, u.body, u.reason, u.what_changed, u.on_date FROM commitment_updates u
			JOIN commitments c ON c.id = u.commitment_id JOIN recommendations r ON r.id = c.recommendation_id AND r.status = 'published'
			WHERE u.review IN ('none', 'approved') ORDER BY u.on_date DESC, u.created_at DESC`},
		{accountability.SubjectResponse, `SELECT p.id, r.reference, p.organisation, p.reasons, '', '', '' FROM recommendation_responses p
			JOIN recommendations r ON r.id = p.recommendation_id AND r.status = 'published' WHERE p.reasons <> '' ORDER BY r.reference, p.organisation`},
	}
	var out []TranslationItem
	for _, q := range queries {
		rows, err := s.conns.Read.QueryContext(ctx, s.q(q.q))
		items, err := collect(rows, err, func(row rowScanner) (TranslationItem, error) {
			it := TranslationItem{Kind: q.kind}
			err := row.Scan(&it.ID, &it.Reference, &it.Organisation, &it.English.Text, &it.English.Reason, &it.English.WhatChanged, &it.On)
			return it, err
		})
		if err != nil {
			return nil, err
		}
		m, err := s.translationsWhere(ctx, q.kind, "WHERE x.lang = ?", lang)
		if err != nil {
			return nil, err
		}
		for i := range items {
			if ts := m[items[i].ID]; len(ts) > 0 {
				items[i].Translation = &ts[0]
			}
		}
		out = append(out, items...)
	}
	return out, nil
}
