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
	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
	"github.com/hearme-project/hearme/internal/web"
	"github.com/hearme-project/hearme/internal/workdays"
)

// An organisation that has not answered is reminded once when its answer
// is due within five working days and once when it is overdue; an open
// commitment the same for its next progress update; a second run sends
// nothing more; an organisation with no active stakeholder account gets
// nothing (and is reminded once it has one); before nine nothing goes.
func TestAccountabilityReminders(t *testing.T) {
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
		d := app.JobDeps{Config: config.Config{BaseURL: "https://hearme.example"}, Store: st, Keys: keys, Catalog: cat, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		prog, _ := st.Programme(ctx)
		var icb string
		for _, o := range prog.Organisations {
			if o.Slug == "blmk-icb" {
				icb = o.ID
			}
		}
		u, err := st.CreateUser(ctx, "test", account.NewUser{Email: "icb@example.org", DisplayName: "ICB", Role: account.Stakeholder, OrganisationID: icb})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetPassword(ctx, u.ID, "hash"); err != nil {
			t.Fatal(err)
		}
		rec, err := st.SaveRecommendation(ctx, "test", accountability.Recommendation{Title: "Interpreters", Text: "x", Organisations: []string{"blmk-icb", "luton-council"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.PublishRecommendation(ctx, "test", rec.ID, rec.Version, nil, nil, func(string) string { return "" }); err != nil {
			t.Fatal(err)
		}
		loc, _ := time.LoadLocation("Europe/London")
		at := func(day time.Time, hour int) time.Time {
			return time.Date(day.Year(), day.Month(), day.Day(), hour, 0, 0, 0, loc)
		}
		published := accountability.Day(time.Now(), loc)
		due := accountability.DefaultPolicy().ResponseDue(published)
		run := func(now time.Time, want int, what string) {
			t.Helper()
			if n, err := app.SendAccountabilityReminders(ctx, d, now); err != nil || n != want {
				t.Fatalf("%s: %d reminders, %v; want %d", what, n, err, want)
			}
		}
		run(at(published.AddDate(0, 0, 1), 10), 0, "the day after publication")
		run(at(workdays.Add(due, -2), 7), 0, "before nine")
		run(at(workdays.Add(due, -2), 10), 1, "two working days before the deadline")
		run(at(workdays.Add(due, -1), 10), 0, "the next day")
		run(at(due.AddDate(0, 0, 1), 10), 1, "after the deadline")
		run(at(due.AddDate(0, 0, 2), 11), 0, "again after the deadline")

		if _, err := st.SaveResponse(ctx, "test", accountability.Response{RecommendationID: rec.ID, Organisation: "blmk-icb", Decision: accountability.Accepted}); err != nil {
			t.Fatal(err)
		}
		cdue := published.AddDate(0, 0, 10)
		c, err := st.AddCommitment(ctx, "test", accountability.Commitment{RecommendationID: rec.ID, Organisation: "blmk-icb", Text: "We will.", OwnerRole: "Lead",
			Due: cdue, Weight: 1, CreatedOn: published}, "planned")
		if err != nil {
			t.Fatal(err)
		}
		run(at(cdue.AddDate(0, 0, -1), 10), 1, "an update due tomorrow")
		run(at(cdue.AddDate(0, 0, -1), 12), 0, "an update due tomorrow, again")
		run(at(cdue.AddDate(0, 0, 1), 10), 1, "an update overdue")
		if _, err := st.AddUpdate(ctx, "test", "blmk-icb", accountability.Update{CommitmentID: c.ID, On: cdue.AddDate(0, 0, 1), Status: "done", Kind: accountability.KindDone,
			Progress: 100, Text: "Done.", Review: accountability.ReviewNone}); err != nil {
			t.Fatal(err)
		}
		run(at(cdue.AddDate(0, 0, 30), 10), 0, "a done commitment")

		queued, err := st.OutboxMail(ctx, "accountability_reminder")
		if err != nil || len(queued) != 4 {
			t.Fatalf("queued: %d %v", len(queued), err)
		}
		m, err := mail.Open(keys, queued[0].Payload)
		if err != nil || m.To != "icb@example.org" || !strings.Contains(m.Subject, rec.Reference) || !strings.Contains(m.Text, "https://hearme.example/staff/commitments/r/"+rec.Reference) {
			t.Fatalf("reminder: %+v %v", m, err)
		}
		// The council had no account: once it has one, its overdue answer
		// is reminded, once.
		var council string
		for _, o := range prog.Organisations {
			if o.Slug == "luton-council" {
				council = o.ID
			}
		}
		cu, _ := st.CreateUser(ctx, "test", account.NewUser{Email: "council@example.org", DisplayName: "Council", Role: account.Stakeholder, OrganisationID: council})
		st.SetPassword(ctx, cu.ID, "hash")
		run(at(cdue.AddDate(0, 0, 31), 10), 1, "the council, now with an account")
		run(at(cdue.AddDate(0, 0, 32), 10), 0, "the council, again")
	})
}
