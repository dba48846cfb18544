package e2e

import (
	"bytes"
	"mime"
	"net/http"
	netmail "net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/browsertest"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/subscription"
	"github.com/hearme-project/hearme/internal/web"
)

// devMail waits for the development sender to write the one email of a
// kind to <data>/outbox-dev and returns it with its plain-text part.
func (s *site) devMail(kind string) (*netmail.Message, string) {
	s.t.Helper()
	var raw []byte
	for deadline := time.Now().Add(20 * time.Second); raw == nil && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if files, _ := filepath.Glob(filepath.Join(s.App.Config.DataDir, "outbox-dev", "*"+kind+"*.eml")); len(files) == 1 {
			raw, _ = os.ReadFile(files[0])
		}
	}
	if raw == nil {
		s.t.Fatalf("no %s email was written", kind)
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		s.t.Fatal(err)
	}
	return msg, plainPart(s.t, msg.Header.Get("Content-Type"), msg.Body)
}

// TestResidentFollowsCommunityAndGetsDigest: a resident reads the
// Eastern European community's "you said, we did" page in Polish, follows it by email (a bad address first: the error summary,
// the answers kept), confirms from the email's link (the link opens a
// page with a button; opening it confirms nothing); the ICB's reviewed
// progress update is published; the weekly digest runs and the email
// that arrives is in Polish, lists the update, links to the report and
// carries the one-click unsubscribe headers; its manage link opens the
// page where the resident switches the emails to Urdu (saved, the page
// then in Urdu, right to left); its unsubscribe link works
// and deletes the address, and used again says so. Every page passes
// axe-core.
func TestResidentFollowsCommunityAndGetsDigest(t *testing.T) {
	t.Parallel()
	axe := newAxeChecker(t)
	s := startSite(t)
	st := s.App.Store
	rec, err := st.SaveRecommendation(bg, "test", accountability.Recommendation{Title: "Interpreters booked with the appointment letter",
		Text: "Book the interpreter when the letter goes out.", Organisations: []string{"blmk-icb"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PublishRecommendation(bg, "test", rec.ID, rec.Version, []accountability.Figure{{ThemeID: "t", ThemeName: "Language", Value: "15"},
		{ThemeID: "t", ThemeName: "Language", Community: "eastern-european", Value: "*"}}, nil, func(string) string { return "Language" }); err != nil {
		t.Fatal(err)
	}
	rec, _ = st.Recommendation(bg, rec.ID)
	if _, err := st.SaveResponse(bg, "icb", accountability.Response{RecommendationID: rec.ID, Organisation: "blmk-icb", Decision: accountability.Accepted}); err != nil {
		t.Fatal(err)
	}
	today := accountability.Day(time.Now(), time.UTC)
	c, err := st.AddCommitment(bg, "icb", accountability.Commitment{RecommendationID: rec.ID, Organisation: "blmk-icb", Text: "We will book interpreters with the letter.",
		OwnerRole: "Head of Outpatients", Due: today.AddDate(0, 3, 0), Weight: 1}, "planned")
	if err != nil {
		t.Fatal(err)
	}

	ctx := browser.Tab(t, browsertest.WithTimeout(4*time.Minute))
	defer axe.summary()
	r := privateTab(t, ctx, s.URL)
	if st := r.open("/report/communities/eastern-european?lang=pl"); st != http.StatusOK {
		t.Fatalf("community page: %d", st)
	}
	if st := follow(r, chromedp.CSS(`a[href="/report/subscribe?follow=community/eastern-european"]`)); st != http.StatusOK {
		t.Fatalf("the follow link: %d", st)
	}
	r.wantLang("pl", "ltr")
	axe.check(r, "pl", "follow form")
	if !eval[bool](r, `document.querySelector('input[name=follow][value="community/eastern-european"]').checked`) {
		t.Fatal("the community is not chosen")
	}
	r.fill("#email", "ania.kowalska@example")
	time.Sleep(tokenAge)
	if st := follow(r, chromedp.CSS(`#send`)); st != http.StatusUnprocessableEntity || !strings.Contains(r.text(".error-summary"), "poprawnej postaci") {
		t.Fatalf("a bad address: %d %q", st, r.text(".error-summary"))
	}
	axe.check(r, "pl", "follow form with an error")
	if r.value("#email") != "ania.kowalska@example" || !eval[bool](r, `document.querySelector('input[name=follow][value="community/eastern-european"]').checked`) {
		t.Fatal("the answers were not kept")
	}
	r.fill("#email", "ania.kowalska@example.org")
	time.Sleep(tokenAge) // the form's time token, issued with the page shown again
	if st := follow(r, chromedp.CSS(`#send`)); st != http.StatusOK || r.path() != "/report/subscribe/sent" {
		t.Fatalf("follow: %d %s", st, r.path())
	}
	axe.check(r, "pl", "check your email")

	// The confirmation, in Polish; its link shows a button first.
	msg, text := s.devMail("subscription_confirm")
	if subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); !strings.Contains(subj, "Potwierdź") || msg.Header.Get("Content-Language") != "pl" {
		t.Fatalf("confirmation subject %q, language %q", subj, msg.Header.Get("Content-Language"))
	}
	link := regexp.MustCompile(regexp.QuoteMeta(s.URL) + `/report/subscribe/confirm/[A-Za-z0-9._-]+\?lang=pl`).FindString(text)
	if link == "" {
		t.Fatalf("no confirmation link:\n%s", text)
	}
	if st := r.open(strings.TrimPrefix(link, s.URL)); st != http.StatusOK {
		t.Fatalf("confirmation page: %d", st)
	}
	axe.check(r, "pl", "confirm page")
	id, _ := subscription.Verify(s.linkKey(), subscription.PurposeConfirm, strings.TrimSuffix(strings.TrimPrefix(link, s.URL+"/report/subscribe/confirm/"), "?lang=pl"))
	if sub, err := st.Subscription(bg, id); err != nil || sub.ConfirmedAt != nil {
		t.Fatalf("opening the link confirmed it: %+v %v", sub, err)
	}
	if st := follow(r, chromedp.CSS(`#confirm`)); st != http.StatusOK || !strings.Contains(r.text("h1"), "Obserwujesz raport") {
		t.Fatalf("confirm: %d %q", st, r.text("h1"))
	}
	axe.check(r, "pl", "confirmed")

	// A reviewed progress update is published; a week on, the digest runs.
	u, err := st.AddUpdate(bg, "icb", "blmk-icb", accountability.Update{CommitmentID: c.ID, On: today, Status: "done", Kind: accountability.KindDone, Progress: 100,
		Text: "Interpreters are now booked with every letter.", Claim: accountability.ClaimMade, WhatChanged: "The letter system asks for a language.", Review: accountability.ReviewPending})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ReviewUpdate(bg, "connector", u.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	cat, err := web.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	d := app.JobDeps{Config: s.App.Config, Store: st, Keys: s.keys(), Catalog: cat, Log: s.App.Log}
	res, err := app.RunDigest(bg, d, time.Now().Add(subscription.Every+time.Minute), app.DigestBatch)
	if err != nil || res.Queued != 1 || !res.Finished {
		t.Fatalf("digest: %+v %v", res, err)
	}
	msg, text = s.devMail("subscription_digest")
	subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if !strings.Contains(subj, "Co się zmieniło") || msg.Header.Get("Content-Language") != "pl" || !strings.Contains(text, "Postęp zobowiązania "+c.Reference) ||
		!strings.Contains(text, s.URL+"/report/commitments/"+c.Reference+"?lang=pl") || strings.Contains(text, "Interpreters are now booked") {
		t.Fatalf("digest %q:\n%s", subj, text)
	}
	if msg.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("no one-click header: %v", msg.Header)
	}
	unsub := strings.Trim(msg.Header.Get("List-Unsubscribe"), "<>")
	if !strings.HasPrefix(unsub, s.URL+"/report/unsubscribe/") || !strings.Contains(text, unsub) {
		t.Fatalf("unsubscribe link %q not in the header and the text", unsub)
	}
	// The digest's link to change the language or what is followed,
	// without unsubscribing: the resident switches to Urdu.
	manage := regexp.MustCompile(regexp.QuoteMeta(s.URL) + `/report/subscribe/manage/[A-Za-z0-9._-]+\?lang=pl`).FindString(text)
	if manage == "" {
		t.Fatalf("no manage link in the digest:\n%s", text)
	}
	if st := r.open(strings.TrimPrefix(manage, s.URL)); st != http.StatusOK {
		t.Fatalf("manage page: %d", st)
	}
	r.wantLang("pl", "ltr")
	axe.check(r, "pl", "manage page")
	r.do("choose Urdu", chromedp.Click(chromedp.CSS(`label[for="language-ur"]`)))
	time.Sleep(tokenAge) // the form's time token
	if st := follow(r, chromedp.CSS(`#send`)); st != http.StatusOK || r.text("main .notice") == "" {
		t.Fatalf("manage: %d %q", st, r.text("main"))
	}
	r.wantLang("ur", "rtl")
	axe.check(r, "ur", "manage page, changes saved")
	if sub, err := st.Subscription(bg, id); err != nil || sub.Lang != "ur" || sub.Follow.String() != "community/eastern-european" {
		t.Fatalf("after the change: %+v %v", sub, err)
	}
	if st := r.open(strings.TrimPrefix(unsub, s.URL)); st != http.StatusOK {
		t.Fatalf("unsubscribe page: %d", st)
	}
	axe.check(r, "pl", "unsubscribe page")
	if st := follow(r, chromedp.CSS(`#confirm`)); st != http.StatusOK || !strings.Contains(r.text("main"), "usunęliśmy Twój adres") {
		t.Fatalf("unsubscribe: %d %q", st, r.text("main"))
	}
	axe.check(r, "pl", "unsubscribed")
	if _, err := st.Subscription(bg, id); err != store.ErrNotFound {
		t.Fatalf("the subscription is still there: %v", err)
	}
	r.open(strings.TrimPrefix(unsub, s.URL))
	if !strings.Contains(r.text("main"), "Ten link został już użyty") {
		t.Fatalf("an unsubscribe link used twice: %q", r.text("main"))
	}
}

// linkKey is the key subscription links are signed with.
func (s *site) linkKey() []byte { return s.keys().Derive("subscription-links") }

func (s *site) keys() *sealed.Keyring {
	s.t.Helper()
	k, err := sealed.LoadOrCreate(s.App.Config.KeyPath())
	if err != nil {
		s.t.Fatal(err)
	}
	return k
}
