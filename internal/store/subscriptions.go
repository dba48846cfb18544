package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/retention"
	"github.com/hearme-project/hearme/internal/subscription"
)

// Subscriptions to the public report and their digests (migration 0027,
// docs/accountability.md "Following the report by email").

func init() {
	// Unconfirmed subscriptions (and their sealed addresses) go seven days
	// after they were made; an unsubscribed one is deleted at once
	// (Unsubscribe), so no rule is needed for it.
	registerRetentionRule(retention.RuleUnconfirmedSubscriptions, retentionRule{"subscriptions", "id",
		"SELECT id FROM subscriptions WHERE confirmed_at IS NULL AND created_at < ? ORDER BY created_at, id",
		"retention.subscriptions_deleted", false, ""})
}

// NewSubscription is a subscription ready to store: the address sealed
// by the caller, its lookup hash made by the store.
type NewSubscription struct {
	ID          string
	Email       string // plain: only its lookup hash is stored
	EmailSealed string
	Lang        string
	Follow      subscription.Follow
}

// Subscribe stores an unconfirmed subscription and queues its
// confirmation email in the same transaction. compose makes the email for
// the subscription's id (its link is signed for that id). The same
// address following the same thing again is not stored twice: while it
// is unconfirmed its language is updated and its confirmation sent again;
// once confirmed nothing changes and nothing is sent (the page says the
// same either way, so it tells nobody whether an address subscribes).
// It reports whether a confirmation was queued.
func (s *Store) Subscribe(ctx context.Context, n NewSubscription, compose func(id string) (mail.Queued, error)) (bool, error) {
	if n.Email == "" || n.EmailSealed == "" {
		return false, errors.New("subscribe: no address")
	}
	key, _ := s.LookupKeys(n.Email, "")
	if key == "" {
		return false, errNoKeys
	}
	queued := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		queued = false
		now := s.now()
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO subscriptions (id, email_sealed, email_key, lang, scope, target, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (email_key, scope, target) DO NOTHING`),
			n.ID, n.EmailSealed, key, n.Lang, string(n.Follow.Scope), n.Follow.Target, now)
		if err != nil {
			return err
		}
		id := n.ID
		if added, err := res.RowsAffected(); err != nil {
			return err
		} else if added == 0 {
			var confirmed sql.NullTime
			if err := tx.QueryRowContext(ctx, s.q(`SELECT id, confirmed_at FROM subscriptions WHERE email_key = ? AND scope = ? AND target = ?`),
				key, string(n.Follow.Scope), n.Follow.Target).Scan(&id, &confirmed); err != nil {
				return err
			}
			if confirmed.Valid {
				return nil
			}
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE subscriptions SET lang = ? WHERE id = ?`), n.Lang, id); err != nil {
				return err
			}
		}
		m, err := compose(id)
		if err != nil {
			return err
		}
		queued = true
		return s.enqueueMail(ctx, tx, m)
	})
	return queued, err
}

// Subscription reads one subscription by id.
func (s *Store) Subscription(ctx context.Context, id string) (subscription.Subscription, error) {
	row := s.conns.Read.QueryRowContext(ctx, s.q(`SELECT `+subscriptionColumns+` FROM subscriptions WHERE id = ?`), id)
	sub, err := scanSubscription(row)
	return sub, notFound(err)
}

const subscriptionColumns = "id, email_sealed, lang, scope, target, created_at, confirmed_at"

func scanSubscription(row rowScanner) (subscription.Subscription, error) {
	var sub subscription.Subscription
	var scope string
	var confirmed sql.NullTime
	err := row.Scan(&sub.ID, &sub.EmailSealed, &sub.Lang, &scope, &sub.Follow.Target, &sub.CreatedAt, &confirmed)
	sub.Follow.Scope = subscription.Scope(scope)
	sub.CreatedAt = sub.CreatedAt.UTC()
	if confirmed.Valid {
		t := confirmed.Time.UTC()
		sub.ConfirmedAt = &t
	}
	return sub, err
}

// Outcomes of a confirmation or unsubscribe link.
var (
	// ErrAlreadyConfirmed: the confirmation link was used before.
	ErrAlreadyConfirmed = errors.New("subscription already confirmed")
)

