package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/retention"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

func newTestEvent(t *testing.T, s *store.Store, capacity int, start time.Time) *event.Event {
	t.Helper()
	e := &event.Event{Kind: event.KindHearMe, Visibility: event.Public, Languages: []string{"en", "ro"}, Interpreters: []string{"pl"},
		Start: start, End: start.Add(2 * time.Hour), VenueName: "Example Hall", VenueAddress: "1 Example Street, Luton", Capacity: capacity,
		Access: []string{event.AccessStepFree, event.AccessHearingLoop}, Community: "eastern-european",
		Texts:  map[string]event.Text{"en": {Title: "Hear me", Body: "Come and talk"}, "ro": {Title: "Ascultă-mă"}},
		Agenda: []event.AgendaItem{{At: "10:00", Activity: "Welcome", Speaker: "A connector"}}}
	if err := s.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	return e
}

// reg builds a registration whose cancel hash is unique per name.
func reg(eventID, name string, places int, emailKey string) store.NewRegistration {
	return store.NewRegistration{Registration: event.Registration{EventID: eventID, Places: places, Lang: "en", NameSealed: "v1:k:" + name},
		EmailKey: emailKey, CancelHash: event.Hash("cancel-" + name)}
}

// recorder is a RegMailer that records which kinds were sent to whom,
// and queues a real (unsealed-looking) payload so the outbox is written.
type recorder struct {
	mu   sync.Mutex
	sent []string
}

func (m *recorder) mailer(kind string, r event.Registration) ([]mail.Queued, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, kind+":"+r.NameSealed)
	return []mail.Queued{{Kind: kind, Payload: "sealed"}}, nil
}

// countsAgree fails when an event's counters differ from its
// registrations.
func countsAgree(t *testing.T, s *store.Store, id string) {
	t.Helper()
	var c, w int
	if err := s.ReadDB().QueryRow(rebind(s, "SELECT confirmed_places, waiting_places FROM events WHERE id = ?"), id).Scan(&c, &w); err != nil {
		t.Fatal(err)
	}
	cc := count(t, s, "SELECT COALESCE(SUM(places), 0) FROM registrations WHERE status = 'confirmed' AND event_id = ?", id)
	ww := count(t, s, "SELECT COALESCE(SUM(places), 0) FROM registrations WHERE status = 'waiting' AND event_id = ?", id)
	if c != cc || w != ww {
		t.Fatalf("counters %d confirmed, %d waiting; registrations %d, %d", c, w, cc, ww)
	}
}

func outboxCount(t *testing.T, s *store.Store, kind string) int {
	t.Helper()
	queued, err := s.OutboxMail(ctx, kind)
	if err != nil {
		t.Fatal(err)
	}
	return len(queued)
}

func TestEventCreateAndList(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Now().UTC()
		e := newTestEvent(t, s, 20, now.Add(48*time.Hour))
		got, err := s.Event(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Text("ro").Title != "Ascultă-mă" || got.Text("so").Title != "Hear me" || len(got.Agenda) != 1 || got.Agenda[0].Speaker != "A connector" ||
			!got.HasAccess(event.AccessHearingLoop) || got.Capacity != 20 || !got.Start.Equal(e.Start.Truncate(time.Microsecond)) && !got.Start.Equal(e.Start) {
			t.Fatalf("read back: %+v", got)
		}
		inv := newTestEvent(t, s, 5, now.Add(72*time.Hour))
		inv.Visibility = event.Invitation
		if _, err := s.UpdateEvent(ctx, "c1", inv, nil); err != nil {
			t.Fatal(err)
		}
		if inv.InviteKey == "" {
			t.Fatal("an invitation-only event has no invitation key")
		}
		list, err := s.Events(ctx, store.EventFilter{From: now, PublicOnly: true, Scheduled: true})
		if err != nil || len(list) != 1 || list[0].ID != e.ID {
			t.Fatalf("public list: %+v %v", list, err)
		}
		for _, f := range []struct {
			filter store.EventFilter
			want   int
		}{
			{store.EventFilter{From: now, Lang: "pl"}, 2}, // interpreted
			{store.EventFilter{From: now, Lang: "p"}, 0},  // whole codes only
			{store.EventFilter{From: now, Lang: "bn"}, 0}, // not spoken
			{store.EventFilter{From: now, Community: "south-asian"}, 0},
			{store.EventFilter{From: now, Community: "eastern-european"}, 2},
			{store.EventFilter{From: now.Add(60 * time.Hour)}, 1},
		} {
			if got, err := s.Events(ctx, f.filter); err != nil || len(got) != f.want {
				t.Errorf("filter %+v: %d events, %v (want %d)", f.filter, len(got), err, f.want)
			}
		}
		if _, err := s.Event(ctx, "not-an-id"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("forged id: %v", err)
		}
		if _, err := s.Event(ctx, store.NewID()); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown id: %v", err)
		}
	})
}

