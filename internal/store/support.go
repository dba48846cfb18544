package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/support"
)

// The support directory: services, their tags (needs, stages, languages,
// communities) for filtered search, and the anonymous signposting counts.

const supportCols = `s.id, s.name, s.organisation, s.summary, s.summaries, s.needs, s.stages, s.area, s.languages, s.communities,
	s.phone, s.email, s.website, s.hours, s.eligibility, s.referral, s.checked_at, s.checked_by, s.created_at, s.updated_at`

func scanSupport(r rowScanner) (support.Service, error) {
	var sv support.Service
	var summaries, needs, stages, langs, comms string
	var checked sql.NullTime
	err := r.Scan(&sv.ID, &sv.Name, &sv.Organisation, &sv.Summary, &summaries, &needs, &stages, &sv.Area, &langs, &comms,
		&sv.Phone, &sv.Email, &sv.Website, &sv.Hours, &sv.Eligibility, &sv.Referral, &checked, &sv.CheckedBy, &sv.CreatedAt, &sv.UpdatedAt)
	if err != nil {
		return sv, err
	}
	if summaries != "" && summaries != "{}" {
		if err := json.Unmarshal([]byte(summaries), &sv.Summaries); err != nil {
			return sv, fmt.Errorf("support service %s summaries: %w", sv.ID, err)
		}
	}
	sv.Needs, sv.Stages, sv.Languages, sv.Communities = split(needs), split(stages), split(langs), split(comms)
	if checked.Valid {
		sv.CheckedAt = checked.Time.UTC()
	}
	sv.CreatedAt, sv.UpdatedAt = sv.CreatedAt.UTC(), sv.UpdatedAt.UTC()
	return sv, nil
}

func split(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, ";")
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

const upsertSupportSQL = `INSERT INTO support_services (id, name, organisation, summary, summaries, needs, stages, area, languages, communities,
		phone, email, website, hours, eligibility, referral, search_text, checked_at, checked_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, organisation = excluded.organisation, summary = excluded.summary,
		summaries = excluded.summaries, needs = excluded.needs, stages = excluded.stages, area = excluded.area, languages = excluded.languages,
		communities = excluded.communities, phone = excluded.phone, email = excluded.email, website = excluded.website, hours = excluded.hours,
		eligibility = excluded.eligibility, referral = excluded.referral, search_text = excluded.search_text, checked_at = excluded.checked_at,
		checked_by = excluded.checked_by, updated_at = excluded.updated_at`

// supportTagRows is how many tag rows one INSERT writes at most (three
// parameters each, well under both databases' limits).
const supportTagRows = 300

// supportWriter writes services inside one transaction with prepared
// statements, and their tags in multi-row inserts (an import of
// thousands of services is then a few thousand statements, not tens of
// thousands).
type supportWriter struct {
	s               *Store
	tx              *sql.Tx
	upsert, delTags *sql.Stmt
	tags            []any           // pending (service_id, kind, code) triples
	pending         map[string]bool // services with pending tags
}

func (s *Store) newSupportWriter(ctx context.Context, tx *sql.Tx) (*supportWriter, error) {
	w := &supportWriter{s: s, tx: tx, pending: map[string]bool{}}
	var err error
	if w.upsert, err = tx.PrepareContext(ctx, s.q(upsertSupportSQL)); err != nil {
		return nil, fmt.Errorf("prepare support upsert: %w", err)
	}
	if w.delTags, err = tx.PrepareContext(ctx, s.q(`DELETE FROM support_tags WHERE service_id = ?`)); err != nil {
		w.upsert.Close()
		return nil, fmt.Errorf("prepare support tags: %w", err)
	}
	return w, nil
}

func (w *supportWriter) close() {
	w.upsert.Close()
	w.delTags.Close()
}

