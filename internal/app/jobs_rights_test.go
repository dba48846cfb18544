package app_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/rights"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
	"github.com/hearme-project/hearme/internal/web"
)

// Open rights requests due within a week, and overdue ones, are reminded
// of once per stage to every active administrator and data protection
// officer (not other staff, not the disabled); the email names no one;
// running again sends nothing more; an extension's new due date gets a
// reminder of its own; a closed request gets none.
func TestRightsReminders(t *testing.T) {
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
		st.UseKeys(keys)
		cat, err := web.Catalogue()
		if err != nil {
			t.Fatal(err)
		}
		d := app.JobDeps{Config: config.Config{BaseURL: "https://hearme.example"}, Store: st, Keys: keys, Catalog: cat,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		for _, u := range []account.NewUser{{Email: "dpo@example.org", DisplayName: "Dee", Role: account.DPO},
			{Email: "admin@example.org", DisplayName: "Ada", Role: account.Admin},
			{Email: "connector@example.org", DisplayName: "Con", Role: account.Connector}} {
			if _, err := st.CreateUser(ctx, "test", u); err != nil {
				t.Fatal(err)
			}
		}
		gone, err := st.CreateUser(ctx, "test", account.NewUser{Email: "left@example.org", DisplayName: "Left", Role: account.DPO})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetDisabled(ctx, "test", gone.ID, true); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 3, 30, 10, 0, 0, 0, time.UTC) // Monday
		today := time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC)
		logReq := func(received, ref string) string {
			n := rights.New{Kind: rights.KindAccess, Channel: rights.ChannelEmail, ReceivedOn: received, Reference: ref}
			if errs := n.Validate(today); len(errs) > 0 {
				t.Fatalf("%s: %v", received, errs)
			}
			id, err := st.LogRightsRequest(ctx, "test", n, "")
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		soon := logReq("2026-03-02", "HM-SOON-0001")   // due 2 April: due soon
		late := logReq("2026-02-20", "HM-LATE-0001")   // due 20 March: overdue
		logReq("2026-03-25", "HM-LATER-001")           // due 27 April: nothing yet
		closed := logReq("2026-02-10", "HM-DONE-0001") // overdue, but closed
		if err := st.CloseRightsRequest(ctx, "test", closed, today, "sent"); err != nil {
			t.Fatal(err)
		}
		n, err := app.SendRightsReminders(ctx, d, now)
		if err != nil || n != 2 {
			t.Fatalf("reminded of %d requests, %v; want 2 (one due soon, one overdue)", n, err)
		}
		if n, err := app.SendRightsReminders(ctx, d, now.Add(time.Hour)); err != nil || n != 0 {
			t.Fatalf("second run reminded of %d, %v; want none", n, err)
		}
		msgs, err := st.OutboxMail(ctx, "rights_reminder")
		if err != nil || len(msgs) != 4 {
			t.Fatalf("%d reminders in the outbox, %v; want 4 (2 requests x the officer and the administrator)", len(msgs), err)
		}
		to := map[string]int{}
		var overdue, dueSoon int
		for _, q := range msgs {
			m, err := mail.Open(keys, q.Payload)
			if err != nil {
				t.Fatal(err)
			}
			to[m.To]++
			if strings.Contains(m.Text, "HM-") {
				t.Errorf("a reminder names the person's reference: %s", m.Text)
			}
			switch {
			case strings.Contains(m.Subject, "overdue") && strings.Contains(m.Text, "2026-03-20") && strings.Contains(m.Text, "/staff/rights/"+late):
				overdue++
			case strings.Contains(m.Subject, "2026-04-02") && strings.Contains(m.Text, "/staff/rights/"+soon):
				dueSoon++
			default:
				t.Errorf("unexpected reminder: %q %q", m.Subject, m.Text)
			}
		}
		if to["dpo@example.org"] != 2 || to["admin@example.org"] != 2 || len(to) != 2 || overdue != 2 || dueSoon != 2 {
			t.Fatalf("recipients %v, overdue %d, due soon %d", to, overdue, dueSoon)
		}
		// Extended (within its first month), the request due soon has a
		// new due date: no reminder now, one again when that nears.
		if err := st.ExtendRightsRequest(ctx, "test", soon, "complex", today); err != nil {
			t.Fatal(err)
		}
		if n, _ := app.SendRightsReminders(ctx, d, now.Add(2*time.Hour)); n != 0 {
			t.Fatalf("after the extension: %d reminders, want none yet", n)
		}
		// 28 May: the extended request is due on 2 June (due soon again,
		// for its new date); the one received on 25 March (due 27 April)
		// is now overdue; the overdue one was told already.
		if n, _ := app.SendRightsReminders(ctx, d, time.Date(2026, 5, 28, 10, 0, 0, 0, time.UTC)); n != 2 {
			t.Fatalf("on 28 May: %d requests reminded, want 2", n)
		}
	})
}