// 100 people register at once for 10 places: exactly 10 are confirmed,
// 90 wait, in the order the database served them, and nothing is
// over-booked.
func TestRegisterConcurrentCapacity(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newTestEvent(t, s, 10, time.Now().Add(24*time.Hour))
		m := &recorder{}
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, err := s.Register(ctx, reg(e.ID, fmt.Sprint("p", i), 1, ""), m.mailer)
				errs <- err
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		countsAgree(t, s, e.ID)
		got, _ := s.Event(ctx, e.ID)
		if got.Confirmed != 10 || got.Waiting != 90 {
			t.Fatalf("confirmed %d, waiting %d (want 10 and 90)", got.Confirmed, got.Waiting)
		}
		regs, _ := s.Registrations(ctx, e.ID)
		seen := map[int]bool{}
		for i, r := range regs {
			if seen[r.Position] {
				t.Fatalf("position %d given twice", r.Position)
			}
			seen[r.Position] = true
			if want := event.RegConfirmed; i >= 10 {
				if r.Status != event.RegWaiting || r.WaitingAhead != i-10 {
					t.Fatalf("registration %d: %s, %d ahead", i, r.Status, r.WaitingAhead)
				}
			} else if r.Status != want {
				t.Fatalf("registration %d (position %d): %s", i, r.Position, r.Status)
			}
		}
		if a, b := outboxCount(t, s, "event_registered"), outboxCount(t, s, "event_waitlisted"); a != 10 || b != 90 {
			t.Fatalf("outbox: %d registered, %d waitlisted", a, b)
		}
	})
}