// put inserts or replaces a service and queues its tags; fresh says the
// service is new, so it has no tags to remove. Call flush at the end.
func (w *supportWriter) put(ctx context.Context, sv support.Service, now time.Time, fresh bool) error {
	summaries := "{}"
	if len(sv.Summaries) > 0 {
		b, _ := json.Marshal(sv.Summaries)
		summaries = string(b)
	}
	_, err := w.upsert.ExecContext(ctx,
		sv.ID, sv.Name, sv.Organisation, sv.Summary, summaries, strings.Join(sv.Needs, ";"), strings.Join(sv.Stages, ";"), sv.Area,
		strings.Join(sv.Languages, ";"), strings.Join(sv.Communities, ";"), sv.Phone, sv.Email, sv.Website, sv.Hours, sv.Eligibility, sv.Referral,
		support.SearchText(sv), nullTime(sv.CheckedAt), sv.CheckedBy, now, now)
	if err != nil {
		return fmt.Errorf("put support service: %w", err)
	}
	if !fresh {
		if w.pending[sv.ID] {
			if err := w.flush(ctx); err != nil {
				return err
			}
		}
		if _, err := w.delTags.ExecContext(ctx, sv.ID); err != nil {
			return err
		}
	}
	for _, g := range []struct {
		kind  string
		codes []string
	}{{"need", sv.Needs}, {"stage", sv.Stages}, {"language", sv.Languages}, {"community", sv.Communities}} {
		for _, c := range g.codes {
			w.tags = append(w.tags, sv.ID, g.kind, c)
			w.pending[sv.ID] = true
			if len(w.tags) >= 3*supportTagRows {
				if err := w.flush(ctx); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// flush writes the queued tags.
func (w *supportWriter) flush(ctx context.Context) error {
	if len(w.tags) == 0 {
		return nil
	}
	n := len(w.tags) / 3
	q := `INSERT INTO support_tags (service_id, kind, code) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", n), ", ")
	if _, err := w.tx.ExecContext(ctx, w.s.q(q), w.tags...); err != nil {
		return fmt.Errorf("support tags: %w", err)
	}
	w.tags = w.tags[:0]
	clear(w.pending)
	return nil
}

// putSupport inserts or replaces one service and its tags inside tx.
func (s *Store) putSupport(ctx context.Context, tx *sql.Tx, sv support.Service, now time.Time, fresh bool) error {
	w, err := s.newSupportWriter(ctx, tx)
	if err != nil {
		return err
	}
	defer w.close()
	if err := w.put(ctx, sv, now, fresh); err != nil {
		return err
	}
	return w.flush(ctx)
}

// CreateSupportService adds a service (already validated) and returns its id.
func (s *Store) CreateSupportService(ctx context.Context, actorID string, sv support.Service) (string, error) {
	sv.ID = NewID()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.putSupport(ctx, tx, sv, s.now(), true); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, "support.created", sv.ID, "")
	})
	return sv.ID, err
}

// UpdateSupportService replaces a service's fields, keeping when it was
// created and last checked.
func (s *Store) UpdateSupportService(ctx context.Context, actorID string, sv support.Service) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var checked sql.NullTime
		if err := tx.QueryRowContext(ctx, s.q(`SELECT checked_at, checked_by FROM support_services WHERE id = ?`), sv.ID).Scan(&checked, &sv.CheckedBy); err != nil {
			return notFound(err)
		}
		sv.CheckedAt = time.Time{}
		if checked.Valid {
			sv.CheckedAt = checked.Time
		}
		if err := s.putSupport(ctx, tx, sv, s.now(), false); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, "support.updated", sv.ID, "")
	})
}

// MarkSupportChecked records that a member of staff checked a service's
// details today.
func (s *Store) MarkSupportChecked(ctx context.Context, actorID, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE support_services SET checked_at = ?, checked_by = ? WHERE id = ?`), s.now(), actorID, id)
		if err != nil {
			return err
		}
		if err := requireRow(res, ErrNotFound); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, "support.checked", id, "")
	})
}

// DeleteSupportService removes a service (its signposting counts stay).
func (s *Store) DeleteSupportService(ctx context.Context, actorID, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM support_tags WHERE service_id = ?`), id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM support_services WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if err := requireRow(res, ErrNotFound); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, "support.deleted", id, "")
	})
}

// SupportService returns one service.
func (s *Store) SupportService(ctx context.Context, id string) (support.Service, error) {
	sv, err := scanSupport(s.conns.Read.QueryRowContext(ctx, s.q(`SELECT `+supportCols+` FROM support_services s WHERE s.id = ?`), id))
	return sv, notFound(err)
}

// ImportSupportServices writes every service of an import in one
// transaction: all of them or, on any error, none. A service with an id
// replaces the one with that id (or is created with it); one without
// replaces the service of the same name and organisation, or is created. It returns how many were created and updated.
func (s *Store) ImportSupportServices(ctx context.Context, actorID string, svs []support.Service) (created, updated int, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		created, updated = 0, 0
		now := s.now()
		w, err := s.newSupportWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		exists, err := tx.PrepareContext(ctx, s.q(`SELECT 1 FROM support_services WHERE id = ?`))
		if err != nil {
			return err
		}
		defer exists.Close()
		byName, err := supportIDsByName(ctx, tx, s)
		if err != nil {
			return err
		}
		for _, sv := range svs {
			fresh := false
			if sv.ID == "" {
				key := support.MatchKey(sv.Name, sv.Organisation)
				if sv.ID = byName[key]; sv.ID == "" {
					sv.ID = NewID() // rows of this file are not matched with each other: a file may list two services of one name
					created++
					fresh = true
				} else {
					updated++
				}
			} else {
				var one int
				switch err := exists.QueryRowContext(ctx, sv.ID).Scan(&one); err {
				case nil:
					updated++
				case sql.ErrNoRows:
					created++
				default:
					return err
				}
			}
			if !sv.CheckedAt.IsZero() {
				sv.CheckedBy = actorID
			}
			if err := w.put(ctx, sv, now, fresh); err != nil {
				return err
			}
		}
		if err := w.flush(ctx); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, "support.imported", "", fmt.Sprintf(`{"created":%d,"updated":%d}`, created, updated))
	})
	return created, updated, err
}

// supportIDsByName maps each service's support.MatchKey to its id (the
// oldest, should two services share a name and organisation), for
// import rows that carry no id.
func supportIDsByName(ctx context.Context, tx *sql.Tx, s *Store) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT id, name, organisation FROM support_services ORDER BY created_at DESC, id DESC`))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, name, org string
		if err := rows.Scan(&id, &name, &org); err != nil {
			return nil, err
		}
		out[support.MatchKey(name, org)] = id // the oldest is written last
	}
	return out, rows.Err()
}

