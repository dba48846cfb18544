package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/hearme-project/hearme/internal/champion"
	"github.com/hearme-project/hearme/internal/experience"
)

// OutreachEntry is one logged outreach session.
type OutreachEntry struct {
	ID string
	champion.Outreach
	CreatedAt time.Time
}

// LogOutreach records an outreach session of a champion (already
// validated by champion.ParseOutreach).
func (s *Store) LogOutreach(ctx context.Context, championID string, o champion.Outreach) (string, error) {
	id := NewID()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var st champion.Stage
		if err := tx.QueryRowContext(ctx, s.q("SELECT stage FROM champion_applications WHERE id = ? AND counts_only = FALSE"), championID).Scan(&st); err != nil {
			return notFound(err)
		}
		if err := champion.CheckActive(st); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO champion_outreach (id, champion_id, held_on, community, place, people_reached, topics, materials, follow_up, minutes, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), id, championID, o.Date, o.Community, o.Place, o.PeopleReached, o.Topics, o.Materials, o.FollowUp, o.Minutes, s.now())
		return err
	})
	return id, err
}

// OutreachOf lists a champion's sessions, latest first, at most limit.
func (s *Store) OutreachOf(ctx context.Context, championID string, limit int) ([]OutreachEntry, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT id, held_on, community, place, people_reached, topics, materials, follow_up, minutes, created_at
		FROM champion_outreach WHERE champion_id = ? ORDER BY held_on DESC, created_at DESC LIMIT ?`), championID, limit)
	return collect(rows, err, func(row rowScanner) (OutreachEntry, error) {
		var e OutreachEntry
		err := row.Scan(&e.ID, &e.Date, &e.Community, &e.Place, &e.PeopleReached, &e.Topics, &e.Materials, &e.FollowUp, &e.Minutes, &e.CreatedAt)
		return e, err
	})
}

// ChampionTotal is one champion's (or one community's) activity.
type ChampionTotal struct {
	Key           string // champion id, or community slug
	NameSealed    string // champions only; "" once reduced to counts
	Stage         champion.Stage
	Sessions      int
	PeopleReached int
	Minutes       int
	Experiences   int // experiences they recorded (any status but withdrawn)
}

// ChampionTotals sums outreach and experiences by champion, for staff.
// Champions with nothing yet are listed too (active and paused ones).
func (s *Store) ChampionTotals(ctx context.Context) ([]ChampionTotal, error) {
	// Each side is aggregated once and joined, rather than a subquery
	// per champion (experiences.recorded_by has no index).
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT a.id, a.name_sealed, a.stage,
			COALESCE(o.sessions, 0), COALESCE(o.people, 0), COALESCE(o.minutes, 0), COALESCE(x.n, 0)
		FROM champion_applications a
		LEFT JOIN (SELECT champion_id, COUNT(*) AS sessions, SUM(people_reached) AS people, SUM(minutes) AS minutes FROM champion_outreach GROUP BY champion_id) o ON o.champion_id = a.id
		LEFT JOIN (SELECT recorded_by, COUNT(*) AS n FROM experiences WHERE source = ? GROUP BY recorded_by) x ON x.recorded_by = a.user_id
		WHERE a.proceeded = TRUE
		ORDER BY COALESCE(o.people, 0) DESC, a.id`), string(experience.SourceChampion))
	return collect(rows, err, func(row rowScanner) (ChampionTotal, error) {
		var t ChampionTotal
		err := row.Scan(&t.Key, &t.NameSealed, &t.Stage, &t.Sessions, &t.PeopleReached, &t.Minutes, &t.Experiences)
		return t, err
	})
}

// CommunityTotals sums champions' outreach by community, with the
// experiences champions recorded from people of that community (the
// capture form gives everything a champion records the source
// "champion").
func (s *Store) CommunityTotals(ctx context.Context) ([]ChampionTotal, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT c, SUM(sessions), SUM(people), SUM(minutes), SUM(experiences) FROM (
			SELECT community AS c, COUNT(*) AS sessions, SUM(people_reached) AS people, SUM(minutes) AS minutes, 0 AS experiences
			FROM champion_outreach GROUP BY community
			UNION ALL
			SELECT COALESCE(q.community, ''), 0, 0, 0, COUNT(*)
			FROM experiences e LEFT JOIN equality_answers q ON q.experience_id = e.id
			WHERE e.source = ? GROUP BY COALESCE(q.community, '')
		) t GROUP BY c ORDER BY SUM(people) DESC, c`), string(experience.SourceChampion))
	return collect(rows, err, func(row rowScanner) (ChampionTotal, error) {
		var t ChampionTotal
		err := row.Scan(&t.Key, &t.Sessions, &t.PeopleReached, &t.Minutes, &t.Experiences)
		return t, err
	})
}

// ChampionPublicCounts are the raw figures behind the public champions
// page; the web layer passes each through disclosure control.
type ChampionPublicCounts struct {
	Active, Sessions, PeopleReached int
}

// PublicChampionCounts counts active champions and all outreach.
func (s *Store) PublicChampionCounts(ctx context.Context) (ChampionPublicCounts, error) {
	var c ChampionPublicCounts
	err := s.conns.Read.QueryRowContext(ctx, s.q(`SELECT (SELECT COUNT(*) FROM champion_applications WHERE stage = ?),
		(SELECT COUNT(*) FROM champion_outreach), (SELECT COALESCE(SUM(people_reached), 0) FROM champion_outreach)`), string(champion.Active)).
		Scan(&c.Active, &c.Sessions, &c.PeopleReached)
	return c, err
}

// DeleteOutreach removes one of a champion's own outreach entries (a
// mistake they want gone); another champion's entry is ErrNotFound.
func (s *Store) DeleteOutreach(ctx context.Context, championID, entryID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM champion_outreach WHERE id = ? AND champion_id = ?
			AND champion_id IN (SELECT id FROM champion_applications WHERE counts_only = FALSE)`), entryID, championID)
		if err != nil {
			return err
		}
		if err := requireRow(res, ErrNotFound); err != nil {
			return err
		}
		return nil
	})
}
