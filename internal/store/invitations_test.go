package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/invitation"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/retention"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

func inviteRequest() invitation.Request {
	return invitation.Request{Kind: invitation.KindMiniEvent, Group: "Bury Park Women's Coffee Morning", Community: "pakistani",
		Expected: 25, Languages: []string{"ur", "en"}, OtherLanguages: "Punjabi", PreferredDates: "Saturday mornings in March",
		Venue: "Community centre hall", Notes: "Most of us come after the school run.", Lang: "ur",
		Contact: invitation.Contact{Name: "v1:k:name", Email: "v1:k:email", Phone: "v1:k:phone"}}
}

func invitationMails(t *testing.T, s *store.Store) []string {
	t.Helper()
	queued, err := s.OutboxMail(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range queued {
		out = append(out, m.Kind)
	}
	return out
}

func queued(kind string) mail.Queued { return mail.Queued{Kind: kind, Payload: "v1:k:sealed-message"} }

func TestInvitationTriage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		v, err := s.CreateInvitation(ctx, inviteRequest(), queued("invitation_received"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Invitation(ctx, v.ID)
		if err != nil || got.Status != invitation.StatusNew || got.Group != "Bury Park Women's Coffee Morning" || got.Expected != 25 ||
			strings.Join(got.Languages, ",") != "ur,en" || got.Contact.Email != "v1:k:email" || got.Lang != "ur" {
			t.Fatalf("stored: %+v %v", got, err)
		}
		if k := invitationMails(t, s); len(k) != 1 || k[0] != "invitation_received" {
			t.Fatalf("outbox after the request: %v", k)
		}
		// No skipping: a new request cannot be scheduled or done.
		if err := s.MoveInvitation(ctx, "conn", v.ID, invitation.StatusDone, "", queued("invitation_done")); !errors.Is(err, invitation.ErrIllegalMove) {
			t.Fatalf("new -> done: %v", err)
		}
		if err := s.ScheduleInvitation(ctx, "conn", v.ID, &event.Event{Kind: event.KindMiniHearMe, Start: time.Now(), End: time.Now().Add(time.Hour), Capacity: 30}); !errors.Is(err, invitation.ErrIllegalMove) {
			t.Fatalf("new -> scheduled: %v", err)
		}
		if events, err := s.Held(ctx, "events"); err != nil || events != 0 {
			t.Fatal("a refused scheduling left an event behind")
		}
		// A decline needs a reason.
		if err := s.MoveInvitation(ctx, "conn", v.ID, invitation.StatusDeclined, "  "); !errors.Is(err, invitation.ErrIllegalMove) {
			t.Fatalf("decline without a reason: %v", err)
		}
		if k := invitationMails(t, s); len(k) != 1 {
			t.Fatalf("refused moves queued email: %v", k)
		}
		if err := s.MoveInvitation(ctx, "conn", "no-such-id", invitation.StatusContacted, ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing request: %v", err)
		}
		// Owner: a connector, never a champion or an unknown id.
		conn, _ := s.CreateUser(ctx, "test", account.NewUser{Email: "amina@example.org", DisplayName: "Amina", Role: account.Connector})
		champ, _ := s.CreateUser(ctx, "test", account.NewUser{Email: "champ@example.org", DisplayName: "Champ", Role: account.Champion})
		if err := s.SetInvitationOwner(ctx, conn.ID, v.ID, champ.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("champion as owner: %v", err)
		}
		if err := s.SetInvitationOwner(ctx, conn.ID, v.ID, conn.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.AddInvitationNote(ctx, conn.ID, v.ID, "Rang the group; they prefer 10am."); err != nil {
			t.Fatal(err)
		}
		if err := s.MoveInvitation(ctx, conn.ID, v.ID, invitation.StatusContacted, "ignored", queued("invitation_contacted")); err != nil {
			t.Fatal(err)
		}
		// Scheduling creates the event, in one transaction with the move and the email.
		start := time.Date(2027, 3, 6, 10, 0, 0, 0, time.UTC)
		ev := &event.Event{Kind: event.KindMiniHearMe, Community: "pakistani", Languages: []string{"ur", "en"}, Start: start, End: start.Add(2 * time.Hour),
			VenueName: "Community centre hall", Capacity: 30, Texts: map[string]event.Text{"en": {Title: "Hear me at Bury Park Women's Coffee Morning"}}}
		if err := s.ScheduleInvitation(ctx, conn.ID, v.ID, ev, queued("invitation_scheduled")); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Invitation(ctx, v.ID)
		if got.Status != invitation.StatusScheduled || got.EventID != ev.ID || got.OwnerName != "Amina" || got.DeclineReason != "" {
			t.Fatalf("after scheduling: %+v", got)
		}
		made, err := s.Event(ctx, ev.ID)
		if err != nil || made.Kind != "mini-hear-me" || made.Community != "pakistani" || made.Capacity != 30 || !made.Start.Equal(start) || len(made.Texts) == 0 {
			t.Fatalf("event from the request: %+v, %v", made, err)
		}
		for lang, text := range made.Texts {
			if text.Title != "Hear me at Bury Park Women's Coffee Morning" {
				t.Fatalf("event from the request: title [%s] %q", lang, text.Title)
			}
		}
		// Scheduling twice is refused and creates no second event.
		if err := s.ScheduleInvitation(ctx, conn.ID, v.ID, &event.Event{Kind: event.KindMiniHearMe, Start: start, End: start, Capacity: 1}); !errors.Is(err, invitation.ErrIllegalMove) {
			t.Fatalf("second scheduling: %v", err)
		}
		if err := s.MoveInvitation(ctx, conn.ID, v.ID, invitation.StatusDone, "", queued("invitation_done")); err != nil {
			t.Fatal(err)
		}
		if k := invitationMails(t, s); strings.Join(k, " ") != "invitation_received invitation_contacted invitation_scheduled invitation_done" {
			t.Fatalf("emails: %v", k)
		}
		got, _ = s.Invitation(ctx, v.ID)
		if got.ClosedAt == nil || len(got.History) != 5 || got.History[0].Kind != invitation.EntryOwner || got.History[0].Text != "Amina" ||
			got.History[1].Text != "Rang the group; they prefer 10am." || got.History[4].Text != "done" {
			t.Fatalf("history: %+v", got.History)
		}
		// Done is final.
		if err := s.MoveInvitation(ctx, conn.ID, v.ID, invitation.StatusDeclined, "changed our mind"); !errors.Is(err, invitation.ErrIllegalMove) {
			t.Fatalf("done -> declined: %v", err)
		}
		// Declined with a reason keeps it.
		d, _ := s.CreateInvitation(ctx, inviteRequest())
		if err := s.MoveInvitation(ctx, conn.ID, d.ID, invitation.StatusDeclined, "We have no connector who speaks Somali that week.", queued("invitation_declined")); err != nil {
			t.Fatal(err)
		}
		d, _ = s.Invitation(ctx, d.ID)
		if d.DeclineReason != "We have no connector who speaks Somali that week." || d.ClosedAt == nil {
			t.Fatalf("declined: %+v", d)
		}
		board, _ := s.Invitations(ctx, "")
		counts, _ := s.InvitationCounts(ctx)
		if len(board) != 2 || counts[invitation.StatusDone] != 1 || counts[invitation.StatusDeclined] != 1 {
			t.Fatalf("board %d, counts %v", len(board), counts)
		}
		// Looking at the contact details is audited.
		if _, err := s.InvitationForStaff(ctx, conn.ID, d.ID); err != nil {
			t.Fatal(err)
		}
		if e, _ := s.RecentAudit(ctx, 1); e[0].Action != "invitation.viewed" || e[0].Subject != d.ID {
			t.Fatalf("view not audited: %+v", e[0])
		}
	})
}

// A closed request keeps its contact details 90 days; an open one keeps
// them however old it is.
func TestInvitationContactRetention(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return t0 })
		closed, _ := s.CreateInvitation(ctx, inviteRequest())
		open, _ := s.CreateInvitation(ctx, inviteRequest())
		if err := s.MoveInvitation(ctx, "c", closed.ID, invitation.StatusDeclined, "No capacity"); err != nil {
			t.Fatal(err)
		}
		cutoff := t0.Add(100 * 24 * time.Hour).Add(-invitation.ContactRetention)
		if n, err := s.RetentionDue(ctx, store.RuleInvitationContacts, t0.Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("due before the period: %d %v", n, err)
		}
		if n, err := s.RetentionDue(ctx, store.RuleInvitationContacts, cutoff); err != nil || n != 1 {
			t.Fatalf("due: %d %v", n, err)
		}
		// The retention job's rules include it, at 90 days.
		rules := retention.DefaultRules()
		if plan, err := rules.Plan(ctx, s, t0.Add(89*24*time.Hour)); err != nil || countFor(plan.Counts, store.RuleInvitationContacts) != 0 {
			t.Fatalf("plan at 89 days: %+v %v", plan, err)
		}
		res, err := rules.Apply(ctx, s, t0.Add(100*24*time.Hour))
		if err != nil || countFor(res.Counts, store.RuleInvitationContacts) != 1 {
			t.Fatalf("apply at 100 days: %+v %v", res, err)
		}
		if n, _ := s.RetentionDue(ctx, store.RuleInvitationContacts, cutoff); n != 0 {
			t.Fatalf("%d still due after the purge", n)
		}
		c, _ := s.Invitation(ctx, closed.ID)
		if !c.ContactGone || c.Contact != (invitation.Contact{}) || c.Notes != "" || c.Group == "" || c.DeclineReason == "" {
			t.Fatalf("after retention: %+v", c)
		}
		o, _ := s.Invitation(ctx, open.ID)
		if o.Contact.Email != "v1:k:email" {
			t.Fatal("an open request lost its contact details")
		}
	})
}

func countFor(cs []retention.Count, rule string) int64 {
	for _, c := range cs {
		if c.Rule == rule {
			return c.Records
		}
	}
	return -1
}
