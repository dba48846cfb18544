package store

import (
	"context"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/analysis"
)

// EqualityQuestions are the equality answers a breakdown may count by
// (never a filter on anyone's story: breakdowns only show counts).
var EqualityQuestions = []string{"ethnic_group", "age_band", "sex", "disability", "religion", "main_language"}

// AnalysisFacts reads what breakdowns count about every approved
// experience: its community (the person's own answer, else the
// community of the event it was heard at), stages, coded themes and codes
// (merges followed, sub-codes rolled up to their theme), source, language,
// month and equality answers. From the read pool.
func (s *Store) AnalysisFacts(ctx context.Context, book *analysis.Codebook) ([]analysis.Fact, error) {
	rows, err := s.conns.Read.QueryContext(ctx, `SELECT e.id, e.source, e.lang, e.created_at,
		COALESCE(q.community, ''), COALESCE(ev.community, ''), COALESCE(ev.id, ''),
		COALESCE(q.ethnic_group, ''), COALESCE(q.age_band, ''), COALESCE(q.sex, ''), COALESCE(q.disability, ''),
		COALESCE(q.religion, ''), COALESCE(q.main_language, '')
		FROM experiences e
		LEFT JOIN equality_answers q ON q.experience_id = e.id
		LEFT JOIN events ev ON ev.id = e.event_id
		WHERE e.status = 'approved' ORDER BY e.id`)
	if err != nil {
		return nil, err
	}
	var facts []analysis.Fact
	index := map[string]int{}
	for rows.Next() {
		var f analysis.Fact
		var at time.Time
		var own, event string
		eq := make([]string, len(EqualityQuestions))
		if err := rows.Scan(&f.ExperienceID, &f.Source, &f.Lang, &at, &own, &event, &f.Event, &eq[0], &eq[1], &eq[2], &eq[3], &eq[4], &eq[5]); err != nil {
			rows.Close()
			return nil, err
		}
		f.Community = own
		if own == "" || own == "prefer-not-to-say" {
			if event != "" {
				f.Community, f.FromEvent = event, true
			}
		}
		f.Month = at.UTC().Format("2006-01")
		f.Equality = map[string]string{}
		for i, q := range EqualityQuestions {
			if eq[i] != "" {
				f.Equality[q] = eq[i]
			}
		}
		index[f.ExperienceID] = len(facts)
		facts = append(facts, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	srows, err := s.conns.Read.QueryContext(ctx, `SELECT s.experience_id, s.stage FROM experience_stages s
		JOIN experiences e ON e.id = s.experience_id WHERE e.status = 'approved'`)
	if err != nil {
		return nil, err
	}
	for srows.Next() {
		var id, st string
		if err := srows.Scan(&id, &st); err != nil {
			srows.Close()
			return nil, err
		}
		if i, ok := index[id]; ok {
			facts[i].Stages = append(facts[i].Stages, st)
		}
	}
	srows.Close()
	if err := srows.Err(); err != nil {
		return nil, err
	}
	crows, err := s.conns.Read.QueryContext(ctx, `SELECT DISTINCT experience_id, code_id FROM codings WHERE sample_id = ''`)
	if err != nil {
		return nil, err
	}
	defer crows.Close()
	for crows.Next() {
		var id, code string
		if err := crows.Scan(&id, &code); err != nil {
			return nil, err
		}
		i, ok := index[id]
		if !ok {
			continue
		}
		code = book.Resolve(code)
		f := &facts[i]
		f.Codes = appendOnce(f.Codes, code)
		f.Themes = appendOnce(f.Themes, book.Theme(code))
	}
	return facts, crows.Err()
}

func appendOnce(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// Quote is a consented, coded passage of an approved (moderated,
// redacted) experience, for evidence pages.
type Quote struct {
	CodingID, ExperienceID, CodeID, Lang, Words string
	Translation                                 string // the English rendering, when the quote is the whole answer and it has one
}

// ConsentedQuotes lists the passages marked as quotes whose person agreed
// to be quoted, on approved experiences, newest first.
func (s *Store) ConsentedQuotes(ctx context.Context, limit int) ([]Quote, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT g.id, g.experience_id, g.code_id FROM codings g
		JOIN consents c ON c.experience_id = g.experience_id
		JOIN experiences e ON e.id = g.experience_id
		WHERE g.quote AND c.quote AND e.status = 'approved' AND g.sample_id = '' AND NOT g.needs_review
		ORDER BY g.created_at DESC LIMIT ?`), limit)
	if err != nil {
		return nil, err
	}
	type ref struct{ id, exp, code string }
	var refs []ref
	for rows.Next() {
		var r ref
		if err := rows.Scan(&r.id, &r.exp, &r.code); err != nil {
			rows.Close()
			return nil, err
		}
		refs = append(refs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []Quote
	for _, r := range refs {
		v, err := s.experienceForCoding(ctx, r.exp, "", "", false)
		if err != nil {
			continue // withdrawn meanwhile
		}
		for _, c := range v.Codings {
			if c.ID != r.id {
				continue
			}
			field := c.Field
			if len(field) > len(analysis.TranslationPrefix) && field[:len(analysis.TranslationPrefix)] == analysis.TranslationPrefix {
				field = field[len(analysis.TranslationPrefix):]
			}
			lang := v.Experience.Submission.Lang
			if c.Field != field {
				lang = "en"
				// A rendering made before the answer last changed (a
				// redaction) may hold words the answer no longer has.
				if t, ok := v.Translations[field]; !ok || t.OutOfDate {
					continue
				}
			}
			q := Quote{CodingID: c.ID, ExperienceID: r.exp, CodeID: r.code, Lang: lang, Words: c.Passage.Text(v.Answers[c.Field])}
			// The rendering goes beside the quote only when it renders
			// exactly the quoted words: the whole answer quoted. Else it
			// would show words beyond the quote (an analyst can quote the
			// matching passage of the rendering instead).
			if t, ok := v.Translations[field]; ok && lang != "en" && !t.OutOfDate && strings.TrimSpace(q.Words) == strings.TrimSpace(v.Answers[field]) {
				q.Translation = t.Text
			}
			if q.Words != "" {
				out = append(out, q)
			}
		}
	}
	return out, nil
}