func TestRegistrationRules(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newTestEvent(t, s, 3, time.Now().Add(24*time.Hour))
		m := &recorder{}
		a, err := s.Register(ctx, reg(e.ID, "a", 2, "ka"), m.mailer)
		if err != nil || a.Status != event.RegConfirmed {
			t.Fatalf("a: %+v %v", a, err)
		}
		// The same email again is refused; after cancelling it is allowed.
		if _, err := s.Register(ctx, reg(e.ID, "a2", 1, "ka"), m.mailer); !errors.Is(err, event.ErrDuplicateRegistration) {
			t.Fatalf("duplicate: %v", err)
		}
		// b wants 2 but only 1 is free: waits. c wants 1 and it is free,
		// but b is ahead: c waits too (nobody is overtaken).
		b, _ := s.Register(ctx, reg(e.ID, "b", 2, ""), m.mailer)
		c, _ := s.Register(ctx, reg(e.ID, "c", 1, ""), m.mailer)
		if b.Status != event.RegWaiting || c.Status != event.RegWaiting {
			t.Fatalf("b %s, c %s", b.Status, c.Status)
		}
		// Capacity below the confirmed places is refused.
		ev, _ := s.Event(ctx, e.ID)
		ev.Capacity = 1
		if _, err := s.UpdateEvent(ctx, "c1", ev, m.mailer); !errors.Is(err, event.ErrCapacityBelow) {
			t.Fatalf("capacity below: %v", err)
		}
		// a cancels: b (2 places) then c (1) are promoted, in order.
		cancelled, promoted, err := s.CancelRegistration(ctx, event.Hash("cancel-a"), m.mailer)
		if err != nil || cancelled.Status != event.RegCancelled || len(promoted) != 2 || promoted[0].ID != b.ID || promoted[1].ID != c.ID {
			t.Fatalf("cancel: %+v %+v %v", cancelled, promoted, err)
		}
		if _, _, err := s.CancelRegistration(ctx, event.Hash("cancel-a"), m.mailer); err != nil {
			t.Fatalf("cancelling twice: %v", err)
		}
		if _, _, err := s.CancelRegistration(ctx, event.Hash("forged"), m.mailer); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("forged token: %v", err)
		}
		countsAgree(t, s, e.ID)
		if n := outboxCount(t, s, "event_promoted"); n != 2 {
			t.Fatalf("promotion emails: %d", n)
		}
		if n := outboxCount(t, s, "event_cancelled_by_you"); n != 1 {
			t.Fatalf("cancellation emails: %d (cancelling twice must not send again)", n)
		}
		if _, err := s.Register(ctx, reg(e.ID, "a3", 1, "ka"), m.mailer); err != nil {
			t.Fatalf("registering again after cancelling: %v", err)
		}
		// Raising the capacity promotes the waiting list.
		ev, _ = s.Event(ctx, e.ID)
		if ev.Confirmed != 3 || ev.Waiting != 1 {
			t.Fatalf("counts: %d %d", ev.Confirmed, ev.Waiting)
		}
		ev.Capacity = 4
		if p, err := s.UpdateEvent(ctx, "c1", ev, m.mailer); err != nil || len(p) != 1 {
			t.Fatalf("raise capacity: %v %v", p, err)
		}
		countsAgree(t, s, e.ID)
		if n := outboxCount(t, s, "event_changed"); n != 0 {
			t.Fatalf("a change of capacity told people the event changed: %d", n)
		}
		// A new venue is news for the four registered.
		ev, _ = s.Event(ctx, e.ID)
		ev.VenueName = "Another Example Hall"
		if _, err := s.UpdateEvent(ctx, "c1", ev, m.mailer); err != nil {
			t.Fatal(err)
		}
		if n := outboxCount(t, s, "event_changed"); n != 3 {
			t.Fatalf("venue change emails: %d (want b, c, a3)", n)
		}
		// A cancelled event takes no registrations and tells everyone.
		if err := s.SetEventStatus(ctx, "c1", e.ID, event.StatusCancelled, "The hall flooded.", m.mailer); err != nil {
			t.Fatal(err)
		}
		if n := outboxCount(t, s, "event_changed"); n != 6 {
			t.Fatalf("change emails: %d (want three more, one per active registration: b, c, a3)", n)
		}
		if _, err := s.Register(ctx, reg(e.ID, "d", 1, ""), m.mailer); !errors.Is(err, event.ErrClosed) {
			t.Fatalf("cancelled event: %v", err)
		}
		if _, err := s.Register(ctx, reg(store.NewID(), "e", 1, ""), m.mailer); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown event: %v", err)
		}
	})
}

func TestRemindersOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Now().UTC()
		e := newTestEvent(t, s, 5, now.Add(30*time.Hour))
		later := newTestEvent(t, s, 5, now.Add(80*time.Hour))
		with := reg(e.ID, "with", 1, "")
		with.EmailSealed, with.Reminders = "v1:k:email", true
		without := reg(e.ID, "without", 1, "")
		without.EmailSealed = "v1:k:email2"
		other := reg(later.ID, "later", 1, "")
		other.EmailSealed, other.Reminders = "v1:k:email3", true
		for _, r := range []store.NewRegistration{with, without, other} {
			if _, err := s.Register(ctx, r, nil); err != nil {
				t.Fatal(err)
			}
		}
		due, err := s.DueReminders(ctx, now.Add(24*time.Hour), now.Add(48*time.Hour), 100)
		if err != nil || len(due) != 1 || due[0].NameSealed != "v1:k:with" {
			t.Fatalf("due: %+v %v", due, err)
		}
		m := &recorder{}
		if ok, err := s.MarkReminded(ctx, due[0], m.mailer); !ok || err != nil {
			t.Fatalf("remind: %v %v", ok, err)
		}
		if ok, _ := s.MarkReminded(ctx, due[0], m.mailer); ok {
			t.Fatal("reminded twice")
		}
		if n := outboxCount(t, s, "event_reminder"); n != 1 {
			t.Fatalf("reminders in the outbox: %d", n)
		}
		if due, _ := s.DueReminders(ctx, now.Add(24*time.Hour), now.Add(48*time.Hour), 100); len(due) != 0 {
			t.Fatalf("still due: %+v", due)
		}
	})
}

