package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/rights"
)

// Audit actions of erasure, restriction and correction. The detail
// holds counts and kinds, never the person.
const (
	AuditPersonFound      = "rights.person_found"
	AuditPersonErased     = "rights.person_erased"
	AuditRestricted       = "rights.restricted"
	AuditRestrictionLift  = "rights.restriction_lifted"
	AuditCorrectionQueued = "rights.correction_to_moderation"
)

// OpenRegistrationError is rights.ErrOpenRegistration with the events
// the person holds a place at.
type OpenRegistrationError struct {
	Events []OpenPlace
}

// OpenPlace is a place held at an event not yet over.
type OpenPlace struct {
	RegistrationID, EventID, Status string
	StartsAt                        time.Time
}

func (e *OpenRegistrationError) Error() string {
	return fmt.Sprintf("%s: %d open registrations", rights.ErrOpenRegistration, len(e.Events))
}
func (e *OpenRegistrationError) Unwrap() error { return rights.ErrOpenRegistration }

// Erased counts what an erasure removed, by kind of record.
type Erased map[string]int

// Kept is what an erasure keeps, and why (docs/rights.md): the rights
// request itself (to answer it and any complaint about it, deleted by
// its retention rule), the audit trail's ids, a staff account found by
// its address (closed under /staff/users, not by erasure), and counts.
const (
	KeptRightsRequests = "rights_requests"
	KeptStaffAccounts  = "staff_accounts"
)