// supportWhere builds the filter of a directory search.
func supportWhere(f support.Filter) (string, []any) {
	var where []string
	var args []any
	tag := func(kind, code string) {
		where = append(where, `s.id IN (SELECT t.service_id FROM support_tags t WHERE t.kind = ? AND t.code = ?)`)
		args = append(args, kind, code)
	}
	if f.Need != "" {
		tag("need", f.Need)
	}
	if f.Language != "" {
		tag("language", f.Language)
	}
	if f.Community != "" {
		tag("community", f.Community)
	}
	if f.Stage != "" {
		// A service that names no stage is for every stage.
		where = append(where, `(s.stages = '' OR s.id IN (SELECT t.service_id FROM support_tags t WHERE t.kind = 'stage' AND t.code = ?))`)
		args = append(args, f.Stage)
	}
	if f.Area != "" {
		where = append(where, `s.area = ?`)
		args = append(args, f.Area)
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(t))
		where = append(where, `s.search_text LIKE ? ESCAPE '\'`)
		args = append(args, "%"+esc+"%")
	}
	if !f.UncheckedBefore.IsZero() {
		where = append(where, `(s.checked_at IS NULL OR s.checked_at < ?)`)
		args = append(args, f.UncheckedBefore.UTC())
	}
	if len(where) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// SearchSupport returns a page of the services matching f, by name, and
// how many match in all.
func (s *Store) SearchSupport(ctx context.Context, f support.Filter) ([]support.Service, int, error) {
	where, args := supportWhere(f)
	var total int
	if err := s.conns.Read.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM support_services s`+where), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count support services: %w", err)
	}
	if f.Limit <= 0 {
		f.Limit = 20
	}
	if total == 0 || f.Offset >= total {
		return nil, total, nil
	}
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT `+supportCols+` FROM support_services s`+where+` ORDER BY s.name, s.id LIMIT ? OFFSET ?`),
		append(args, f.Limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("search support services: %w", err)
	}
	out, err := collectSupport(rows)
	return out, total, err
}

func collectSupport(rows *sql.Rows) ([]support.Service, error) {
	return collect(rows, nil, scanSupport)
}

// AllSupportServices returns every service, by name (for the export).
func (s *Store) AllSupportServices(ctx context.Context) ([]support.Service, error) {
	rows, err := s.conns.Read.QueryContext(ctx, `SELECT `+supportCols+` FROM support_services s ORDER BY s.name, s.id`)
	if err != nil {
		return nil, err
	}
	return collectSupport(rows)
}

