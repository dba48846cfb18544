package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// On the day: arrivals toggle, walk-ins never go below zero, and the
// event's report and the public summary count what happened.
func TestEventCheckInAndReport(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		start := time.Now().UTC().Add(24 * time.Hour).Truncate(time.Second)
		ev := newTestEvent(t, s, 3, start)
		other := newTestEvent(t, s, 5, start)
		var ids []string
		for i, r := range []store.NewRegistration{reg(ev.ID, "amina", 2, ""), reg(ev.ID, "bogdan", 1, ""), reg(ev.ID, "chloe", 2, ""), reg(ev.ID, "dan", 1, "")} {
			got, err := s.Register(ctx, r, nil)
			if err != nil {
				t.Fatalf("register %d: %v", i, err)
			}
			ids = append(ids, got.ID)
		}
		// dan cancels (chloe is waiting: 2 places do not fit in the 0 left).
		if _, _, err := s.CancelRegistration(ctx, reg(ev.ID, "dan", 1, "").CancelHash, nil); err != nil {
			t.Fatal(err)
		}
		list, err := s.CheckInList(ctx, ev.ID)
		if err != nil || len(list) != 3 || list[0].NameSealed != "v1:k:amina" || list[2].Status != "waiting" {
			t.Fatalf("check-in list: %+v %v", list, err)
		}
		if _, err := s.CheckInList(ctx, "01890000-0000-7000-8000-000000000000"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown event: %v", err)
		}
		if err := s.SetAttended(ctx, "conn", ev.ID, ids[0], true); err != nil {
			t.Fatal(err)
		}
		if err := s.SetAttended(ctx, "conn", ev.ID, ids[1], true); err != nil {
			t.Fatal(err)
		}
		if err := s.SetAttended(ctx, "conn", ev.ID, ids[1], false); err != nil {
			t.Fatal(err)
		}
		// A registration of another event, or a cancelled one, is not found.
		if err := s.SetAttended(ctx, "conn", other.ID, ids[0], true); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("other event's registration: %v", err)
		}
		if err := s.SetAttended(ctx, "conn", ev.ID, ids[3], true); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("cancelled registration: %v", err)
		}
		list, _ = s.CheckInList(ctx, ev.ID)
		if list[0].AttendedAt == nil || list[1].AttendedAt != nil {
			t.Fatalf("after toggling: %+v", list)
		}
		// Walk-ins: never negative, never absurd.
		if n, err := s.AddWalkIns(ctx, ev.ID, -1); err != nil || n != 0 {
			t.Fatalf("remove from 0: %d %v", n, err)
		}
		for range 3 {
			s.AddWalkIns(ctx, ev.ID, 1)
		}
		if n, _ := s.AddWalkIns(ctx, ev.ID, -1); n != 2 {
			t.Fatalf("walk-ins %d, want 2", n)
		}
		if n, _ := s.SetWalkIns(ctx, ev.ID, -50); n != 0 {
			t.Fatalf("set negative gave %d", n)
		}
		if n, _ := s.SetWalkIns(ctx, ev.ID, store.MaxWalkIns+1); n != store.MaxWalkIns {
			t.Fatalf("set too many gave %d", n)
		}
		if n, _ := s.SetWalkIns(ctx, ev.ID, 6); n != 6 {
			t.Fatalf("set 6 gave %d", n)
		}
		if _, err := s.AddWalkIns(ctx, "01890000-0000-7000-8000-000000000000", 1); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("walk-ins of an unknown event: %v", err)
		}
		// Experiences captured at the event, with the community they gave.
		for i, community := range []string{"pakistani", "pakistani", "", "somali"} {
			sub := submission()
			sub.EventID, sub.Source = ev.ID, experience.SourceEvent
			sub.Equality = equality.Answers{Community: community}
			if i == 3 {
				sub.Kind, sub.Idea = experience.KindIdea, "Evening sessions"
			}
			if _, err := s.SubmitExperience(ctx, sub, experience.Contact{}); err != nil {
				t.Fatal(err)
			}
		}
		rejected := submission()
		rejected.EventID = ev.ID
		rc, _ := s.SubmitExperience(ctx, rejected, experience.Contact{})
		if err := s.DecideExperience(ctx, "conn", rc.ID, experience.StatusRejected, "spam"); err != nil {
			t.Fatal(err)
		}
		s.AddSignposts(ctx, []store.Signpost{{ServiceID: "svc", Month: "2026-05", Place: "event", EventID: ev.ID, Shown: 4, Opened: 1}})
		rep, err := s.EventReport(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Confirmed != 2 || rep.ConfirmedPlaces != 3 || rep.Waiting != 1 || rep.WaitingPlaces != 2 || rep.Cancelled != 1 || rep.CancelledPlaces != 1 {
			t.Fatalf("registrations: %+v", rep)
		}
		if rep.AttendedRegistrations != 1 || rep.AttendedPlaces != 2 || rep.WalkIns != 6 || rep.Attendance() != 8 {
			t.Fatalf("attendance: %+v", rep)
		}
		if rep.Experiences != 3 || rep.Ideas != 1 {
			t.Fatalf("captured: %d experiences, %d ideas (the rejected one must not count)", rep.Experiences, rep.Ideas)
		}
		if len(rep.Communities) != 3 || rep.Communities[0] != (store.CommunityCount{Community: "pakistani", Count: 2}) || rep.Communities[2].Community != "" {
			t.Fatalf("communities: %+v", rep.Communities)
		}
		if rep.SignpostsShown != 4 || rep.SignpostsOpened != 1 {
			t.Fatalf("signposts: %+v", rep)
		}
		if _, err := s.EventReport(ctx, "01890000-0000-7000-8000-000000000000"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("report of an unknown event: %v", err)
		}
		// The summary counts events held before the time, by community:
		// after the two events, not before.
		if sum, _ := s.EventsSummary(ctx, time.Now().UTC()); sum.Events != 0 {
			t.Fatalf("events not held yet are counted: %+v", sum)
		}
		newTestEvent(t, s, 5, start.Add(48*time.Hour)) // not held yet
		sum, err := s.EventsSummary(ctx, start.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if sum.Events != 2 || sum.People != 8 || sum.Experiences != 4 || len(sum.ByCommunity) != 1 || sum.ByCommunity[0].Community != "eastern-european" {
			t.Fatalf("summary: %+v", sum)
		}
	})
}
