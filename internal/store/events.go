package store

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/mail"
)

// Events and their registrations. Every change to an event's places
// (a registration, a cancellation, a new capacity) runs in a write
// transaction that first takes the event's lock: SQLite's BEGIN
// IMMEDIATE already serialises writers, and on PostgreSQL a
// transaction-scoped advisory lock keyed by the event serialises the
// changes to one event (and only that event), so the count of confirmed
// places read inside the transaction is the true one and no event is
// ever over-booked.

// RegMailer composes the email about a registration (kind is
// "event_registered", "event_waitlisted", "event_promoted",
// "event_cancelled_by_you" or "event_changed"); it is called inside the
// transaction, and what it returns is written to the outbox with the
// change. It returns nothing for a person who gave no email or no
// consent. A nil RegMailer sends nothing.
type RegMailer func(kind string, r event.Registration) ([]mail.Queued, error)

const eventLockSpace = 0x4576656e74 // "Event"

// lockEvent serialises the changes to one event's places until commit.
func (s *Store) lockEvent(ctx context.Context, tx *sql.Tx, id string) error {
	h := fnv.New64a()
	h.Write([]byte(id))
	if lock := s.d.TxLock(int64(h.Sum64()>>1) ^ eventLockSpace); lock != "" {
		if _, err := tx.ExecContext(ctx, lock); err != nil {
			return fmt.Errorf("lock event: %w", err)
		}
	}
	return nil
}

// CreateEvent stores a new event (giving it an id if it has none).
func (s *Store) CreateEvent(ctx context.Context, e *event.Event) error {
	if e.ID == "" {
		e.ID = NewID()
	}
	now := s.now()
	e.CreatedAt, e.UpdatedAt = now, now
	if e.Status == "" {
		e.Status = event.StatusScheduled
	}
	if e.Visibility == event.Invitation && e.InviteKey == "" {
		e.InviteKey = event.NewInviteKey()
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO events (id, kind, status, status_message, visibility, invite_key, community, languages,
			interpreters, starts_at, ends_at, venue_name, venue_address, venue_postcode, access, access_notes, capacity, walk_ins, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			e.ID, string(e.Kind), string(e.Status), e.StatusMessage, string(e.Visibility), e.InviteKey, e.Community, strings.Join(e.Languages, ","),
			strings.Join(e.Interpreters, ","), e.Start.UTC(), e.End.UTC(), e.VenueName, e.VenueAddress, e.VenuePostcode, strings.Join(e.Access, ","),
			e.AccessNotes, e.Capacity, e.WalkIns, e.CreatedBy, now, now)
		if err != nil {
			return s.conflict(err)
		}
		if err := s.writeEventParts(ctx, tx, e); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, e.CreatedBy, "event.created", e.ID, "{}")
	})
}

func (s *Store) writeEventParts(ctx context.Context, tx *sql.Tx, e *event.Event) error {
	for _, q := range []string{"DELETE FROM event_texts WHERE event_id = ?", "DELETE FROM event_agenda WHERE event_id = ?"} {
		if _, err := tx.ExecContext(ctx, s.q(q), e.ID); err != nil {
			return err
		}
	}
	for _, lang := range slices.Sorted(func(yield func(string) bool) {
		for k := range e.Texts {
			if !yield(k) {
				return
			}
		}
	}) {
		t := e.Texts[lang]
		if t.Title == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO event_texts (event_id, lang, title, description) VALUES (?, ?, ?, ?)"), e.ID, lang, t.Title, t.Body); err != nil {
			return err
		}
	}
	for i, a := range e.Agenda {
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO event_agenda (event_id, position, at, activity, speaker) VALUES (?, ?, ?, ?, ?)"),
			e.ID, i+1, a.At, a.Activity, a.Speaker); err != nil {
			return err
		}
	}
	return nil
}

