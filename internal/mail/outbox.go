package mail

import (
	"context"
	"time"
)

// Claimed is an outbox message a sender holds under a lease.
type Claimed struct {
	ID        string
	Kind      string
	Payload   string // sealed Message
	Attempts  int    // failed attempts so far
	CreatedAt time.Time
}

// Failed is a message the sender gave up on, for the staff view. It
// holds no personal data: the recipient and body stay sealed.
type Failed struct {
	ID        string
	Kind      string
	Attempts  int
	LastError string
	CreatedAt time.Time
	FailedAt  time.Time
}

// Status counts the outbox by state.
type Status struct {
	Queued   int       // waiting to be sent, including those being retried
	Retrying int       // of Queued, those that have failed at least once
	Failed   int       // given up; staff may queue them again
	Sent     int       // sent and not yet deleted
	Oldest   time.Time // the oldest queued message's creation (zero if none)
	// LastError is the error of the latest failed attempt on a message
	// not sent ("" if none): what the SMTP server or the network said.
	LastError string
}

// Outbox is the store side of the sender (implemented by store.Store).
type Outbox interface {
	// ClaimMail leases up to limit due messages to holder until
	// now+lease. A message another holder's live lease covers is never
	// returned.
	ClaimMail(ctx context.Context, holder string, lease time.Duration, limit int) ([]Claimed, error)
	// MarkMailSent records that the SMTP server accepted the messages:
	// their payload is emptied, kind and times are kept.
	MarkMailSent(ctx context.Context, ids ...string) error
	// MarkMailFailed records a failed attempt on a message holder holds:
	// it is due again once retryAfter has passed by the outbox's clock
	// (the clock its due messages are chosen by), or given up (failed)
	// when giveUp.
	MarkMailFailed(ctx context.Context, holder, id, reason string, retryAfter time.Duration, giveUp bool) error
	// ReleaseMail gives back holder's lease on messages it did not try.
	ReleaseMail(ctx context.Context, holder string, ids ...string) error
}
