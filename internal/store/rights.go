package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/retention"
	"github.com/hearme-project/hearme/internal/rights"
)

// Audit actions of the rights requests log. The detail holds the kind
// and dates, never the person's reference or contact.
const (
	AuditRightsLogged   = "rights.request_logged"
	AuditRightsIdentity = "rights.identity_checked"
	AuditRightsExtended = "rights.request_extended"
	AuditRightsClosed   = "rights.request_closed"
	AuditRightsViewed   = "rights.contact_viewed"
)

func init() {
	registerRetentionRule(retention.RuleRightsRequests, retentionRule{
		table: "rights_requests", key: "id",
		due:      "SELECT id FROM rights_requests WHERE closed_on IS NOT NULL AND closed_on < ? ORDER BY closed_on, id",
		action:   "retention.rights_requests_deleted",
		dateOnly: true,
	})
}

const rightsColumns = `id, kind, channel, received_on, reference, contact_sealed, notes, identity_on, extended,
	extension_reason, extended_on, closed_on, outcome, created_at, updated_at`

func scanRightsRequest(row rowScanner) (rights.Request, error) {
	var r rights.Request
	var received string
	var identity, extendedOn, closed sql.NullString
	err := row.Scan(&r.ID, &r.Kind, &r.Channel, &received, &r.Reference, &r.ContactSealed, &r.Notes, &identity, &r.Extended,
		&r.ExtensionReason, &extendedOn, &closed, &r.Outcome, &r.CreatedAt, &r.UpdatedAt)
	if err != nil {
		return r, err
	}
	if r.ReceivedOn, err = time.Parse(time.DateOnly, received); err != nil {
		return r, err
	}
	for _, d := range []struct {
		in  sql.NullString
		out **time.Time
	}{{identity, &r.IdentityOn}, {extendedOn, &r.ExtendedOn}, {closed, &r.ClosedOn}} {
		if !d.in.Valid {
			continue
		}
		t, err := time.Parse(time.DateOnly, d.in.String)
		if err != nil {
			return r, err
		}
		*d.out = &t
	}
	return r, nil
}

func nullDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(time.DateOnly)
}

// LogRightsRequest records a request validated by rights.New.Validate;
// contactSealed is its contact detail already sealed (or empty).
func (s *Store) LogRightsRequest(ctx context.Context, actorID string, n rights.New, contactSealed string) (string, error) {
	id := NewID()
	key := s.contactKey(n.Contact)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO rights_requests (id, kind, channel, received_on, reference, contact_sealed, contact_key, notes, identity_on,
			created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			id, string(n.Kind), string(n.Channel), n.Received.Format(time.DateOnly), n.Reference, contactSealed, key, n.Notes, nullDate(n.Identity),
			actorID, now, now); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditRightsLogged, id, audit.Detail(map[string]string{
			"kind": string(n.Kind), "channel": string(n.Channel), "received_on": n.Received.Format(time.DateOnly)}))
	})
	return id, err
}

// RightsRequest returns one request.
func (s *Store) RightsRequest(ctx context.Context, id string) (rights.Request, error) {
	r, err := scanRightsRequest(s.conns.Read.QueryRowContext(ctx, s.q("SELECT "+rightsColumns+" FROM rights_requests WHERE id = ?"), id))
	return r, notFound(err)
}

// RightsRequests lists every request kept: open ones first, oldest
// received first, then closed ones, newest closed first.
func (s *Store) RightsRequests(ctx context.Context) ([]rights.Request, error) {
	rows, err := s.conns.Read.QueryContext(ctx, "SELECT "+rightsColumns+` FROM rights_requests
		ORDER BY CASE WHEN closed_on IS NULL THEN 0 ELSE 1 END, closed_on DESC, received_on, id`)
	return collect(rows, err, scanRightsRequest)
}

// changeRightsRequest runs an UPDATE that must find the request open
// (and whatever else its WHERE says); when it changes nothing, it says
// why: no such request, already closed, or refused (e.g. extended).
func (s *Store) changeRightsRequest(ctx context.Context, actorID, id, action string, detail map[string]string, refused error, set, where string, args ...any) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var closed sql.NullString
		if err := tx.QueryRowContext(ctx, s.q(s.d.ForUpdate("SELECT closed_on FROM rights_requests WHERE id = ?")), id).Scan(&closed); err != nil {
			return notFound(err)
		}
		if closed.Valid {
			return rights.ErrAlreadyClosed
		}
		res, err := tx.ExecContext(ctx, s.q("UPDATE rights_requests SET "+set+", updated_at = ? WHERE id = ? AND closed_on IS NULL"+where), append(args, s.now(), id)...)
		if err != nil {
			return err
		}
		if err := requireRow(res, refused); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, action, id, audit.Detail(detail))
	})
}

// RecordRightsIdentity records the date the person's identity (or the
// clarification asked for) was confirmed: the clock restarts from it.
func (s *Store) RecordRightsIdentity(ctx context.Context, actorID, id string, on time.Time) error {
	return s.changeRightsRequest(ctx, actorID, id, AuditRightsIdentity, map[string]string{"identity_on": on.Format(time.DateOnly)},
		rights.ErrAlreadyClosed, "identity_on = ?", "", on.Format(time.DateOnly))
}

// ExtendRightsRequest extends an open request by two months, once.
func (s *Store) ExtendRightsRequest(ctx context.Context, actorID, id, reason string, on time.Time) error {
	err := s.changeRightsRequest(ctx, actorID, id, AuditRightsExtended, map[string]string{"extended_on": on.Format(time.DateOnly)},
		errAlreadyExtended, "extended = TRUE, extension_reason = ?, extended_on = ?", " AND extended = FALSE", reason, on.Format(time.DateOnly))
	if errors.Is(err, errAlreadyExtended) {
		return rights.ErrAlreadyExtended
	}
	return err
}

var errAlreadyExtended = errors.New("extended")

// CloseRightsRequest closes an open request with what was done.
func (s *Store) CloseRightsRequest(ctx context.Context, actorID, id string, on time.Time, outcome string) error {
	return s.changeRightsRequest(ctx, actorID, id, AuditRightsClosed, map[string]string{"closed_on": on.Format(time.DateOnly)},
		rights.ErrAlreadyClosed, "closed_on = ?, outcome = ?", "", on.Format(time.DateOnly), outcome)
}

// AuditRightsContactViewed records that a member of staff saw a
// request's contact detail opened.
func (s *Store) AuditRightsContactViewed(ctx context.Context, actorID, id string) error {
	return s.AppendAudit(ctx, actorID, AuditRightsViewed, id, "")
}