// ConfirmSubscription confirms an unconfirmed subscription. A
// subscription confirmed before answers ErrAlreadyConfirmed (the link is
// single-use: nothing changes); one that no longer exists (unsubscribed,
// or unconfirmed for seven days and deleted) answers ErrNotFound.
func (s *Store) ConfirmSubscription(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE subscriptions SET confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL AND created_at >= ?`),
			s.now(), id, s.now().Add(-subscription.UnconfirmedFor))
		if err != nil {
			return err
		}
		if requireRow(res, ErrNotFound) == nil {
			return nil
		}
		var confirmed sql.NullTime
		if err := tx.QueryRowContext(ctx, s.q(`SELECT confirmed_at FROM subscriptions WHERE id = ?`), id).Scan(&confirmed); err != nil {
			return notFound(err)
		}
		if confirmed.Valid {
			return ErrAlreadyConfirmed
		}
		return ErrNotFound // unconfirmed past its seven days: retention deletes it
	})
}

// Unsubscribe deletes a subscription, address and all, at once. It
// answers ErrNotFound when there is none (the link was used before).
func (s *Store) Unsubscribe(ctx context.Context, id string) error {
	res, err := s.conns.Write.ExecContext(ctx, s.q(`DELETE FROM subscriptions WHERE id = ?`), id)
	if err != nil {
		return err
	}
	return requireRow(res, ErrNotFound)
}

// AuditSubscriptionChanged is the audit action of a subscriber changing
// their language or what they follow (the manage page a digest links
// to). The actor is "anonymous" (no account), the subject the
// subscription's id, the detail the new language and follow: never the
// address.
const AuditSubscriptionChanged = "subscription.changed"

// ErrAlreadyFollowing: the subscriber's address already follows what
// they asked to follow instead, through another subscription.
var ErrAlreadyFollowing = errors.New("subscription: the address already follows that")

// ChangeSubscription sets a subscription's language and what it follows,
// with its audit entry in the same transaction. It answers ErrNotFound
// when the subscription no longer exists (unsubscribed, or unconfirmed
// and deleted), and ErrAlreadyFollowing when the same address already
// follows f through another subscription (nothing changes).
func (s *Store) ChangeSubscription(ctx context.Context, id, lang string, f subscription.Follow) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE subscriptions SET lang = ?, scope = ?, target = ? WHERE id = ?`), lang, string(f.Scope), f.Target, id)
		if err != nil {
			if s.d.IsUniqueViolation(err) {
				return ErrAlreadyFollowing
			}
			return err
		}
		if err := requireRow(res, ErrNotFound); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, "anonymous", AuditSubscriptionChanged, id, audit.Detail(map[string]string{"lang": lang, "follow": f.String()}))
	})
}

// DigestRun is one digest: the changes in (Since, Until].
type DigestRun struct {
	ID                  string
	Since, Until, Start time.Time
	Finished            bool
	Queued              int
}

// StartDigestRun returns the digest run to work on at now: one left
// unfinished (interrupted: it is resumed, never started again), else a
// new one when subscription.Due says a digest is due (covering the
// changes since the last one ended, or the last week for the first),
// else ok false.
func (s *Store) StartDigestRun(ctx context.Context, now time.Time) (DigestRun, bool, error) {
	var run DigestRun
	ok := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		ok = false
		if lock := s.d.TxLock(digestLockKey); lock != "" {
			if _, err := tx.ExecContext(ctx, lock); err != nil {
				return err
			}
		}
		err := tx.QueryRowContext(ctx, `SELECT id, since_at, until_at, started_at, queued FROM digest_runs WHERE finished_at IS NULL ORDER BY started_at LIMIT 1`).
			Scan(&run.ID, &run.Since, &run.Until, &run.Start, &run.Queued)
		if err == nil {
			ok = true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var lastUntil time.Time
		err = tx.QueryRowContext(ctx, `SELECT until_at FROM digest_runs ORDER BY until_at DESC LIMIT 1`).Scan(&lastUntil)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		first := err != nil
		if !subscription.Due(lastUntil, now) {
			return nil
		}
		// Microseconds: what PostgreSQL keeps, so the next window starts
		// exactly where this one ends.
		run = DigestRun{ID: NewID(), Since: lastUntil, Until: now.UTC().Truncate(time.Microsecond), Start: s.now()}
		if first {
			run.Since = run.Until.Add(-subscription.Every)
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO digest_runs (id, since_at, until_at, started_at) VALUES (?, ?, ?, ?)`),
			run.ID, run.Since.UTC(), run.Until, run.Start)
		ok = err == nil
		return err
	})
	run.Since, run.Until, run.Start = run.Since.UTC(), run.Until.UTC(), run.Start.UTC()
	return run, ok, err
}

// digestLockKey serialises the start of digest runs on PostgreSQL (two
// instances never start two runs for one window; the job's lease already
// keeps them apart, this holds even without it).
const digestLockKey = 0x646967657374 // "digest"

// DigestSubscribers lists up to limit confirmed subscriptions whose
// digest run has not queued yet, in id order after after ("" from the
// start).
func (s *Store) DigestSubscribers(ctx context.Context, runID, after string, limit int) ([]subscription.Subscription, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT `+subscriptionColumns+` FROM subscriptions
		WHERE confirmed_at IS NOT NULL AND last_run_id <> ? AND id > ? ORDER BY id LIMIT ?`), runID, after, limit)
	return collect(rows, err, scanSubscription)
}

