package store

import (
	"context"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/sealed"
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
	crows, err := s.conns.Read.QueryContext(ctx, `SELECT experience_id, code_id, field, start_pos, end_pos, whole FROM codings WHERE sample_id = ''`)
	if err != nil {
		return nil, err
	}
	defer crows.Close()
	codings := make([][]analysis.Coding, len(facts))
	for crows.Next() {
		var id string
		var c analysis.Coding
		if err := crows.Scan(&id, &c.Code, &c.Passage.Field, &c.Passage.Start, &c.Passage.End, &c.Passage.Whole); err != nil {
			return nil, err
		}
		i, ok := index[id]
		if !ok {
			continue
		}
		codings[i] = append(codings[i], c)
		code := book.Resolve(c.Code)
		f := &facts[i]
		f.Codes = appendOnce(f.Codes, code)
		f.Themes = appendOnce(f.Themes, book.Theme(code))
	}
	if err := crows.Err(); err != nil {
		return nil, err
	}
	resolve := func(c string) (string, string) {
		c = book.Resolve(c)
		return c, book.Theme(c)
	}
	for i := range facts {
		if len(codings[i]) > 0 {
			facts[i].CodePassages, facts[i].ThemePassages = analysis.CountPassages(codings[i], resolve)
		}
	}
	return facts, nil
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
	Field                                       string // the answer quoted (translation.<answer> for a rendering)
	Translation                                 string // the English rendering, when the quote is the whole answer and it has one
}

// ConsentedQuotes lists the passages marked as quotes whose person agreed
// to be quoted, on approved experiences, newest first. It reads in two
// statements whatever the limit (the quotes with their answers, then the
// renderings of those experiences): the evidence page and the
// recommendation editor ask for 30 to 300 at a time.
func (s *Store) ConsentedQuotes(ctx context.Context, limit int) ([]Quote, error) {
	return s.consentedQuotes(ctx, s.conns.Read, "", limit)
}

// consentedQuotes reads ConsentedQuotes through q (the read pool, or a
// write transaction that must see what it will commit), narrowed by
// where ("" for all, or a condition on the coding g with its args first).
func (s *Store) consentedQuotes(ctx context.Context, q querier, where string, args ...any) ([]Quote, error) {
	type quoted struct {
		Coding
		lang, sealedKey string
		answers         map[string]string
	}
	if where != "" {
		where = " AND " + where
	}
	rows, err := q.QueryContext(ctx, s.q(`SELECT g.id, g.experience_id, g.code_id, g.field, g.start_pos, g.end_pos, g.whole,
		e.lang, e.what_happened, e.went_well, e.could_be_better, e.idea, COALESCE(k.sealed_key, '')
		FROM codings g
		JOIN consents c ON c.experience_id = g.experience_id
		JOIN experiences e ON e.id = g.experience_id
		LEFT JOIN experience_keys k ON k.experience_id = g.experience_id
		WHERE g.quote AND c.quote AND e.status = 'approved' AND g.sample_id = '' AND NOT g.needs_review`+where+`
		ORDER BY g.created_at DESC LIMIT ?`), args...)
	found, err := collect(rows, err, func(r rowScanner) (quoted, error) {
		var g quoted
		var what, well, better, idea string
		err := r.Scan(&g.ID, &g.ExperienceID, &g.CodeID, &g.Field, &g.Start, &g.End, &g.Whole,
			&g.lang, &what, &well, &better, &idea, &g.sealedKey)
		g.answers = map[string]string{"what_happened": what, "went_well": well, "could_be_better": better, "idea": idea}
		return g, err
	})
	if err != nil || len(found) == 0 {
		return nil, err
	}
	keys := map[string]sealed.DataKey{}
	var ids []any
	for _, g := range found {
		if _, ok := keys[g.ExperienceID]; ok || g.sealedKey == "" {
			continue // no key (erased): nothing of it can be shown
		}
		d, err := s.openDataKey(g.sealedKey)
		if err != nil {
			continue // a key that will not open: leave its quotes out, as the evidence page did
		}
		keys[g.ExperienceID] = d
		ids = append(ids, g.ExperienceID)
	}
	// Each experience's renderings, by answer.
	type rendering struct {
		text, sourceHash string
	}
	renderings := map[string]map[string]rendering{}
	if len(ids) > 0 {
		rows, err := q.QueryContext(ctx, s.q(`SELECT experience_id, field, text, source_hash FROM translations
			WHERE experience_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`), ids...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, field string
			var r rendering
			if err := rows.Scan(&id, &field, &r.text, &r.sourceHash); err != nil {
				rows.Close()
				return nil, err
			}
			if renderings[id] == nil {
				renderings[id] = map[string]rendering{}
			}
			renderings[id][field] = r
		}
		if err := closeRows(rows); err != nil {
			return nil, err
		}
	}
	var out []Quote
	answersOf := map[string]map[string]string{} // opened, by experience
	for _, g := range found {
		d, ok := keys[g.ExperienceID]
		if !ok {
			continue
		}
		answers, ok := answersOf[g.ExperienceID]
		if !ok {
			answers = g.answers
			if err := openAnswers(d, g.ExperienceID, answers); err != nil {
				delete(keys, g.ExperienceID) // text that will not open: left out
				continue
			}
			answersOf[g.ExperienceID] = answers
			for field, r := range renderings[g.ExperienceID] {
				if err := openAll(d, g.ExperienceID, &r.text); err != nil {
					delete(renderings[g.ExperienceID], field) // as if never rendered
					continue
				}
				renderings[g.ExperienceID][field] = r
			}
		}
		field, onRendering := strings.CutPrefix(g.Field, analysis.TranslationPrefix)
		r, rendered := renderings[g.ExperienceID][field]
		// A rendering made before the answer last changed (a redaction)
		// may hold words the answer no longer has.
		current := rendered && r.sourceHash == answerHash(answers[field])
		lang, text := g.lang, answers[field]
		if onRendering {
			if !current {
				continue
			}
			lang, text = "en", r.text
		}
		quote := Quote{CodingID: g.ID, ExperienceID: g.ExperienceID, CodeID: g.CodeID, Lang: lang, Words: g.Passage.Text(text), Field: g.Field}
		// The rendering goes beside the quote only when it renders
		// exactly the quoted words: the whole answer quoted. Else it
		// would show words beyond the quote (an analyst can quote the
		// matching passage of the rendering instead).
		if !onRendering && current && lang != "en" && strings.TrimSpace(quote.Words) == strings.TrimSpace(answers[field]) {
			quote.Translation = r.text
		}
		if quote.Words != "" {
			out = append(out, quote)
		}
	}
	return out, nil
}

// openAnswers opens an experience's sealed answers in place.
func openAnswers(d sealed.DataKey, id string, answers map[string]string) error {
	for field, text := range answers {
		if err := openAll(d, id, &text); err != nil {
			return err
		}
		answers[field] = text
	}
	return nil
}
