package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// BenchmarkEventDay measures what a connector's phone waits for at the
// door of a large event (300 registrations, 200 experiences captured):
// the check-in list, one arrival, and the event's report.
func BenchmarkEventDay(b *testing.B) {
	for _, db := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(db.name, func(b *testing.B) {
			s := db.open(b)
			start := time.Now().UTC().Add(24 * time.Hour)
			ev := &event.Event{Kind: event.KindHearMe, Visibility: event.Public, Start: start, End: start.Add(3 * time.Hour), VenueName: "Hall", Capacity: 400,
				Texts: map[string]event.Text{"en": {Title: "Big hear me"}}}
			if err := s.CreateEvent(ctx, ev); err != nil {
				b.Fatal(err)
			}
			var ids []string
			for i := range 300 {
				r, err := s.Register(ctx, store.NewRegistration{Registration: event.Registration{EventID: ev.ID, Places: 1, Lang: "en", NameSealed: "v1:k:name"},
					CancelHash: event.Hash(fmt.Sprint("bench-", i))}, nil)
				if err != nil {
					b.Fatal(err)
				}
				ids = append(ids, r.ID)
			}
			for i := range 200 {
				sub := submission()
				sub.EventID, sub.Equality = ev.ID, equality.Answers{Community: []string{"south-asian", "black-african", ""}[i%3]}
				if _, err := s.SubmitExperience(ctx, sub, experience.Contact{}); err != nil {
					b.Fatal(err)
				}
			}
			b.Run("check-in-list", func(b *testing.B) {
				for b.Loop() {
					if l, err := s.CheckInList(ctx, ev.ID); err != nil || len(l) != 300 {
						b.Fatal(len(l), err)
					}
				}
			})
			b.Run("arrive", func(b *testing.B) {
				i := 0
				for b.Loop() {
					if err := s.SetAttended(ctx, "bench", ev.ID, ids[i%len(ids)], i%2 == 0); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
			b.Run("report", func(b *testing.B) {
				for b.Loop() {
					if r, err := s.EventReport(ctx, ev.ID); err != nil || r.Experiences != 200 {
						b.Fatal(r, err)
					}
				}
			})
		})
	}
}