// ErasePerson erases everything held about the person q names, for the
// rights request requestID, in one transaction: each thing they shared
// with everything derived from it (stages, equality answers, consent,
// contact, corrections, moderated original, renderings, memos, coded
// passages, samples, suggestion decisions, safeguarding flags, the
// search document and its index, snapshot quotes) and its data key; the
// contact details, access needs and answers of their registrations (the
// place's count stays, anonymous); the contact and the requester's own
// text of their invitations, and staff notes on them; their champion
// record, reduced to counts (the account disabled and anonymised, notes,
// training and outreach text gone); every email to them in the outbox;
// their subscriptions to the report.
// What it keeps is in Kept*. A count per month and kind is kept
// (erasure_counts) and the erase-leftovers job then clears what the
// deletions left in the database files. An erasure while the person
// holds a place at an event not yet over is refused with
// *OpenRegistrationError; nothing found is rights.ErrNothingFound.
func (s *Store) ErasePerson(ctx context.Context, actorID, requestID string, q PersonQuery) (Erased, Erased, error) {
	erased, kept := Erased{}, Erased{}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var p Person
		if err := s.personLinks(ctx, tx, q, &p); err != nil {
			return err
		}
		now := s.now()
		if len(p.Registrations) > 0 {
			in, args := placeholders(p.Registrations)
			rows, err := tx.QueryContext(ctx, s.q(`SELECT r.id, r.event_id, r.status, e.starts_at FROM registrations r JOIN events e ON e.id = r.event_id
				WHERE r.id IN (`+in+`) AND r.status IN ('confirmed', 'waiting') AND e.ends_at > ? ORDER BY e.starts_at`), append(args, now)...)
			open, err := collect(rows, err, func(row rowScanner) (OpenPlace, error) {
				var o OpenPlace
				return o, row.Scan(&o.RegistrationID, &o.EventID, &o.Status, &o.StartsAt)
			})
			if err != nil {
				return err
			}
			if len(open) > 0 {
				return &OpenRegistrationError{Events: open}
			}
		}
		var accounts []string // staff accounts that are not a champion's
		for _, id := range p.Accounts {
			var n int
			if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM champion_applications WHERE user_id = ?"), id).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				accounts = append(accounts, id)
			}
		}
		if len(p.Experiences)+len(p.Registrations)+len(p.Invitations)+len(p.Champions)+len(p.Emails)+len(p.Subscriptions) == 0 {
			return rights.ErrNothingFound
		}
		for _, id := range p.Experiences {
			var kind string
			if err := tx.QueryRowContext(ctx, s.q("SELECT kind FROM experiences WHERE id = ?"), id).Scan(&kind); err != nil {
				return notFound(err)
			}
			if err := s.deleteExperienceTx(ctx, tx, id); err != nil {
				return err
			}
			erased[kind+"s"]++
		}
		update := func(ids []string, query string, args ...any) (int64, error) {
			if len(ids) == 0 {
				return 0, nil
			}
			in, idArgs := placeholders(ids)
			res, err := tx.ExecContext(ctx, s.q(query+" IN ("+in+")"), append(args, idArgs...)...)
			if err != nil {
				return 0, err
			}
			return res.RowsAffected()
		}
		n, err := update(p.Registrations, `UPDATE registrations SET name_sealed = '', email_sealed = '', phone_sealed = '', access_needs_sealed = '',
			email_key = '', phone_key = '', heard_about = '', interpreter_lang = '', details_removed_at = ? WHERE id`, now)
		if err != nil {
			return err
		}
		erased["registrations"] += int(n)
		if n, err = update(p.Invitations, `UPDATE invitations SET contact_name_sealed = '', contact_email_sealed = '', contact_phone_sealed = '',
			contact_email_key = '', contact_phone_key = '', notes = '', contact_removed = TRUE WHERE id`); err != nil {
			return err
		}
		erased["invitations"] += int(n)
		if _, err = update(p.Invitations, "UPDATE invitation_history SET text = '' WHERE invitation_id"); err != nil {
			return err
		}
		// The champion_counts_only trigger (migration 0009) removes the
		// notes, training record, outreach text, event help and set-up
		// links, and disables and anonymises the account.
		if n, err = update(p.Champions, `UPDATE champion_applications SET name_sealed = '', email_sealed = '', phone_sealed = '', details_sealed = '',
			email_key = '', phone_key = '', owner_id = NULL, counts_only = TRUE WHERE id`); err != nil {
			return err
		}
		erased["champions"] += int(n)
		var championAccounts []string
		for _, id := range p.Accounts {
			if !contains(accounts, id) {
				championAccounts = append(championAccounts, id)
			}
		}
		if _, err = update(championAccounts, "DELETE FROM recovery_codes WHERE user_id"); err != nil {
			return err
		}
		if n, err = update(p.Emails, "DELETE FROM outbox WHERE id"); err != nil {
			return err
		}
		erased["emails"] += int(n)
		if n, err = update(p.Subscriptions, "DELETE FROM subscriptions WHERE id"); err != nil {
			return err
		}
		erased["subscriptions"] += int(n)
		kept[KeptRightsRequests], kept[KeptStaffAccounts] = len(p.RightsRequests), len(accounts)
		month := now.Format("2006-01")
		for what, c := range erased {
			if c == 0 {
				delete(erased, what)
				continue
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO erasure_counts (month, what, count) VALUES (?, ?, ?)
				ON CONFLICT (month, what) DO UPDATE SET count = erasure_counts.count + excluded.count`), month, what, c); err != nil {
				return err
			}
		}
		if err := s.markErased(ctx, tx); err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"erased": erased, "kept": kept})
		return s.appendAudit(ctx, tx, actorID, AuditPersonErased, requestID, string(detail))
	})
	if err != nil {
		return nil, nil, err
	}
	return erased, kept, nil
}

// ErasureCounts is the tombstone: how many records of each kind were
// erased, over all months.
func (s *Store) ErasureCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.conns.Read.QueryContext(ctx, "SELECT what, SUM(count) FROM erasure_counts GROUP BY what")
	type wc struct {
		what string
		n    int
	}
	list, err := collect(rows, err, func(row rowScanner) (wc, error) {
		var x wc
		return x, row.Scan(&x.what, &x.n)
	})
	out := map[string]int{}
	for _, x := range list {
		out[x.what] = x.n
	}
	return out, err
}

// AuditPersonFoundBy records that a member of staff looked for a person
// for a request, and how many records were shown (the view opens sealed
// contact details).
func (s *Store) AuditPersonFoundBy(ctx context.Context, actorID, requestID string, p Person) error {
	var tables []string
	for t, n := range p.Found {
		if n > 0 {
			tables = append(tables, t)
		}
	}
	sort.Strings(tables)
	detail, _ := json.Marshal(map[string]any{"records": p.Total(), "tables": strings.Join(tables, ",")})
	return s.AppendAudit(ctx, actorID, AuditPersonFound, requestID, string(detail))
}

// RestrictExperience restricts the use of an experience (Article 18):
// its status becomes 'restricted', which every output leaves out
// (analysis, breakdowns, search, exports, quotes, evidence, reports and
// published snapshots' quotes), until LiftRestriction gives it back the
// status it had. A correction added meanwhile waits for the lift.
func (s *Store) RestrictExperience(ctx context.Context, actorID, requestID, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE experiences SET restricted_from = status, status = ?, updated_at = ?
			WHERE id = ? AND status <> ?`), string(experience.StatusRestricted), s.now(), id, string(experience.StatusRestricted))
		if err != nil {
			return err
		}
		if err := requireRow(res, rights.ErrNothingFound); err != nil {
			return err
		}
		if err := s.unindex(ctx, tx, id); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditRestricted, id, `{"request":"`+requestID+`"}`)
	})
}

// LiftRestriction gives a restricted experience back the status it had
// (approved ones are searchable again).
func (s *Store) LiftRestriction(ctx context.Context, actorID, requestID, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE experiences SET status = restricted_from, restricted_from = '', updated_at = ?
			WHERE id = ? AND status = ?`), s.now(), id, string(experience.StatusRestricted))
		if err != nil {
			return err
		}
		if err := requireRow(res, rights.ErrNothingFound); err != nil {
			return err
		}
		if err := s.reindex(ctx, tx, id); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditRestrictionLift, id, `{"request":"`+requestID+`"}`)
	})
}

// CorrectExperience adds a correction a person asked for through a
// rights request (Article 16) to their experience: like their own
// correction at /my-story, it goes to moderation (and out of the
// evidence and search) until a moderator has read it; a restricted
// experience stays restricted and goes to moderation when lifted.
func (s *Store) CorrectExperience(ctx context.Context, actorID, requestID, id, text string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return s.addCorrectionTx(ctx, tx, actorID, id, text, AuditCorrectionQueued, `{"request":"`+requestID+`"}`)
	})
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
