// Package retention states how long hearme keeps each kind of record
// and enforces it: a plan counts what each rule would remove, and apply
// removes it in small audited batches. The rules run daily as the
// "retention" job and on demand with `hearme retention`.
package retention

import (
	"context"
	"fmt"
	"time"
)

// Rules says how long each kind of record is kept.
type Rules struct {
	// ContactDetails is how long sealed contact details are kept after
	// the person was last contacted (default 90 days). The experience
	// itself stays.
	ContactDetails time.Duration
	// RejectedSubmissions is how long a rejected submission is kept after
	// rejection (default 30 days). It applies once moderation exists:
	// nothing can be rejected yet, so it removes nothing today.
	RejectedSubmissions time.Duration
	// BatchSize is how many records one transaction removes (default 500).
	BatchSize int
}

// Rule names, as printed and logged.
const (
	RuleContactDetails      = "contact-details"
	RuleRejectedSubmissions = "rejected-submissions"
)

// DefaultRules returns the rules hearme ships with.
func DefaultRules() Rules {
	return Rules{ContactDetails: 90 * 24 * time.Hour, RejectedSubmissions: 30 * 24 * time.Hour, BatchSize: 500}
}

// Store is what the rules need of the database.
type Store interface {
	ContactDetailsDue(ctx context.Context, before time.Time) (int, error)
	PurgeContactDetails(ctx context.Context, before time.Time, limit int) (int64, error)
}

// Count is one rule's outcome: how many records it would remove (in a
// plan) or removed (in a result).
type Count struct {
	Rule    string
	Keep    time.Duration
	Before  time.Time // records older than this are due
	Records int64
	Note    string // why a rule cannot act yet, if it cannot
}

// Plan is what the rules would remove, changing nothing.
type Plan struct{ Counts []Count }

// Result is what applying the rules removed.
type Result struct{ Counts []Count }

// Total is how many records the plan would remove.
func (p Plan) Total() int64 { return total(p.Counts) }

// Total is how many records were removed.
func (r Result) Total() int64 { return total(r.Counts) }

func total(cs []Count) int64 {
	var n int64
	for _, c := range cs {
		n += c.Records
	}
	return n
}

const notYet = "applies once moderation exists; nothing can be rejected yet"

// Validate checks the rules make sense.
func (r Rules) Validate() error {
	if r.ContactDetails <= 0 {
		return fmt.Errorf("contact details retention must be positive, got %s", r.ContactDetails)
	}
	if r.RejectedSubmissions <= 0 {
		return fmt.Errorf("rejected submissions retention must be positive, got %s", r.RejectedSubmissions)
	}
	return nil
}

// Plan counts what each rule would remove at now. It changes nothing.
func (r Rules) Plan(ctx context.Context, st Store, now time.Time) (Plan, error) {
	if err := r.Validate(); err != nil {
		return Plan{}, err
	}
	before := now.UTC().Add(-r.ContactDetails)
	n, err := st.ContactDetailsDue(ctx, before)
	if err != nil {
		return Plan{}, fmt.Errorf("%s: %w", RuleContactDetails, err)
	}
	return Plan{Counts: []Count{
		{Rule: RuleContactDetails, Keep: r.ContactDetails, Before: before, Records: int64(n)},
		r.rejected(now),
	}}, nil
}

// Apply removes what each rule says is due at now, in batches of
// BatchSize, each its own audited transaction. Stopping part way is
// safe, and applying again removes only what is still due.
func (r Rules) Apply(ctx context.Context, st Store, now time.Time) (Result, error) {
	if err := r.Validate(); err != nil {
		return Result{}, err
	}
	batch := r.BatchSize
	if batch < 1 {
		batch = DefaultRules().BatchSize
	}
	before := now.UTC().Add(-r.ContactDetails)
	c := Count{Rule: RuleContactDetails, Keep: r.ContactDetails, Before: before}
	for {
		if err := ctx.Err(); err != nil {
			return Result{Counts: []Count{c}}, err
		}
		n, err := st.PurgeContactDetails(ctx, before, batch)
		c.Records += n
		if err != nil {
			return Result{Counts: []Count{c}}, fmt.Errorf("%s: %w", RuleContactDetails, err)
		}
		if n < int64(batch) {
			break
		}
	}
	return Result{Counts: []Count{c, r.rejected(now)}}, nil
}

func (r Rules) rejected(now time.Time) Count {
	return Count{Rule: RuleRejectedSubmissions, Keep: r.RejectedSubmissions, Before: now.UTC().Add(-r.RejectedSubmissions), Note: notYet}
}
