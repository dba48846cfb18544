package rights

import (
	"testing"
	"time"
)

func d(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDueDateFollowsTheICORule(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, start, want string }{
		{"ordinary weekday, same date next month", "2026-06-10", "2026-07-10"},
		{"31 January to 28 February", "2025-01-31", "2025-02-28"},                // Friday
		{"31 January to 29 February in a leap year", "2028-01-31", "2028-02-29"}, // Tuesday
		{"31 January to 28 February, a Sunday, so Monday", "2027-01-31", "2027-03-01"},
		{"31 March to 30 April", "2026-03-31", "2026-04-30"},
		{"due on Good Friday: past Easter Monday to Tuesday", "2026-03-03", "2026-04-07"},
		{"due on Christmas Day: past Boxing Day's substitute", "2026-11-25", "2026-12-29"},
		{"due on a Sunday before Easter Monday", "2027-02-28", "2027-03-30"},
	} {
		if got := DueDate(d(c.start)).Format(time.DateOnly); got != c.want {
			t.Errorf("%s: DueDate(%s) = %s, want %s", c.name, c.start, got, c.want)
		}
	}
}

func TestClockStartsAtTheLaterOfReceiptAndIdentity(t *testing.T) {
	t.Parallel()
	r := Request{ReceivedOn: d("2026-01-31")}
	if got := r.Due().Format(time.DateOnly); got != "2026-03-02" { // 28 Feb 2026 is a Saturday
		t.Fatalf("due from receipt: %s", got)
	}
	id := d("2026-02-10")
	r.IdentityOn = &id
	if got := r.Due().Format(time.DateOnly); got != "2026-03-10" {
		t.Fatalf("due from identity: %s", got)
	}
	if !r.Overdue(d("2026-03-11")) || r.Overdue(d("2026-03-10")) {
		t.Fatal("overdue the day after the due date, not on it")
	}
	if got := r.DaysLeft(d("2026-03-08")); got != 2 {
		t.Fatalf("days left %d", got)
	}
	closed := d("2026-03-09")
	r.ClosedOn = &closed
	if r.Overdue(d("2026-04-01")) {
		t.Fatal("a closed request is never overdue")
	}
}

func TestExtensionAddsTwoMonthsOnlyWithinTheFirstMonth(t *testing.T) {
	t.Parallel()
	r := Request{ReceivedOn: d("2026-01-31")}
	// Within the first month, with a reason: allowed.
	if errs := CheckExtension(r, "Many records across several events", d("2026-03-02")); len(errs) != 0 {
		t.Fatalf("extension on the due date refused: %v", errs)
	}
	// No reason.
	if errs := CheckExtension(r, "  ", d("2026-02-10")); errs.Key("reason") != ErrReasonMissing.Error() {
		t.Fatalf("no reason: %v", errs)
	}
	// After the first month.
	if errs := CheckExtension(r, "complex", d("2026-03-03")); errs.Key("reason") != ErrExtendTooLate.Error() {
		t.Fatalf("late: %v", errs)
	}
	r.Extended = true
	if errs := CheckExtension(r, "again", d("2026-02-10")); errs.Key("reason") != ErrAlreadyExtended.Error() {
		t.Fatalf("twice: %v", errs)
	}
	// 31 January + 3 months = 30 April 2026, a Thursday.
	if got := r.Due().Format(time.DateOnly); got != "2026-04-30" {
		t.Fatalf("extended due %s", got)
	}
	// 28 November 2026 + 3 months = 28 February 2027, a Sunday: Monday.
	if got := ExtendedDue(d("2026-11-28")).Format(time.DateOnly); got != "2027-03-01" {
		t.Fatalf("extended due %s", got)
	}
}

func TestNewRequestValidation(t *testing.T) {
	t.Parallel()
	today := d("2026-12-06")
	n := New{}
	errs := n.Validate(today)
	for _, id := range []string{"kind", "channel", "received", "reference"} {
		if !errs.Has(id) {
			t.Errorf("empty request: no error for %s (%v)", id, errs)
		}
	}
	n = New{Kind: KindAccess, Channel: ChannelEmail, ReceivedOn: "2026-12-07", Reference: "abc-123"}
	if errs := n.Validate(today); errs.Key("received") != ErrDateFuture.Error() {
		t.Errorf("future date: %v", errs)
	}
	n = New{Kind: KindAccess, Channel: ChannelEmail, ReceivedOn: "2026-12-01", IdentityOn: "2026-11-30", Contact: "a@example.org"}
	if errs := n.Validate(today); errs.Key("identity") != ErrIdentityEarly.Error() {
		t.Errorf("identity before receipt: %v", errs)
	}
	n = New{Kind: KindErasure, Channel: ChannelPhone, ReceivedOn: "2026-12-01", Reference: " abc-123 "}
	if errs := n.Validate(today); len(errs) != 0 || n.Reference != "ABC-123" || !n.Received.Equal(d("2026-12-01")) {
		t.Errorf("valid request: %v %q", errs, n.Reference)
	}
}

func TestReminderStage(t *testing.T) {
	t.Parallel()
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	r := Request{ReceivedOn: day("2026-03-02")} // due Thursday 2 April 2026
	for _, c := range []struct {
		today, want string
	}{{"2026-03-20", ""}, {"2026-03-25", ""}, {"2026-03-26", StageDueSoon}, {"2026-04-02", StageDueSoon}, {"2026-04-03", StageOverdue}} {
		got, ok := ReminderStage(r, day(c.today))
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%s: %q %v, want %q", c.today, got, ok, c.want)
		}
	}
	closed := day("2026-03-30")
	r.ClosedOn = &closed
	if got, ok := ReminderStage(r, day("2026-04-10")); ok {
		t.Errorf("a closed request needs no reminder, got %q", got)
	}
}