// DigestMail is one subscriber's digest in a run: Mail is empty when the
// run has nothing that subscriber follows (they are still marked done).
type DigestMail struct {
	SubscriptionID string
	Mail           *mail.Queued
}

// QueueDigests records, in one transaction, that run has dealt with each
// subscriber and queues their digests. The per-subscriber mark
// (last_run_id) is the idempotency key: a subscriber the run has already
// marked (by an earlier attempt at this batch that committed, or another
// instance) gets nothing more, and a digest is queued exactly when its
// subscriber is marked, so a run interrupted at any point and resumed
// queues every digest exactly once. A subscriber who unsubscribed since
// the batch was read gets nothing. It returns how many were queued.
func (s *Store) QueueDigests(ctx context.Context, runID string, batch []DigestMail) (int, error) {
	queued := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		queued = 0
		for _, d := range batch {
			res, err := tx.ExecContext(ctx, s.q(`UPDATE subscriptions SET last_run_id = ? WHERE id = ? AND last_run_id <> ? AND confirmed_at IS NOT NULL`),
				runID, d.SubscriptionID, runID)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 || d.Mail == nil {
				continue
			}
			if err := s.enqueueMail(ctx, tx, *d.Mail); err != nil {
				return err
			}
			queued++
		}
		if queued == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, s.q(`UPDATE digest_runs SET queued = queued + ? WHERE id = ?`), queued, runID)
		return err
	})
	return queued, err
}

// FinishDigestRun marks a run done: every confirmed subscriber has been
// dealt with.
func (s *Store) FinishDigestRun(ctx context.Context, runID string) error {
	res, err := s.conns.Write.ExecContext(ctx, s.q(`UPDATE digest_runs SET finished_at = ? WHERE id = ? AND finished_at IS NULL`), s.now(), runID)
	if err != nil {
		return err
	}
	return requireRow(res, ErrNotFound)
}

// DigestRuns lists the runs, newest first (tests, `hearme mail status`).
func (s *Store) DigestRuns(ctx context.Context) ([]DigestRun, error) {
	rows, err := s.conns.Read.QueryContext(ctx, `SELECT id, since_at, until_at, started_at, finished_at, queued FROM digest_runs ORDER BY started_at DESC`)
	return collect(rows, err, func(row rowScanner) (DigestRun, error) {
		var r DigestRun
		var fin sql.NullTime
		err := row.Scan(&r.ID, &r.Since, &r.Until, &r.Start, &fin, &r.Queued)
		r.Finished = fin.Valid
		r.Since, r.Until, r.Start = r.Since.UTC(), r.Until.UTC(), r.Start.UTC()
		return r, err
	})
}

