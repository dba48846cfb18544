package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/invitation"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/retention"
)

// Invitations: a community group's request for the connectors, its
// triage (status, owner, notes) and the emails to the requester, each
// written to the outbox in the same transaction as the change.

// Audit actions of this part.
const (
	auditInvitationViewed = "invitation.viewed"
	auditInvitationMoved  = "invitation.status_changed"
)

// RuleInvitationContacts names the retention rule that removes a closed
// request's contact details and the requester's own free text.
const RuleInvitationContacts = retention.RuleInvitationContacts

func init() {
	registerRetentionRule(RuleInvitationContacts, retentionRule{
		table: "invitations", key: "id",
		due:    "SELECT id FROM invitations WHERE status IN ('done', 'declined') AND closed_at < ? AND contact_removed = FALSE ORDER BY closed_at, id",
		action: "retention.invitation_contacts_removed",
		remove: "UPDATE invitations SET contact_name_sealed = '', contact_email_sealed = '', contact_phone_sealed = '', contact_email_key = '', contact_phone_key = '', notes = '', contact_removed = TRUE WHERE id",
	})
}

const invitationColumns = `i.id, i.kind, i.status, i.group_name, i.community, i.community_other, i.expected, i.languages, i.other_languages,
	i.preferred_dates, i.venue, i.notes, i.lang, i.contact_name_sealed, i.contact_email_sealed, i.contact_phone_sealed, i.contact_removed,
	COALESCE(i.owner_id, ''), COALESCE(u.display_name, ''), i.event_id, i.decline_reason, i.created_at, i.updated_at, i.closed_at`

const invitationFrom = ` FROM invitations i LEFT JOIN users u ON u.id = i.owner_id`

func scanInvitation(row interface{ Scan(...any) error }) (invitation.Invitation, error) {
	var v invitation.Invitation
	var langs string
	var closed sql.NullTime
	err := row.Scan(&v.ID, &v.Kind, &v.Status, &v.Group, &v.Community, &v.CommunityOther, &v.Expected, &langs, &v.OtherLanguages,
		&v.PreferredDates, &v.Venue, &v.Notes, &v.Lang, &v.Contact.Name, &v.Contact.Email, &v.Contact.Phone, &v.ContactGone,
		&v.OwnerID, &v.OwnerName, &v.EventID, &v.DeclineReason, &v.CreatedAt, &v.UpdatedAt, &closed)
	if langs != "" {
		v.Languages = strings.Split(langs, ",")
	}
	if closed.Valid {
		t := closed.Time
		v.ClosedAt = &t
	}
	return v, err
}

// CreateInvitation stores a request (its contact details already
// sealed) as new, with the acknowledgement to the requester.
func (s *Store) CreateInvitation(ctx context.Context, r invitation.Request, ms ...mail.Queued) (invitation.Invitation, error) {
	now := s.now()
	v := invitation.Invitation{ID: NewID(), Request: r, Status: invitation.StatusNew, CreatedAt: now, UpdatedAt: now}
	ek, pk := s.sealedKeys(r.Contact.Email, r.Contact.Phone)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO invitations (id, kind, status, group_name, community, community_other, expected, languages,
			other_languages, preferred_dates, venue, notes, lang, contact_name_sealed, contact_email_sealed, contact_phone_sealed, contact_email_key, contact_phone_key, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			v.ID, string(r.Kind), string(v.Status), r.Group, r.Community, r.CommunityOther, r.Expected, strings.Join(r.Languages, ","),
			r.OtherLanguages, r.PreferredDates, r.Venue, r.Notes, r.Lang, r.Contact.Name, r.Contact.Email, r.Contact.Phone, ek, pk, now, now); err != nil {
			return err
		}
		return s.enqueueMail(ctx, tx, ms...)
	})
	return v, err
}

// Invitations lists requests for the triage board, newest first within
// each status; status "" lists every one. Contact details stay sealed.
func (s *Store) Invitations(ctx context.Context, status invitation.Status) ([]invitation.Invitation, error) {
	q := "SELECT " + invitationColumns + invitationFrom
	var args []any
	if status != "" {
		q += " WHERE i.status = ?"
		args = append(args, string(status))
	}
	rows, err := s.conns.Read.QueryContext(ctx, s.q(q+" ORDER BY i.created_at DESC, i.id"), args...)
	return collect(rows, err, scanInvitation)
}