// UpdateEvent saves a connector's changes to an event (not its status:
// see SetEventStatus). A capacity below the places already confirmed is
// refused with event.ErrCapacityBelow; a larger capacity promotes people from
// the waiting list, in order, each told by email (mailer). A new time or
// venue is emailed to everyone registered ("event_changed").
func (s *Store) UpdateEvent(ctx context.Context, actor string, e *event.Event, mailer RegMailer) (promoted []event.Registration, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockEvent(ctx, tx, e.ID); err != nil {
			return err
		}
		var inviteKey, oldVenue, oldAddress string
		var oldStart, oldEnd time.Time
		if err := tx.QueryRowContext(ctx, s.q("SELECT invite_key, starts_at, ends_at, venue_name, venue_address FROM events WHERE id = ?"), e.ID).
			Scan(&inviteKey, &oldStart, &oldEnd, &oldVenue, &oldAddress); err != nil {
			return notFound(err)
		}
		confirmed, _, err := s.placeCounts(ctx, tx, e.ID)
		if err != nil {
			return err
		}
		if err := event.CheckCapacity(e.Capacity, confirmed); err != nil {
			return err
		}
		if e.InviteKey == "" {
			e.InviteKey = inviteKey
		}
		if e.Visibility == event.Invitation && e.InviteKey == "" {
			e.InviteKey = event.NewInviteKey()
		}
		e.UpdatedAt = s.now()
		var community string
		if err := tx.QueryRowContext(ctx, s.q("SELECT community FROM events WHERE id = ?"), e.ID).Scan(&community); err != nil {
			return notFound(err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE events SET kind = ?, visibility = ?, invite_key = ?, community = ?, languages = ?, interpreters = ?,
			starts_at = ?, ends_at = ?, venue_name = ?, venue_address = ?, venue_postcode = ?, access = ?, access_notes = ?, capacity = ?, updated_at = ?
			WHERE id = ?`),
			string(e.Kind), string(e.Visibility), e.InviteKey, e.Community, strings.Join(e.Languages, ","), strings.Join(e.Interpreters, ","),
			e.Start.UTC(), e.End.UTC(), e.VenueName, e.VenueAddress, e.VenuePostcode, strings.Join(e.Access, ","), e.AccessNotes, e.Capacity,
			e.UpdatedAt, e.ID); err != nil {
			return err
		}
		if err := s.writeEventParts(ctx, tx, e); err != nil {
			return err
		}
		if community != e.Community { // the community of the experiences heard there that gave none
			if err := s.recountEvent(ctx, tx, e.ID); err != nil {
				return err
			}
		}
		if promoted, err = s.promote(ctx, tx, e.ID, e.Capacity, mailer); err != nil {
			return err
		}
		// A new time or place is news for everyone registered.
		if mailer != nil && (!oldStart.Equal(e.Start) || !oldEnd.Equal(e.End) || oldVenue != e.VenueName || oldAddress != e.VenueAddress) {
			regs, err := s.queryRegistrations(ctx, tx, "r.event_id = ? AND r.status <> 'cancelled' ORDER BY r.position", e.ID)
			if err != nil {
				return err
			}
			for _, r := range regs {
				if err := s.mailReg(ctx, tx, mailer, "event_changed", r); err != nil {
					return err
				}
			}
		}
		return s.appendAudit(ctx, tx, actor, "event.updated", e.ID, "{}")
	})
	return promoted, err
}

// SetEventStatus cancels, postpones or reschedules an event, with the
// connector's message, which every person still registered (confirmed
// or waiting) is sent by email (kind "event_changed").
func (s *Store) SetEventStatus(ctx context.Context, actor, id string, status event.Status, message string, mailer RegMailer) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockEvent(ctx, tx, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q("UPDATE events SET status = ?, status_message = ?, updated_at = ? WHERE id = ?"), string(status), message, s.now(), id)
		if err != nil {
			return err
		}
		if err := requireRow(res, ErrNotFound); err != nil {
			return err
		}
		if mailer != nil && status != event.StatusScheduled {
			regs, err := s.queryRegistrations(ctx, tx, "r.event_id = ? AND r.status <> 'cancelled' ORDER BY r.position", id)
			if err != nil {
				return err
			}
			for _, r := range regs {
				if err := s.mailReg(ctx, tx, mailer, "event_changed", r); err != nil {
					return err
				}
			}
		}
		return s.appendAudit(ctx, tx, actor, "event.status_"+string(status), id, "{}")
	})
}

// placeCounts returns the places confirmed and waiting for an event:
// counters on the event row, kept in the same transaction as every
// change to its registrations (addPlaces).
func (s *Store) placeCounts(ctx context.Context, q querier, id string) (confirmed, waiting int, err error) {
	err = q.QueryRowContext(ctx, s.q(`SELECT confirmed_places, waiting_places FROM events WHERE id = ?`), id).Scan(&confirmed, &waiting)
	return confirmed, waiting, notFound(err)
}

// addPlaces changes an event's counters of confirmed and waiting places.
func (s *Store) addPlaces(ctx context.Context, tx *sql.Tx, id string, confirmed, waiting int) error {
	_, err := tx.ExecContext(ctx, s.q("UPDATE events SET confirmed_places = confirmed_places + ?, waiting_places = waiting_places + ? WHERE id = ?"),
		confirmed, waiting, id)
	return err
}

const eventColumns = `e.id, e.kind, e.status, e.status_message, e.visibility, e.invite_key, e.community, e.languages, e.interpreters,
	e.starts_at, e.ends_at, e.venue_name, e.venue_address, e.venue_postcode, e.access, e.access_notes, e.capacity, e.walk_ins,
	e.created_by, e.created_at, e.updated_at, e.confirmed_places, e.waiting_places`

func scanEvent(sc interface{ Scan(...any) error }) (event.Event, error) {
	var e event.Event
	var kind, status, vis, langs, interp, access string
	err := sc.Scan(&e.ID, &kind, &status, &e.StatusMessage, &vis, &e.InviteKey, &e.Community, &langs, &interp,
		&e.Start, &e.End, &e.VenueName, &e.VenueAddress, &e.VenuePostcode, &access, &e.AccessNotes, &e.Capacity, &e.WalkIns,
		&e.CreatedBy, &e.CreatedAt, &e.UpdatedAt, &e.Confirmed, &e.Waiting)
	e.Kind, e.Status, e.Visibility = event.Kind(kind), event.Status(status), event.Visibility(vis)
	e.Languages, e.Interpreters, e.Access = event.SplitList(langs), event.SplitList(interp), event.SplitList(access)
	e.Start, e.End, e.CreatedAt, e.UpdatedAt = e.Start.UTC(), e.End.UTC(), e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return e, err
}

// Event returns one event with its texts, agenda and counts of places.
func (s *Store) Event(ctx context.Context, id string) (*event.Event, error) {
	e, err := s.EventBrief(ctx, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT at, activity, speaker FROM event_agenda WHERE event_id = ? ORDER BY position"), id)
	if e.Agenda, err = collect(rows, err, func(row rowScanner) (event.AgendaItem, error) {
		var a event.AgendaItem
		err := row.Scan(&a.At, &a.Activity, &a.Speaker)
		return a, err
	}); err != nil {
		return nil, err
	}
	return e, nil
}

// EventBrief returns one event with its texts and counts of places, in
// one query, without its agenda (what a registration needs).
func (s *Store) EventBrief(ctx context.Context, id string) (*event.Event, error) {
	if !event.ValidID(id) {
		return nil, ErrNotFound
	}
	rows, err := s.conns.Read.QueryContext(ctx, s.q(eventBriefSQL), id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var e *event.Event
	for rows.Next() {
		var lang string
		var t event.Text
		got, err := scanEvent(extraScanner{rows, []any{&lang, &t.Title, &t.Body}})
		if err != nil {
			return nil, err
		}
		if e == nil {
			e = &got
			e.Texts = map[string]event.Text{}
		}
		if lang != "" {
			e.Texts[lang] = t
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if e == nil {
		return nil, ErrNotFound
	}
	return e, nil
}

var eventBriefSQL = "SELECT " + eventColumns + `, COALESCE(t.lang, ''), COALESCE(t.title, ''), COALESCE(t.description, '')
	FROM events e LEFT JOIN event_texts t ON t.event_id = e.id WHERE e.id = ?`

// extraScanner scans a row's event columns and then some more.
type extraScanner struct {
	rows  *sql.Rows
	extra []any
}

func (x extraScanner) Scan(dest ...any) error { return x.rows.Scan(append(dest, x.extra...)...) }

// loadTexts fills in the texts of the events.
func (s *Store) loadTexts(ctx context.Context, evs []event.Event) error {
	if len(evs) == 0 {
		return nil
	}
	idx := map[string]int{}
	args := make([]any, len(evs))
	for i := range evs {
		idx[evs[i].ID] = i
		args[i] = evs[i].ID
		evs[i].Texts = map[string]event.Text{}
	}
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT event_id, lang, title, description FROM event_texts WHERE event_id IN (?"+strings.Repeat(", ?", len(evs)-1)+")"), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, lang string
		var t event.Text
		if err := rows.Scan(&id, &lang, &t.Title, &t.Body); err != nil {
			return err
		}
		evs[idx[id]].Texts[lang] = t
	}
	return rows.Err()
}

// EventFilter chooses events for a list.
type EventFilter struct {
	From, To   time.Time // starting at or after From (and before To, if set)
	Community  string    // events for this community (and those for everyone)
	Lang       string    // events where this language is spoken or interpreted
	PublicOnly bool      // leave out invitation-only events
	Scheduled  bool      // leave out cancelled and postponed events
	Limit      int
}

// Events lists events in order of their start.
func (s *Store) Events(ctx context.Context, f EventFilter) ([]event.Event, error) {
	where := []string{"e.starts_at >= ?"}
	args := []any{f.From.UTC()}
	if !f.To.IsZero() {
		where, args = append(where, "e.starts_at < ?"), append(args, f.To.UTC())
	}
	if f.Community != "" {
		where, args = append(where, "(e.community = ? OR e.community = '')"), append(args, f.Community)
	}
	if f.Lang != "" {
		// The lists are comma-separated codes; wrapping both in commas
		// matches whole codes only.
		where = append(where, "(',' || e.languages || ',' LIKE ? OR ',' || e.interpreters || ',' LIKE ?)")
		pat := "%," + strings.NewReplacer("%", "", "_", "", ",", "").Replace(f.Lang) + ",%"
		args = append(args, pat, pat)
	}
	if f.PublicOnly {
		where = append(where, "e.visibility = 'public'")
	}
	if f.Scheduled {
		where = append(where, "e.status = 'scheduled'")
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	args = append(args, limit)
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT "+eventColumns+" FROM events e WHERE "+strings.Join(where, " AND ")+" ORDER BY e.starts_at, e.id LIMIT ?"), args...)
	out, err := collect(rows, err, scanEvent)
	if err != nil {
		return nil, err
	}
	return out, s.loadTexts(ctx, out)
}
