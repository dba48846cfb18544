package store

import (
	"context"

	"github.com/hearme-project/hearme/internal/accountability"
)

// Report reads the whole public report in a fixed number of queries (ten)
// (not one per recommendation): the published recommendations with their
// texts, organisations, frozen theme totals and how many quotes still
// have their words; every response to them; every commitment on them;
// and, by commitment, the public claims of a change made with evidence;
// with a language other than English, the translations into it of the
// commitments and the answers' reasons (two queries more; a page reads
// only its reader's language).
func (s *Store) Report(ctx context.Context, lang ...string) (accountability.Report, error) {
	var rep accountability.Report
	db := s.conns.Read
	rows, err := db.QueryContext(ctx, "SELECT "+recommendationColumns+" FROM recommendations WHERE status = 'published' ORDER BY published_at DESC, reference DESC")
	recs, err := collect(rows, err, scanRecommendation)
	if err != nil {
		return rep, err
	}
	at := make(map[string]int, len(recs))
	rep.Recommendations = make([]accountability.PublishedRecommendation, len(recs))
	for i, r := range recs {
		rep.Recommendations[i].Recommendation = r
		at[r.ID] = i
	}
	each := func(query string, scan func(row rowScanner) error) error {
		rows, err := db.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		return closeRows(rows)
	}
	published := " JOIN recommendations r ON r.id = x.recommendation_id AND r.status = 'published'"
	err = each("SELECT x.recommendation_id, x.lang, x.title, x.body FROM recommendation_texts x"+published+" ORDER BY x.lang", func(row rowScanner) error {
		var id string
		var t accountability.Translation
		if err := row.Scan(&id, &t.Lang, &t.Title, &t.Text); err != nil {
			return err
		}
		rep.Recommendations[at[id]].Translations = append(rep.Recommendations[at[id]].Translations, t)
		return nil
	})
	if err == nil {
		err = each("SELECT x.recommendation_id, x.organisation FROM recommendation_organisations x"+published+" ORDER BY x.organisation", func(row rowScanner) error {
			var id, org string
			if err := row.Scan(&id, &org); err != nil {
				return err
			}
			rep.Recommendations[at[id]].Organisations = append(rep.Recommendations[at[id]].Organisations, org)
			return nil
		})
	}
	if err == nil {
		err = each("SELECT x.recommendation_id, x.theme_id, x.theme_name, x.value FROM recommendation_figures x"+published+" WHERE x.community = '' ORDER BY x.position", func(row rowScanner) error {
			var id string
			var f accountability.Figure
			if err := row.Scan(&id, &f.ThemeID, &f.ThemeName, &f.Value); err != nil {
				return err
			}
			rep.Recommendations[at[id]].Totals = append(rep.Recommendations[at[id]].Totals, f)
			return nil
		})
	}
	if err == nil {
		err = each(`SELECT x.recommendation_id, COUNT(*) FROM recommendation_quotes x JOIN recommendation_quote_words w ON w.quote_id = x.id`+published+` GROUP BY x.recommendation_id`, func(row rowScanner) error {
			var id string
			var n int
			if err := row.Scan(&id, &n); err != nil {
				return err
			}
			rep.Recommendations[at[id]].Quotes = n
			return nil
		})
	}
	if err != nil {
		return rep, err
	}
	rows, err = db.QueryContext(ctx, "SELECT "+responseColumns+" FROM recommendation_responses p JOIN recommendations r ON r.id = p.recommendation_id AND r.status = 'published' ORDER BY p.responded_at")
	if rep.Responses, err = collect(rows, err, scanResponse); err != nil {
		return rep, err
	}
	rows, err = db.QueryContext(ctx, "SELECT "+commitmentColumns+" FROM commitments c JOIN recommendations r ON r.id = c.recommendation_id AND r.status = 'published' ORDER BY c.id")
	if rep.Commitments, err = collect(rows, err, scanCommitment); err != nil {
		return rep, err
	}
	rep.ChangesMade = map[string]int{}
	err = each(`SELECT commitment_id, COUNT(*) FROM commitment_updates WHERE review = 'approved' AND claim = 'made' AND evidence_url <> '' GROUP BY commitment_id`, func(row rowScanner) error {
		var id string
		var n int
		if err := row.Scan(&id, &n); err != nil {
			return err
		}
		rep.ChangesMade[id] = n
		return nil
	})
	if err != nil || len(lang) == 0 || lang[0] == "" || lang[0] == "en" {
		return rep, err
	}
	// The translations of the organisations' words into lang.
	if err := s.withCommitmentTranslations(ctx, rep.Commitments, "JOIN recommendations r ON r.id = c.recommendation_id AND r.status = 'published' WHERE x.lang = ?", lang[0]); err != nil {
		return rep, err
	}
	if len(rep.Responses) > 0 {
		m, err := s.translationsWhere(ctx, accountability.SubjectResponse, "JOIN recommendation_responses p ON p.id = x.response_id JOIN recommendations r ON r.id = p.recommendation_id AND r.status = 'published' WHERE x.lang = ?", lang[0])
		if err != nil {
			return rep, err
		}
		for i := range rep.Responses {
			rep.Responses[i].Translations = m[rep.Responses[i].ID]
		}
	}
	return rep, nil
}
