package store

import (
	"context"
	"sort"
	"time"
)

// An event's own report for staff, and the public summary of the events
// held (whose every figure the web layer passes through disclosure).

// EventReport is what an event reached. Counts are raw: for staff only.
type EventReport struct {
	// Registrations (and the places they hold) by status.
	Confirmed, Waiting, Cancelled                   int
	ConfirmedPlaces, WaitingPlaces, CancelledPlaces int
	// Attendance: registrations checked in, their places, and walk-ins.
	AttendedRegistrations, AttendedPlaces, WalkIns int
	// Captured at or for the event (rejected submissions left out).
	Experiences, Ideas int
	// Communities reached: experiences linked to the event by the
	// community their teller gave ("" when not given).
	Communities []CommunityCount
	// Support services shown, and opened, on the event's pages (the
	// support directory's anonymous signposting counts).
	SignpostsShown, SignpostsOpened int
}

// Attendance is everyone who came: checked-in places and walk-ins.
func (r EventReport) Attendance() int { return r.AttendedPlaces + r.WalkIns }

// CommunityCount is a number of people by community slug.
type CommunityCount struct {
	Community string
	Count     int
}

// EventReport counts what an event reached. An unknown event is
// ErrNotFound.
func (s *Store) EventReport(ctx context.Context, eventID string) (EventReport, error) {
	var r EventReport
	db := s.conns.Read
	if err := db.QueryRowContext(ctx, s.q("SELECT walk_ins FROM events WHERE id = ?"), eventID).Scan(&r.WalkIns); err != nil {
		return r, notFound(err)
	}
	rows, err := db.QueryContext(ctx, s.q(`SELECT status, COUNT(*), COALESCE(SUM(places), 0),
		COALESCE(SUM(CASE WHEN attended_at IS NOT NULL THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN attended_at IS NOT NULL THEN places ELSE 0 END), 0)
		FROM registrations WHERE event_id = ? GROUP BY status`), eventID)
	if err != nil {
		return r, err
	}
	for rows.Next() {
		var status string
		var n, places, attended, attendedPlaces int
		if err := rows.Scan(&status, &n, &places, &attended, &attendedPlaces); err != nil {
			rows.Close()
			return r, err
		}
		switch status {
		case "confirmed":
			r.Confirmed, r.ConfirmedPlaces = n, places
		case "waiting":
			r.Waiting, r.WaitingPlaces = n, places
		case "cancelled":
			r.Cancelled, r.CancelledPlaces = n, places
			continue // a cancelled registration did not come
		}
		r.AttendedRegistrations += attended
		r.AttendedPlaces += attendedPlaces
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r, err
	}
	if err := db.QueryRowContext(ctx, s.q(`SELECT COALESCE(SUM(CASE WHEN kind = 'experience' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN kind = 'idea' THEN 1 ELSE 0 END), 0)
		FROM experiences WHERE event_id = ? AND status <> 'rejected'`), eventID).Scan(&r.Experiences, &r.Ideas); err != nil {
		return r, err
	}
	rows, err = db.QueryContext(ctx, s.q(`SELECT COALESCE(q.community, ''), COUNT(*) FROM experiences e LEFT JOIN equality_answers q ON q.experience_id = e.id
		WHERE e.event_id = ? AND e.status <> 'rejected' GROUP BY COALESCE(q.community, '')`), eventID)
	if r.Communities, err = collect(rows, err, func(row rowScanner) (CommunityCount, error) {
		var c CommunityCount
		err := row.Scan(&c.Community, &c.Count)
		return c, err
	}); err != nil {
		return r, err
	}
	sortCommunityCounts(r.Communities)
	r.SignpostsShown, r.SignpostsOpened, err = s.SignpostsForEvent(ctx, eventID)
	return r, err
}

// sortCommunityCounts puts the largest first, "not given" last.
func sortCommunityCounts(cs []CommunityCount) {
	sort.SliceStable(cs, func(i, j int) bool {
		if (cs[i].Community == "") != (cs[j].Community == "") {
			return cs[j].Community == ""
		}
		if cs[i].Count != cs[j].Count {
			return cs[i].Count > cs[j].Count
		}
		return cs[i].Community < cs[j].Community
	})
}

// EventsSummary is what the events held so far reached, in raw counts.
type EventsSummary struct {
	Events, People, Experiences int
	ByCommunity                 []EventsSummaryRow // by the events' community focus ("" = open to everyone)
}

// EventsSummaryRow is the summary for events with one community focus.
type EventsSummaryRow struct {
	Community                   string
	Events, People, Experiences int
}

// EventsSummary counts the events held before a time (not cancelled):
// how many, the people who came (checked-in places and walk-ins) and the
// experiences and ideas captured at them (rejected ones left out).
func (s *Store) EventsSummary(ctx context.Context, before time.Time) (EventsSummary, error) {
	var out EventsSummary
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT e.community, COUNT(*),
		COALESCE(SUM(e.walk_ins + (SELECT COALESCE(SUM(r.places), 0) FROM registrations r WHERE r.event_id = e.id AND r.status <> 'cancelled' AND r.attended_at IS NOT NULL)), 0),
		COALESCE(SUM((SELECT COUNT(*) FROM experiences x WHERE x.event_id = e.id AND x.status <> 'rejected')), 0)
		FROM events e WHERE e.starts_at < ? AND e.status <> 'cancelled' GROUP BY e.community ORDER BY e.community`), before.UTC())
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var row EventsSummaryRow
		if err := rows.Scan(&row.Community, &row.Events, &row.People, &row.Experiences); err != nil {
			return out, err
		}
		out.Events += row.Events
		out.People += row.People
		out.Experiences += row.Experiences
		out.ByCommunity = append(out.ByCommunity, row)
	}
	return out, rows.Err()
}