// Thirty days (by default) after an event, its registrations lose the
// name, contact details and access needs; status and places stay.
func TestRegistrationRetention(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		t0 := time.Now().UTC()
		past := newTestEvent(t, s, 5, t0.Add(time.Hour))
		future := newTestEvent(t, s, 5, t0.Add(60*24*time.Hour))
		for _, r := range []store.NewRegistration{reg(past.ID, "p1", 2, "k1"), reg(past.ID, "p2", 1, ""), reg(future.ID, "f1", 1, "")} {
			r.EmailSealed, r.PhoneSealed, r.AccessNeedsSealed = "v1:k:e", "v1:k:p", "v1:k:a"
			if _, err := s.Register(ctx, r, nil); err != nil {
				t.Fatal(err)
			}
		}
		rules := retention.DefaultRules()
		// 29 days after the first event ended: nothing is due yet.
		plan, err := rules.Plan(ctx, s, past.End.Add(29*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range plan.Counts {
			if c.Rule == retention.RuleRegistrations && c.Records != 0 {
				t.Fatalf("due too early: %+v", c)
			}
		}
		res, err := rules.Apply(ctx, s, past.End.Add(31*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range res.Counts {
			if c.Rule == retention.RuleRegistrations {
				found = true
				if c.Records != 2 {
					t.Fatalf("removed %d registrations' details (want 2)", c.Records)
				}
			}
		}
		if !found {
			t.Fatal("the registration-details rule is not in the retention rules")
		}
		regs, _ := s.Registrations(ctx, past.ID)
		for _, r := range regs {
			if r.NameSealed != "" || r.EmailSealed != "" || r.PhoneSealed != "" || r.AccessNeedsSealed != "" || r.DetailsRemovedAt == nil {
				t.Fatalf("details kept: %+v", r)
			}
		}
		if ev, _ := s.Event(ctx, past.ID); ev.Confirmed != 3 {
			t.Fatalf("places lost: %d", ev.Confirmed)
		}
		regs, _ = s.Registrations(ctx, future.ID)
		if regs[0].NameSealed == "" {
			t.Fatal("a future event's registration lost its details")
		}
		// The duplicate-check hash went too: the same email may register
		// for another event, and nothing links it to the old one.
		if keys := count(t, s, "SELECT COUNT(*) FROM registrations WHERE email_key <> '' AND event_id = ?", past.ID); keys != 0 {
			t.Fatal("duplicate-check hashes kept")
		}
	})
}

// BenchmarkRegister is the store's part of a registration: the
// transaction under the event's lock, with the counts, the duplicate
// check and the insert (no email).
//
//	go test -run='^$' -bench=Register ./internal/store/
func BenchmarkRegister(b *testing.B) {
	s := storetest.SQLite(b)
	start := time.Now().Add(24 * time.Hour)
	e := &event.Event{Kind: event.KindHearMe, Visibility: event.Public, Languages: []string{"en"}, Start: start, End: start.Add(time.Hour),
		VenueName: "Hall", VenueAddress: "Street", Capacity: 1000, Texts: map[string]event.Text{"en": {Title: "T"}}}
	if err := s.CreateEvent(ctx, e); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		if _, err := s.Register(ctx, reg(e.ID, fmt.Sprint("b", i), 1, fmt.Sprint("k", i)), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// Registrations arriving together (on SQLite they share one commit,
// each under its own savepoint): a refused one, here the second of two
// with the same email, rolls back alone, and the others, the counters
// and the emails are exactly as if each had run by itself.
func TestConcurrentRegistrationsWithDuplicates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newTestEvent(t, s, 10, time.Now().Add(24*time.Hour))
		m := &recorder{}
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, dup := 0, 0
		for i := 0; i < 60; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, err := s.Register(ctx, reg(e.ID, fmt.Sprint("p", i), 1, fmt.Sprint("key", i/2)), m.mailer)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, event.ErrDuplicateRegistration):
					dup++
				default:
					t.Error(err)
				}
			}(i)
		}
		wg.Wait()
		if ok != 30 || dup != 30 {
			t.Fatalf("%d registered, %d refused as duplicates (want 30 and 30)", ok, dup)
		}
		countsAgree(t, s, e.ID)
		got, _ := s.Event(ctx, e.ID)
		if got.Confirmed != 10 || got.Waiting != 20 {
			t.Fatalf("confirmed %d, waiting %d (want 10 and 20)", got.Confirmed, got.Waiting)
		}
		if a, b := outboxCount(t, s, "event_registered"), outboxCount(t, s, "event_waitlisted"); a != 10 || b != 20 {
			t.Fatalf("outbox: %d registered, %d waitlisted (a refused registration must leave no email)", a, b)
		}
	})
}
