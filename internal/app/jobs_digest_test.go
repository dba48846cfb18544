package app_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
	"github.com/hearme-project/hearme/internal/subscription"
	"github.com/hearme-project/hearme/internal/web"
)

// The weekly digest: each confirmed subscriber whose follow has news gets
// one email listing the recommendation published, the organisation's
// answer and the reviewed progress update, in their language, with its
// one-click unsubscribe link in the headers and the body and none of
// anyone's words; nobody with nothing new, and nobody unconfirmed, gets
// one; an interrupted run is resumed and queues only the rest; the next
// is not due for a week.
func TestReportDigest(t *testing.T) {
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
		d := app.JobDeps{Config: config.Config{BaseURL: "https://hearme.example"}, Store: st, Keys: keys, Catalog: cat, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		follow := func(email, lang, what string, confirm bool) string {
			f, _ := subscription.ParseFollow(what)
			sealedEmail, _ := keys.Seal(email)
			id := store.NewID()
			if _, err := st.Subscribe(ctx, store.NewSubscription{ID: id, Email: email, EmailSealed: sealedEmail, Lang: lang, Follow: f},
				func(string) (mail.Queued, error) {
					return mail.Seal(keys, "subscription_confirm", mail.Message{To: email, Text: "x"})
				}); err != nil {
				t.Fatal(err)
			}
			if confirm {
				if err := st.ConfirmSubscription(ctx, id); err != nil {
					t.Fatal(err)
				}
			}
			return id
		}
		pl := follow("ania@example.org", "pl", "community/eastern-european", true)
		follow("icb-watcher@example.org", "en", "organisation/blmk-icb", true)
		south := follow("south@example.org", "ur", "community/south-asian", true) // nothing for this community
		follow("waiting@example.org", "en", "all", false)                         // never confirmed

		rec, err := st.SaveRecommendation(ctx, "analyst", accountability.Recommendation{Title: "Interpreters at every appointment", Text: "Book one when the letter goes out.",
			Organisations: []string{"blmk-icb"}})
		if err != nil {
			t.Fatal(err)
		}
		figures := []accountability.Figure{{ThemeID: "t1", ThemeName: "Language", Value: "15"}, {ThemeID: "t1", ThemeName: "Language", Community: "eastern-european", Value: "*"},
			{ThemeID: "t1", ThemeName: "Language", Community: "south-asian", Value: "0"}}
		if err := st.PublishRecommendation(ctx, "admin", rec.ID, rec.Version, figures, nil, func(string) string { return "Language" }); err != nil {
			t.Fatal(err)
		}
		rec, _ = st.Recommendation(ctx, rec.ID)
		if _, err := st.SaveResponse(ctx, "sh", accountability.Response{RecommendationID: rec.ID, Organisation: "blmk-icb", Decision: accountability.Accepted}); err != nil {
			t.Fatal(err)
		}
		today := accountability.Day(time.Now(), time.UTC)
		c, err := st.AddCommitment(ctx, "sh", accountability.Commitment{RecommendationID: rec.ID, Organisation: "blmk-icb", Text: "We will book interpreters.",
			OwnerRole: "Head of Patient Experience", Due: today.AddDate(0, 3, 0), Weight: 1}, "planned")
		if err != nil {
			t.Fatal(err)
		}
		const words = "Interpreters are now booked with every letter"
		u, err := st.AddUpdate(ctx, "sh", "blmk-icb", accountability.Update{CommitmentID: c.ID, On: today, Status: "done", Kind: accountability.KindDone, Progress: 100,
			Text: words, Claim: accountability.ClaimMade, WhatChanged: "The booking form asks for a language.", Review: accountability.ReviewPending})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.ReviewUpdate(ctx, "connector", u.ID, true, ""); err != nil {
			t.Fatal(err)
		}

		// Interrupted: a run started and dealt with one subscriber (who
		// had nothing new) before it was killed; the next look resumes it.
		run, ok, err := st.StartDigestRun(ctx, time.Now())
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		if n, err := st.QueueDigests(ctx, run.ID, []store.DigestMail{{SubscriptionID: south}}); err != nil || n != 0 {
			t.Fatal(n, err)
		}
		res, err := app.RunDigest(ctx, d, time.Now(), 1)
		if err != nil || res.Run != run.ID || !res.Finished || res.Changes != 3 || res.Subscribers != 2 || res.Queued != 2 {
			t.Fatalf("run: %+v %v", res, err)
		}
		digests, err := st.OutboxMail(ctx, "subscription_digest")
		if err != nil || len(digests) != 2 {
			t.Fatalf("digests queued: %d %v", len(digests), err)
		}
		var got map[string]mail.Message = map[string]mail.Message{}
		for _, q := range digests {
			m, err := mail.Open(keys, q.Payload)
			if err != nil {
				t.Fatal(err)
			}
			got[m.To] = m
		}
		m, ok := got["ania@example.org"]
		if !ok {
			t.Fatalf("the Polish subscriber got no digest: %v", got)
		}
		if m.Lang != "pl" || !strings.Contains(m.Subject, "Co się zmieniło") || !strings.Contains(m.Text, "Nowa rekomendacja "+rec.Reference) ||
			!strings.Contains(m.Text, "Postęp zobowiązania "+c.Reference) || !strings.Contains(m.Text, "100%") {
			t.Fatalf("Polish digest:\n%s\n%s", m.Subject, m.Text)
		}
		if !strings.HasPrefix(m.ListUnsubscribe, "https://hearme.example/report/unsubscribe/") || !strings.Contains(m.Text, m.ListUnsubscribe) || !strings.Contains(m.HTML, m.ListUnsubscribe) {
			t.Fatalf("unsubscribe link %q not in the headers and both bodies", m.ListUnsubscribe)
		}
		if id, ok := subscription.Verify(keys.Derive("subscription-links"), subscription.PurposeUnsubscribe,
			strings.TrimSuffix(strings.TrimPrefix(m.ListUnsubscribe, "https://hearme.example/report/unsubscribe/"), "?lang=pl")); !ok || id != pl {
			t.Fatalf("the unsubscribe link names %q, %v", id, ok)
		}
		// The link to change the language or what is followed: its own
		// signed token, for this subscriber, in both bodies.
		manage := regexp.MustCompile(`https://hearme\.example/report/subscribe/manage/([^?\s"]+)\?lang=pl`).FindStringSubmatch(m.Text)
		if manage == nil || !strings.Contains(m.HTML, manage[0]) {
			t.Fatalf("no manage link in both bodies:\n%s", m.Text)
		}
		if id, ok := subscription.Verify(keys.Derive("subscription-links"), subscription.PurposeManage, manage[1]); !ok || id != pl {
			t.Fatalf("the manage link names %q, %v", id, ok)
		}
		en := got["icb-watcher@example.org"]
		if en.Lang != "en" || !strings.Contains(en.Text, "answered "+rec.Reference) || en.ListUnsubscribe == m.ListUnsubscribe {
			t.Fatalf("English digest:\n%s", en.Text)
		}
		for _, mm := range got {
			for _, body := range []string{mm.Text, mm.HTML} {
				if strings.Contains(body, words) || strings.Contains(body, "Book one when") || strings.Contains(body, "booking form") {
					t.Fatalf("a digest carries someone's words:\n%s", body)
				}
			}
		}
		raw, _, err := mail.Build(m, "hearme <hello@hearme.example>", "id-1", time.Now())
		if err != nil || !strings.Contains(string(raw), "List-Unsubscribe-Post: List-Unsubscribe=One-Click") {
			t.Fatalf("built digest lacks one-click headers: %v", err)
		}
		// The next is a week away.
		if res, err := app.RunDigest(ctx, d, time.Now().Add(time.Hour), 100); err != nil || res.Run != "" {
			t.Fatalf("a second digest an hour later: %+v %v", res, err)
		}
		if n, _ := st.OutboxMail(ctx, "subscription_digest"); len(n) != 2 {
			t.Fatalf("digests after the second look: %d", len(n))
		}
	})
}
