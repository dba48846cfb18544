package accountability

import (
	"strings"
	"testing"
	"time"
)

func keys(errs interface {
	Key(string) string
}, fields ...string) string {
	var out []string
	for _, f := range fields {
		out = append(out, f+"="+errs.Key(f))
	}
	return strings.Join(out, " ")
}

func TestUpdateBadInput(t *testing.T) {
	p := DefaultPolicy()
	today := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	open := Commitment{ID: "c", Kind: KindActive, CreatedOn: today.AddDate(0, -1, 0)}
	// Progress out of range, a date in the future, a claim without what
	// changed, a bad link, "not doing" without a reason.
	_, errs := UpdateInput{Date: "2027-01-01", Status: "not-doing", Progress: "140", Text: "x", Claim: "made", EvidenceURL: "javascript:alert(1)"}.Validate(p, open, today)
	want := "date=accountability.error_date_future status= progress=accountability.error_progress text= reason=accountability.error_required what-changed=accountability.error_required evidence-url=accountability.error_link"
	if got := keys(errs, "date", "status", "progress", "text", "reason", "what-changed", "evidence-url"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if errs[0].Field != "date" {
		t.Errorf("not in page order: %v", errs)
	}
	for _, bad := range []string{"-1", "101", "forty", "40.5"} {
		if _, errs := (UpdateInput{Date: "2026-12-01", Status: "in-progress", Progress: bad, Text: "x"}).Validate(p, open, today); errs.Key("progress") == "" {
			t.Errorf("progress %q accepted", bad)
		}
	}
	if _, errs := (UpdateInput{Date: "2026-12-01", Status: "done", Progress: "90", Text: "x"}).Validate(p, open, today); errs.Key("progress") != "accountability.error_progress_done" {
		t.Errorf("done at 90%%: %v", errs)
	}
	u, errs := UpdateInput{Date: "2026-12-01", Status: "in-progress", Progress: "40%", Text: "Chosen.", Claim: "planned", WhatChanged: "Booking form.", EvidenceURL: "https://example.org/a"}.Validate(p, open, today)
	if len(errs) != 0 || u.Review != ReviewPending || u.Progress != 40 || u.Kind != KindActive {
		t.Errorf("good update: %+v %v", u, errs)
	}
	if u, _ := (UpdateInput{Date: "2026-12-01", Status: "in-progress", Progress: "40", Text: "x", WhatChanged: "ignored"}).Validate(p, open, today); u.Review != ReviewNone || u.WhatChanged != "" {
		t.Errorf("an update without a claim: %+v", u)
	}
	dropped := open
	dropped.Kind = KindDropped
	if _, errs := (UpdateInput{Date: "2026-12-01", Status: "in-progress", Progress: "40", Text: "x"}).Validate(p, dropped, today); errs.Key("date") != "accountability.error_closed" {
		t.Errorf("an update on a dropped commitment: %v", errs)
	}
	if _, errs := (UpdateInput{Date: "2020-01-01", Status: "in-progress", Progress: "4", Text: "x"}).Validate(p, open, today); errs.Key("date") != "accountability.error_date_before_commitment" {
		t.Errorf("an update before the commitment: %v", errs)
	}
}

func TestCommitmentBadInput(t *testing.T) {
	today := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	c := Commitment{Text: strings.Repeat("x", MaxCommitment+1)}
	errs := c.Validate(today, time.Time{}, "2026-12-06", "0")
	if got := keys(errs, "commitment", "owner", "due", "weight"); got != "commitment=accountability.error_too_long owner=accountability.error_required due=accountability.error_date_past weight=accountability.error_weight" {
		t.Errorf("got %s", got)
	}
	// A due date already in the past may stay when it is not changed.
	old := today.AddDate(0, 0, -3)
	c = Commitment{Text: "We will.", OwnerRole: "Lead"}
	if errs := c.Validate(today, old, old.Format(time.DateOnly), ""); len(errs) != 0 || c.Weight != 1 || !c.Due.Equal(old) {
		t.Errorf("unchanged past date: %v %+v", errs, c)
	}
	if errs := c.Validate(today, time.Time{}, "31/12/2026", ""); errs.Key("due") != "accountability.error_date" {
		t.Errorf("a date not in the form's format: %v", errs)
	}
}

func TestResponseReasons(t *testing.T) {
	r := Response{Decision: NotAccepted}
	if errs := r.Validate(); errs.Key("reasons") != "accountability.error_required" {
		t.Errorf("not accepted without reasons: %v", errs)
	}
	r = Response{Decision: Accepted}
	if errs := r.Validate(); len(errs) != 0 {
		t.Errorf("accepted needs no reasons: %v", errs)
	}
	r = Response{Decision: "maybe"}
	if errs := r.Validate(); errs.Key("decision") == "" {
		t.Error("an unknown decision")
	}
}

func TestRollupIsWeighted(t *testing.T) {
	parent := Commitment{Progress: 5}
	subs := []Commitment{{Progress: 100, Weight: 3, Kind: KindDone}, {Progress: 0, Weight: 1, Kind: KindPlanned}, {Progress: 50, Weight: 5, Kind: KindDropped}}
	if got := Rollup(parent, subs); got != 75 {
		t.Errorf("rollup %d, want 75 (the dropped one left out)", got)
	}
	if Rollup(parent, nil) != 5 {
		t.Error("no subs: its own progress")
	}
}

func TestDeadlinesInWorkingDays(t *testing.T) {
	p := DefaultPolicy()
	// Published Friday 18 December 2026: 20 working days, skipping
	// Christmas Day, Boxing Day (substitute Monday 28) and New Year's Day.
	pub := time.Date(2026, 12, 18, 0, 0, 0, 0, time.UTC)
	if due := p.ResponseDue(pub); due.Format(time.DateOnly) != "2027-01-20" {
		t.Errorf("due %s", due.Format(time.DateOnly))
	}
	c := Commitment{CreatedOn: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Due: time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)}
	if next := p.NextUpdateDue(c); !next.Equal(c.Due) {
		t.Errorf("next update %s: never after the commitment's due date", next)
	}
	today := time.Date(2026, 12, 11, 0, 0, 0, 0, time.UTC)
	if !c.Overdue(today) || c.OnTrack(today) {
		t.Error("overdue")
	}
	c.Kind = KindDone
	if c.Overdue(today) {
		t.Error("a done commitment is not overdue")
	}
}

func TestParseStatuses(t *testing.T) {
	got, err := ParseStatuses("planned, in-progress, paused:late, done, not-doing")
	if err != nil || len(got) != 5 || got[2] != (CommitmentStatus{"paused", KindLate}) {
		t.Errorf("%v %v", got, err)
	}
	for _, bad := range []string{"", "in-progress,done", "planned,done", "planned,unknown,not-doing", "planned,x:weird,not-doing", "planned,planned,not-doing", "planned,Bad Slug:active,not-doing"} {
		if _, err := ParseStatuses(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCommitmentReference(t *testing.T) {
	for _, ok := range []string{"R-2026-001.1", "R-2026-001.12.3"} {
		if !ValidCommitmentReference(ok) {
			t.Errorf("%s refused", ok)
		}
	}
	for _, bad := range []string{"R-2026-001", "R-2026-001.0", "R-2026-001.01", "R-2026-001.1.2.3", "R-2026-001.x", "../R-2026-001.1"} {
		if ValidCommitmentReference(bad) {
			t.Errorf("%s accepted", bad)
		}
	}
}