// Invitation returns one request with its history; the contact details
// are sealed.
func (s *Store) Invitation(ctx context.Context, id string) (invitation.Invitation, error) {
	v, err := scanInvitation(s.conns.Read.QueryRowContext(ctx, s.q("SELECT "+invitationColumns+invitationFrom+" WHERE i.id = ?"), id))
	if err != nil {
		return v, notFound(err)
	}
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT h.id, h.kind, h.author_id, COALESCE(u.display_name, ''), h.text, h.reason, h.created_at
		FROM invitation_history h LEFT JOIN users u ON u.id = h.author_id WHERE h.invitation_id = ? ORDER BY h.created_at, h.id`), id)
	v.History, err = collect(rows, err, func(row rowScanner) (invitation.Entry, error) {
		var e invitation.Entry
		err := row.Scan(&e.ID, &e.Kind, &e.AuthorID, &e.AuthorName, &e.Text, &e.Reason, &e.At)
		return e, err
	})
	return v, err
}

// InvitationForStaff returns a request for a member of staff to read,
// contact details included (the caller opens them), and audits the look.
func (s *Store) InvitationForStaff(ctx context.Context, actorID, id string) (invitation.Invitation, error) {
	v, err := s.Invitation(ctx, id)
	if err != nil {
		return v, err
	}
	if v.ContactGone {
		return v, nil
	}
	err = s.tx(ctx, func(tx *sql.Tx) error { return s.appendAudit(ctx, tx, actorID, auditInvitationViewed, id, "") })
	return v, err
}

func (s *Store) addInvitationEntry(ctx context.Context, tx *sql.Tx, id string, kind invitation.EntryKind, actorID, text, reason string) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO invitation_history (id, invitation_id, kind, author_id, text, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		NewID(), id, string(kind), actorID, text, reason, s.now())
	return err
}

// lockInvitation reads a request's status inside a write transaction
// (SQLite's write lock; a row lock on PostgreSQL).
func (s *Store) lockInvitation(ctx context.Context, tx *sql.Tx, id string) (invitation.Status, error) {
	q := s.d.ForUpdate("SELECT status FROM invitations WHERE id = ?")
	var st invitation.Status
	err := tx.QueryRowContext(ctx, s.q(q), id).Scan(&st)
	return st, notFound(err)
}

// MoveInvitation changes a request's status along the triage path
// (contacted, done, declined with a reason; scheduling is
// ScheduleInvitation), records it in the history and the audit trail,
// and queues the email to the requester in the same transaction.
// A move the path does not allow returns invitation.ErrIllegalMove.
func (s *Store) MoveInvitation(ctx context.Context, actorID, id string, to invitation.Status, reason string, ms ...mail.Queued) error {
	if to == invitation.StatusScheduled {
		return fmt.Errorf("%w: scheduling creates an event (ScheduleInvitation)", invitation.ErrIllegalMove)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		return s.moveInvitation(ctx, tx, actorID, id, to, reason, "", ms...)
	})
}

func (s *Store) moveInvitation(ctx context.Context, tx *sql.Tx, actorID, id string, to invitation.Status, reason, eventID string, ms ...mail.Queued) error {
	from, err := s.lockInvitation(ctx, tx, id)
	if err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if err := invitation.Move(from, to, reason); err != nil {
		return err
	}
	if to != invitation.StatusDeclined {
		reason = ""
	}
	now := s.now()
	var closed any
	if to.Closed() {
		closed = now
	}
	set, args := "status = ?, decline_reason = ?, closed_at = ?, updated_at = ?", []any{string(to), reason, closed, now}
	if eventID != "" {
		set += ", event_id = ?"
		args = append(args, eventID)
	}
	if _, err := tx.ExecContext(ctx, s.q("UPDATE invitations SET "+set+" WHERE id = ?"), append(args, id)...); err != nil {
		return err
	}
	if err := s.addInvitationEntry(ctx, tx, id, invitation.EntryStatus, actorID, string(to), reason); err != nil {
		return err
	}
	if err := s.appendAudit(ctx, tx, actorID, auditInvitationMoved, id, fmt.Sprintf(`{"from":%q,"to":%q}`, from, to)); err != nil {
		return err
	}
	return s.enqueueMail(ctx, tx, ms...)
}

// SetInvitationOwner gives a request to a connector or an administrator
// ("" leaves it without an owner). Another user returns ErrNotFound.
func (s *Store) SetInvitationOwner(ctx context.Context, actorID, id, ownerID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.lockInvitation(ctx, tx, id); err != nil {
			return err
		}
		name := ""
		if ownerID != "" {
			var role string
			var disabled bool
			if err := tx.QueryRowContext(ctx, s.q("SELECT display_name, role, disabled FROM users WHERE id = ?"), ownerID).Scan(&name, &role, &disabled); err != nil {
				return notFound(err)
			}
			if disabled || (account.Role(role) != account.Admin && account.Role(role) != account.Connector) {
				return ErrNotFound
			}
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE invitations SET owner_id = ?, updated_at = ? WHERE id = ?"), nullable(ownerID), s.now(), id); err != nil {
			return err
		}
		return s.addInvitationEntry(ctx, tx, id, invitation.EntryOwner, actorID, name, "")
	})
}

// AddInvitationNote adds a staff note to a request's history.
func (s *Store) AddInvitationNote(ctx context.Context, actorID, id, text string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.lockInvitation(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE invitations SET updated_at = ? WHERE id = ?"), s.now(), id); err != nil {
			return err
		}
		return s.addInvitationEntry(ctx, tx, id, invitation.EntryNote, actorID, text, "")
	})
}

// InvitationOwners lists the staff a request can be given to: active
// connectors and administrators, by name.
func (s *Store) InvitationOwners(ctx context.Context) ([]account.User, error) {
	users, err := s.Users(ctx)
	if err != nil {
		return nil, err
	}
	var out []account.User
	for _, u := range users {
		if !u.Disabled && (u.Role == account.Admin || u.Role == account.Connector) {
			out = append(out, u)
		}
	}
	return out, nil
}

// InvitationCounts counts requests by status, for the board's headings.
func (s *Store) InvitationCounts(ctx context.Context) (map[invitation.Status]int, error) {
	rows, err := s.conns.Read.QueryContext(ctx, "SELECT status, COUNT(*) FROM invitations GROUP BY status")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[invitation.Status]int{}
	for rows.Next() {
		var st invitation.Status
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// ScheduleInvitation creates the event agreed with the group and moves
// the request from contacted to scheduled, with the email to the
// requester, in one transaction: there is never a scheduled request
// without its event, nor an event for a request still open. The event
// gets an id here unless the caller gave one (to link to it in the
// email).
func (s *Store) ScheduleInvitation(ctx context.Context, actorID, id string, e *event.Event, ms ...mail.Queued) error {
	if e.ID == "" {
		e.ID = NewID()
	}
	now := s.now()
	e.CreatedAt, e.UpdatedAt, e.CreatedBy = now, now, actorID
	if e.Status == "" {
		e.Status = event.StatusScheduled
	}
	if e.Visibility == "" {
		e.Visibility = event.Public
	}
	if e.Visibility == event.Invitation && e.InviteKey == "" {
		e.InviteKey = event.NewInviteKey()
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		// Refuse before writing the event when the move is not allowed.
		from, err := s.lockInvitation(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := invitation.Move(from, invitation.StatusScheduled, ""); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO events (id, kind, status, status_message, visibility, invite_key, community, languages,
			interpreters, starts_at, ends_at, venue_name, venue_address, venue_postcode, access, access_notes, capacity, walk_ins, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			e.ID, string(e.Kind), string(e.Status), e.StatusMessage, string(e.Visibility), e.InviteKey, e.Community, strings.Join(e.Languages, ","),
			strings.Join(e.Interpreters, ","), e.Start.UTC(), e.End.UTC(), e.VenueName, e.VenueAddress, e.VenuePostcode, strings.Join(e.Access, ","),
			e.AccessNotes, e.Capacity, e.WalkIns, e.CreatedBy, now, now); err != nil {
			return s.conflict(err)
		}
		for _, lang := range sortedKeys(e.Texts) {
			t := e.Texts[lang]
			if t.Title == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO event_texts (event_id, lang, title, description) VALUES (?, ?, ?, ?)"), e.ID, lang, t.Title, t.Body); err != nil {
				return err
			}
		}
		if err := s.appendAudit(ctx, tx, actorID, "event.created", e.ID, fmt.Sprintf(`{"invitation":%q}`, id)); err != nil {
			return err
		}
		return s.moveInvitation(ctx, tx, actorID, id, invitation.StatusScheduled, "", e.ID, ms...)
	})
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
