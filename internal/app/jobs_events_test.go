package app_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
	"github.com/hearme-project/hearme/internal/web"
)

// The day before an event, after nine in the morning (London), every
// confirmed registration with an email and consent gets one reminder, in
// the language it was made in; running again sends nothing more.
func TestEventReminders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		if err := st.ReplaceProgramme(ctx, "test", demo.Luton()); err != nil {
			t.Fatal(err)
		}
		keys, err := sealed.LoadOrCreate(filepath.Join(t.TempDir(), "keys.txt"))
		if err != nil {
			t.Fatal(err)
		}
		cat, err := web.Catalogue()
		if err != nil {
			t.Fatal(err)
		}
		d := app.JobDeps{Config: config.Config{BaseURL: "https://hearme.example"}, Store: st, Keys: keys, Catalog: cat,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		loc, _ := time.LoadLocation("Europe/London")
		now := time.Now().In(loc)
		tomorrow := time.Date(now.Year(), now.Month(), now.Day()+1, 15, 0, 0, 0, loc)
		ev := &event.Event{Kind: event.KindListening, Visibility: event.Public, Languages: []string{"en"}, Start: tomorrow.UTC(), End: tomorrow.Add(time.Hour).UTC(),
			VenueName: "Example Hall", VenueAddress: "1 Example Street", Capacity: 5, Texts: map[string]event.Text{"en": {Title: "Listening"}, "pl": {Title: "Słuchamy"}}}
		if err := st.CreateEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
		seal := func(s string) string { v, _ := keys.Seal(s); return v }
		for i, r := range []struct {
			lang, email string
			consent     bool
		}{{"pl", "ola@example.org", true}, {"en", "no-consent@example.org", false}, {"en", "", true}} {
			nr := store.NewRegistration{Registration: event.Registration{EventID: ev.ID, Places: 1, Lang: r.lang, NameSealed: seal("Ola"), Reminders: r.consent},
				CancelHash: event.Hash(string(rune('a'+i)) + "-cancel")}
			if r.email != "" {
				nr.EmailSealed = seal(r.email)
			}
			if _, err := st.Register(ctx, nr, nil); err != nil {
				t.Fatal(err)
			}
		}
		early := time.Date(now.Year(), now.Month(), now.Day(), 7, 0, 0, 0, loc)
		if n, err := app.SendEventReminders(ctx, d, early); err != nil || n != 0 {
			t.Fatalf("before nine: %d %v", n, err)
		}
		at := time.Date(now.Year(), now.Month(), now.Day(), 10, 0, 0, 0, loc)
		n, err := app.SendEventReminders(ctx, d, at)
		if err != nil || n != 1 {
			t.Fatalf("reminders: %d %v (want 1: only the registration with an email and consent)", n, err)
		}
		if n, _ := app.SendEventReminders(ctx, d, at.Add(time.Hour)); n != 0 {
			t.Fatalf("reminded again: %d", n)
		}
		reminders, err := st.OutboxMail(ctx, "event_reminder")
		if err != nil || len(reminders) != 1 {
			t.Fatalf("reminders in the outbox: %d, %v; want one", len(reminders), err)
		}
		m, err := mail.Open(keys, reminders[0].Payload)
		if err != nil || m.To != "ola@example.org" || m.Lang != "pl" || !strings.Contains(m.Subject, "Słuchamy") ||
			!strings.Contains(m.Text, "https://hearme.example/events/"+ev.ID+"/cancel/") {
			t.Fatalf("reminder: %+v %v", m, err)
		}
	})
}

// Without --base-url the reminder's links (event, calendar, cancel) name
// the listening address: every one absolute, none relative.
func TestEventReminderLinksWithoutBaseURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.SQLite(t)
	if err := st.ReplaceProgramme(ctx, "test", demo.Luton()); err != nil {
		t.Fatal(err)
	}
	keys, err := sealed.LoadOrCreate(filepath.Join(t.TempDir(), "keys.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := web.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	d := app.JobDeps{Config: config.Config{Addr: "127.0.0.1:8089"}, Store: st, Keys: keys, Catalog: cat, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	loc, _ := time.LoadLocation("Europe/London")
	now := time.Now().In(loc)
	tomorrow := time.Date(now.Year(), now.Month(), now.Day()+1, 15, 0, 0, 0, loc)
	ev := &event.Event{Kind: event.KindListening, Visibility: event.Public, Languages: []string{"en"}, Start: tomorrow.UTC(), End: tomorrow.Add(time.Hour).UTC(),
		VenueName: "Example Hall", VenueAddress: "1 Example Street", Capacity: 5, Texts: map[string]event.Text{"en": {Title: "Listening"}}}
	if err := st.CreateEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	seal := func(s string) string { v, _ := keys.Seal(s); return v }
	if _, err := st.Register(ctx, store.NewRegistration{Registration: event.Registration{EventID: ev.ID, Places: 1, Lang: "en", NameSealed: seal("Ola"),
		EmailSealed: seal("ola@example.org"), Reminders: true}, CancelHash: event.Hash("x-cancel")}, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := app.SendEventReminders(ctx, d, time.Date(now.Year(), now.Month(), now.Day(), 10, 0, 0, 0, loc)); err != nil || n != 1 {
		t.Fatalf("reminders: %d %v", n, err)
	}
	queued, _ := st.OutboxMail(ctx, "event_reminder")
	m, err := mail.Open(keys, queued[0].Payload)
	if err != nil {
		t.Fatal(err)
	}
	base := "http://127.0.0.1:8089/events/" + ev.ID
	for _, want := range []string{base + "\n", base + "/calendar.ics", base + "/cancel/"} {
		if !strings.Contains(m.Text+"\n", want) {
			t.Errorf("the reminder lacks %q:\n%s", strings.TrimSpace(want), m.Text)
		}
	}
	for _, line := range strings.Split(m.Text, "\n") {
		if strings.Contains(line, ": /") || strings.HasPrefix(strings.TrimSpace(line), "/") {
			t.Errorf("relative link in the reminder: %q", line)
		}
	}
	if strings.Contains(m.HTML, `href="/`) {
		t.Errorf("relative link in the reminder's HTML:\n%s", m.HTML)
	}
}