// SupportVersion identifies the state of the directory cheaply (how
// many services, the latest change and the latest check), so a copy
// kept in memory is read again only when it differs. A change on
// another instance whose clock is behind the latest change can hide
// behind it: whoever keeps a copy also reads it again now and then
// whatever the version says.
func (s *Store) SupportVersion(ctx context.Context) (string, error) {
	var n int
	var updated, checked string
	err := s.conns.Read.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(CAST(MAX(updated_at) AS TEXT), ''), COALESCE(CAST(MAX(checked_at) AS TEXT), '')
		FROM support_services`).Scan(&n, &updated, &checked)
	if err != nil {
		return "", fmt.Errorf("support version: %w", err)
	}
	return fmt.Sprintf("%d|%s|%s", n, updated, checked), nil
}

// SupportLanguages lists the language codes some service offers.
func (s *Store) SupportLanguages(ctx context.Context) ([]string, error) {
	rows, err := s.conns.Read.QueryContext(ctx, `SELECT DISTINCT code FROM support_tags WHERE kind = 'language' ORDER BY code`)
	return collect(rows, err, func(row rowScanner) (string, error) {
		var c string
		err := row.Scan(&c)
		return c, err
	})
}

// OfferQuery is what a support offer should match.
type OfferQuery struct {
	Lang  string
	Needs []string
	Stage string
	Limit int
}

// SupportOffer picks the services to offer someone, in one query: those
// giving support in their language first, then those meeting their needs
// or their pathway stage, with national services as the fallback. A
// service for other stages only comes after the rest.
func (s *Store) SupportOffer(ctx context.Context, q OfferQuery) ([]support.Service, error) {
	if q.Limit <= 0 {
		q.Limit = 5
	}
	needs := q.Needs
	if len(needs) == 0 {
		needs = []string{""}
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(needs)), ", ")
	args := []any{q.Lang}
	for _, n := range needs {
		args = append(args, n)
	}
	args = append(args, q.Stage, q.Stage, q.Limit)
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT `+supportCols+` FROM support_services s ORDER BY
		(CASE WHEN EXISTS (SELECT 1 FROM support_tags t WHERE t.service_id = s.id AND t.kind = 'language' AND t.code = ?) THEN 8 ELSE 0 END
		+ CASE WHEN EXISTS (SELECT 1 FROM support_tags t WHERE t.service_id = s.id AND t.kind = 'need' AND t.code IN (`+marks+`)) THEN 4 ELSE 0 END
		+ CASE WHEN s.stages = '' THEN 0
		       WHEN ? <> '' AND EXISTS (SELECT 1 FROM support_tags t WHERE t.service_id = s.id AND t.kind = 'stage' AND t.code = ?) THEN 2
		       ELSE -16 END
		+ CASE WHEN s.area = 'national' THEN 1 ELSE 0 END) DESC, s.name, s.id
		LIMIT ?`), args...)
	if err != nil {
		return nil, fmt.Errorf("support offer: %w", err)
	}
	return collectSupport(rows)
}

// Signpost is an increment of the counts of one service in one month at
// one place (and event).
type Signpost struct {
	ServiceID, Month, Place, EventID string
	Shown, Opened                    int
}

// AddSignposts adds increments to the counts, in one transaction.
func (s *Store) AddSignposts(ctx context.Context, ps []Signpost) error {
	if len(ps) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, p := range ps {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO support_signposts (service_id, month, place, event_id, shown, opened) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (service_id, month, place, event_id) DO UPDATE SET shown = support_signposts.shown + excluded.shown,
				opened = support_signposts.opened + excluded.opened`), p.ServiceID, p.Month, p.Place, p.EventID, p.Shown, p.Opened); err != nil {
				return fmt.Errorf("signpost count: %w", err)
			}
		}
		return nil
	})
}

// SignpostRow is one line of the signposting report.
type SignpostRow struct {
	ServiceID, Name, Month, Place string
	Shown, Opened                 int
}

// SignpostReport returns the counts per service, month and place from
// fromMonth (YYYY-MM) on, newest month first.
func (s *Store) SignpostReport(ctx context.Context, fromMonth string) ([]SignpostRow, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT c.service_id, COALESCE(s.name, ''), c.month, c.place, SUM(c.shown), SUM(c.opened)
		FROM support_signposts c LEFT JOIN support_services s ON s.id = c.service_id
		WHERE c.month >= ? GROUP BY c.service_id, s.name, c.month, c.place ORDER BY c.month DESC, COALESCE(s.name, ''), c.service_id, c.place`), fromMonth)
	return collect(rows, err, func(row rowScanner) (SignpostRow, error) {
		var r SignpostRow
		err := row.Scan(&r.ServiceID, &r.Name, &r.Month, &r.Place, &r.Shown, &r.Opened)
		return r, err
	})
}

// SignpostsForEvent is how often services were shown on an event's page
// and opened from it, over all months.
func (s *Store) SignpostsForEvent(ctx context.Context, eventID string) (shown, opened int, err error) {
	err = s.conns.Read.QueryRowContext(ctx, s.q(`SELECT COALESCE(SUM(shown), 0), COALESCE(SUM(opened), 0) FROM support_signposts WHERE event_id = ? AND place = 'event'`),
		eventID).Scan(&shown, &opened)
	return shown, opened, err
}
