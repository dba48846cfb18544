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
	// Originals is how long the sealed unredacted original of a moderated
	// submission is kept after moderation (default 30 days).
	Originals time.Duration
	// RejectedSubmissions is how long a rejected submission is kept after
	// rejection (default 30 days); then it is deleted with everything
	// about it.
	RejectedSubmissions time.Duration
	// Experiences is how long experiences and ideas are kept after the
	// programme's end date (default 365 days); nothing is due while the
	// programme has no end date.
	Experiences time.Duration
	// Registrations is how long an event registration's contact details
	// and access needs are kept after the event (default 30 days); the
	// count of places stays for the event's report.
	Registrations time.Duration
	// ChampionApplications is how long an application to be a champion
	// that never proceeded is kept after its last change (default 180
	// days).
	ChampionApplications time.Duration
	// ChampionsLeft is how long a champion who left keeps more than their
	// activity counts (default 365 days).
	ChampionsLeft time.Duration
	// BatchSize is how many records one transaction removes (default 500).
	BatchSize int
}

// Rule names, as printed, logged and passed to the store.
const (
	RuleContactDetails      = "contact-details"
	RuleOriginals           = "unredacted-originals"
	RuleRejectedSubmissions = "rejected-submissions"
	RuleExperiences         = "experiences-after-programme-end"
	RuleRegistrations       = "registration-details"
	RuleChampionApps        = "champion-applications"
	RuleChampionsLeft       = "champions-left"
)

// DefaultRules returns the rules hearme ships with.
func DefaultRules() Rules {
	const day = 24 * time.Hour
	return Rules{
		ContactDetails:       90 * day,
		Originals:            30 * day,
		RejectedSubmissions:  30 * day,
		Experiences:          365 * day,
		Registrations:        30 * day,
		ChampionApplications: 180 * day,
		ChampionsLeft:        365 * day,
		BatchSize:            500,
	}
}

// Store is what the rules need of the database: for each rule, how many
// records are due before a time, and a purge of at most limit of them.
type Store interface {
	RetentionDue(ctx context.Context, rule string, before time.Time) (int, error)
	RetentionPurge(ctx context.Context, rule string, before time.Time, limit int) (int64, error)
}

// Count is one rule's outcome: how many records it would remove (in a
// plan) or removed (in a result).
type Count struct {
	Rule    string
	Keep    time.Duration
	Before  time.Time // records older than this are due
	Records int64
	Note    string
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

// rules lists each rule with its period, in the order they run.
func (r Rules) rules() []struct {
	name string
	keep time.Duration
} {
	return []struct {
		name string
		keep time.Duration
	}{
		{RuleContactDetails, r.ContactDetails},
		{RuleOriginals, r.Originals},
		{RuleRejectedSubmissions, r.RejectedSubmissions},
		{RuleExperiences, r.Experiences},
		{RuleRegistrations, r.Registrations},
		// Each part adds its rule's line here once the store knows it.
		{RuleInvitationContacts, InvitationContacts},
		{RuleRightsRequests, RightsRequests},
		{RuleBreaches, Breaches},
		{RuleReviewComments, ReviewComments},
		{RuleUnconfirmedSubscriptions, UnconfirmedSubscriptions},
		{RuleChampionApps, r.ChampionApplications},
		{RuleChampionsLeft, r.ChampionsLeft},
	}
}

// Validate checks the rules make sense.
func (r Rules) Validate() error {
	for _, rule := range r.rules() {
		if rule.keep <= 0 {
			return fmt.Errorf("%s retention must be positive, got %s", rule.name, rule.keep)
		}
	}
	return nil
}

// Plan counts what each rule would remove at now. It changes nothing.
func (r Rules) Plan(ctx context.Context, st Store, now time.Time) (Plan, error) {
	if err := r.Validate(); err != nil {
		return Plan{}, err
	}
	var p Plan
	for _, rule := range r.rules() {
		before := now.UTC().Add(-rule.keep)
		n, err := st.RetentionDue(ctx, rule.name, before)
		if err != nil {
			return p, fmt.Errorf("%s: %w", rule.name, err)
		}
		p.Counts = append(p.Counts, Count{Rule: rule.name, Keep: rule.keep, Before: before, Records: int64(n)})
	}
	return p, nil
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
	var res Result
	for _, rule := range r.rules() {
		c := Count{Rule: rule.name, Keep: rule.keep, Before: now.UTC().Add(-rule.keep)}
		for {
			if err := ctx.Err(); err != nil {
				res.Counts = append(res.Counts, c)
				return res, err
			}
			n, err := st.RetentionPurge(ctx, rule.name, c.Before, batch)
			c.Records += n
			if err != nil {
				res.Counts = append(res.Counts, c)
				return res, fmt.Errorf("%s: %w", rule.name, err)
			}
			if n < int64(batch) {
				break
			}
		}
		res.Counts = append(res.Counts, c)
	}
	return res, nil
}

// WithSettings returns the default rules with each configured period
// that is set (above zero) in place of the default: the one place the
// daily job, `hearme retention`, the record of processing and the
// privacy notice take their periods from.
func WithSettings(contact, experiences, registrations, championApps, championsLeft time.Duration) Rules {
	r := DefaultRules()
	for _, o := range []struct {
		set time.Duration
		to  *time.Duration
	}{{contact, &r.ContactDetails}, {experiences, &r.Experiences}, {registrations, &r.Registrations}, {championApps, &r.ChampionApplications}, {championsLeft, &r.ChampionsLeft}} {
		if o.set > 0 {
			*o.to = o.set
		}
	}
	return r
}