// ReportChanges lists the changes made public on the report in (since,
// until], oldest first: recommendations published, responses given or
// changed, and progress updates that became public (when made, for one
// that needs no review; when approved, for one that does). Each carries
// the organisations and communities it concerns (a recommendation's
// addressees, the communities with stories in its frozen evidence), for
// subscription.Follow.Matches.
func (s *Store) ReportChanges(ctx context.Context, since, until time.Time) ([]subscription.Change, error) {
	db := s.conns.Read
	since, until = since.UTC(), until.UTC()
	orgs := map[string][]string{}
	comms := map[string][]string{}
	rows, err := db.QueryContext(ctx, `SELECT x.recommendation_id, x.organisation FROM recommendation_organisations x
		JOIN recommendations r ON r.id = x.recommendation_id AND r.status = 'published' ORDER BY x.organisation`)
	if err := eachPair(rows, err, orgs); err != nil {
		return nil, err
	}
	rows, err = db.QueryContext(ctx, `SELECT DISTINCT x.recommendation_id, x.community FROM recommendation_figures x
		JOIN recommendations r ON r.id = x.recommendation_id AND r.status = 'published'
		WHERE x.community <> '' AND x.value <> '' AND x.value <> '0' ORDER BY x.community`)
	if err := eachPair(rows, err, comms); err != nil {
		return nil, err
	}
	var out []subscription.Change
	add := func(c subscription.Change) {
		c.At = c.At.UTC()
		c.Organisations, c.Communities = orgs[c.RecommendationID], comms[c.RecommendationID]
		out = append(out, c)
	}
	rows, err = db.QueryContext(ctx, s.q(`SELECT id, reference, published_at FROM recommendations
		WHERE status = 'published' AND published_at > ? AND published_at <= ?`), since, until)
	recs, err := collect(rows, err, func(row rowScanner) (subscription.Change, error) {
		c := subscription.Change{Kind: subscription.ChangeRecommendation}
		err := row.Scan(&c.RecommendationID, &c.Reference, &c.At)
		return c, err
	})
	if err != nil {
		return nil, err
	}
	for _, c := range recs {
		add(c)
	}
	rows, err = db.QueryContext(ctx, s.q(`SELECT p.recommendation_id, r.reference, p.organisation, p.decision, p.updated_at
		FROM recommendation_responses p JOIN recommendations r ON r.id = p.recommendation_id AND r.status = 'published'
		WHERE p.updated_at > ? AND p.updated_at <= ?`), since, until)
	resps, err := collect(rows, err, func(row rowScanner) (subscription.Change, error) {
		c := subscription.Change{Kind: subscription.ChangeResponse}
		err := row.Scan(&c.RecommendationID, &c.Reference, &c.Organisation, &c.Decision, &c.At)
		return c, err
	})
	if err != nil {
		return nil, err
	}
	for _, c := range resps {
		add(c)
	}
	rows, err = db.QueryContext(ctx, s.q(`SELECT c.recommendation_id, c.reference, c.organisation, u.status, u.progress, u.created_at, u.reviewed_at
		FROM commitment_updates u
		JOIN commitments c ON c.id = u.commitment_id
		JOIN recommendations r ON r.id = c.recommendation_id AND r.status = 'published'
		WHERE (u.review = 'none' AND u.created_at > ? AND u.created_at <= ?)
		   OR (u.review = 'approved' AND u.reviewed_at > ? AND u.reviewed_at <= ?)`), since, until, since, until)
	upds, err := collect(rows, err, func(row rowScanner) (subscription.Change, error) {
		c := subscription.Change{Kind: subscription.ChangeUpdate}
		var reviewed sql.NullTime
		err := row.Scan(&c.RecommendationID, &c.Reference, &c.Organisation, &c.Status, &c.Progress, &c.At, &reviewed)
		if reviewed.Valid { // public when approved
			c.At = reviewed.Time
		}
		return c, err
	})
	if err != nil {
		return nil, err
	}
	for _, c := range upds {
		add(c)
	}
	slices.SortStableFunc(out, func(a, b subscription.Change) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return compareStrings(a.Reference, b.Reference)
	})
	return out, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// eachPair reads (id, value) rows into a map of lists.
func eachPair(rows *sql.Rows, err error, into map[string][]string) error {
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, v string
		if err := rows.Scan(&id, &v); err != nil {
			rows.Close()
			return fmt.Errorf("scan: %w", err)
		}
		into[id] = append(into[id], v)
	}
	return closeRows(rows)
}

// SeedSubscriptions stores confirmed subscriptions in bulk, in
// transactions of a thousand, with no confirmation email: for load
// scripts (scripts/digestload) and demos only, never for a form.
func (s *Store) SeedSubscriptions(ctx context.Context, subs []NewSubscription, confirmedAt time.Time) error {
	for len(subs) > 0 {
		n := min(len(subs), 1000)
		batch := subs[:n]
		subs = subs[n:]
		err := s.tx(ctx, func(tx *sql.Tx) error {
			for _, sub := range batch {
				key, _ := s.LookupKeys(sub.Email, "")
				if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO subscriptions (id, email_sealed, email_key, lang, scope, target, created_at, confirmed_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), sub.ID, sub.EmailSealed, key, sub.Lang, string(sub.Follow.Scope), sub.Follow.Target,
					confirmedAt.UTC(), confirmedAt.UTC()); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
