package e2e

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/browsertest"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/rights"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
)

// TestOfficerAnswersAnAccessRequestAndErasesAnother: a data protection
// officer logs an access request for a resident who shared at one event
// and registered for another, sees the due date, finds what is held
// (the story, its contact, the registration), prepares the pack in the
// resident's language, downloads it once and records it sent; then logs
// an erasure request for another resident and erases them, after which
// a marker planted in their story is in none of the database files
// (found there before). Every new page passes axe-core.
func TestOfficerAnswersAnAccessRequestAndErasesAnother(t *testing.T) {
	t.Parallel()
	axe := newAxeChecker(t)
	s := startSite(t)
	dpo := &person{Name: "Grace Mensah", Email: "grace.mensah@example.org", Password: "harbour violet lantern 62"}
	s.newStaffMember(dpo, account.DPO)
	st := s.App.Store
	keys, err := sealed.LoadOrCreate(s.App.Config.KeyPath())
	if err != nil {
		t.Fatal(err)
	}
	seal := func(v string) string { x, _ := keys.Seal(v); return x }

	// Ola shared at a listening event and registered for the next one.
	now := time.Now().UTC()
	mk := func(title string, start time.Time) *event.Event {
		ev := &event.Event{Kind: event.KindListening, Visibility: event.Public, Languages: []string{"pl"}, Start: start, End: start.Add(2 * time.Hour),
			VenueName: "Hall", VenueAddress: "1 High Street", Capacity: 20, Texts: map[string]event.Text{"en": {Title: title}}}
		if err := st.CreateEvent(bg, ev); err != nil {
			t.Fatal(err)
		}
		return ev
	}
	past, next := mk("Listening in Bury Park", now.Add(24*time.Hour)), mk("Next listening", now.Add(14*24*time.Hour))
	const olaEmail = "ola.nowak@example.org"
	ola, err := st.SubmitExperience(bg, experience.Submission{Kind: experience.KindExperience, Lang: "pl", Role: "person-with-cancer", Stages: []string{"treatment"},
		WhatHappened: "Czekałam na wyniki sześć tygodni.", Consent: experience.Consent{Version: "test", Evidence: true, Contact: true},
		Source: experience.SourceEvent, EventID: past.ID}, experience.Contact{Name: seal("Ola Nowak"), Email: seal(olaEmail)})
	if err != nil {
		t.Fatal(err)
	}
	ek, pk := st.LookupKeys(olaEmail, "")
	if _, err := st.Register(bg, store.NewRegistration{Registration: event.Registration{EventID: next.ID, Places: 1, Lang: "pl",
		NameSealed: seal("Ola Nowak"), EmailSealed: seal(olaEmail)}, EmailKey: ek, PhoneKey: pk, CancelHash: event.Hash("ola-cancel")}, nil); err != nil {
		t.Fatal(err)
	}
	// Sam shared a story that is in the evidence (so its words are in
	// the search index), with a marker in it.
	const marker = "zqxsamerase"
	sam, err := st.SubmitExperience(bg, experience.Submission{Kind: experience.KindExperience, Lang: "en", Role: "family-or-carer", Stages: []string{"screening"},
		WhatHappened: "The letter never came " + marker, Consent: experience.Consent{Version: "test", Evidence: true}, Source: experience.SourceOnline}, experience.Contact{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.DecideExperience(bg, "test", sam.ID, experience.StatusApproved, ""); err != nil {
		t.Fatal(err)
	}

	ctx := browser.Tab(t, browsertest.WithTimeout(3*time.Minute))
	b := newTab(t, ctx, s.URL)
	defer axe.summary()
	b.signIn(s, dpo)

	logRequest := func(kind, ref, contact string) {
		t.Helper()
		if st := b.open("/staff/rights/new"); st != http.StatusOK {
			t.Fatalf("/staff/rights/new: %d", st)
		}
		id := "kind-" + kind
		if kind == "access" {
			id = "kind"
		}
		b.do("choose the right", chromedp.Click(chromedp.CSS(`label[for="`+id+`"]`)), chromedp.Click(chromedp.CSS(`label[for="channel"]`)))
		b.fill("#reference", ref)
		if contact != "" {
			b.fill("#contact", contact)
		}
		if st := follow(b, chromedp.CSS(`form[action="/staff/rights/new"] button[type=submit]`)); st != http.StatusOK || !strings.HasPrefix(b.path(), "/staff/rights/") {
			t.Fatalf("log %s: status %d on %s\n%s", kind, st, b.path(), b.text("main"))
		}
	}

	// The access request: its due date, one calendar month on.
	logRequest("access", ola.Reference, olaEmail)
	loc, _ := time.LoadLocation("Europe/London")
	l := time.Now().In(loc)
	today := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
	if due := rights.DueDate(today).Format("2 January 2006"); !strings.Contains(b.text("main"), due) {
		t.Errorf("the request page does not show the due date %s:\n%s", due, b.text("main"))
	}
	axe.check(b, "en", "rights request")
	requestPage := b.path()

	if st := follow(b, chromedp.CSS(`main a[href$="/person"]`)); st != http.StatusOK {
		t.Fatalf("what we hold: %d", st)
	}
	main := b.text("main")
	for _, want := range []string{"Czekałam na wyniki", olaEmail, "Event registrations", next.ID, past.ID} {
		if !strings.Contains(main, want) && !strings.Contains(eval[string](b, `document.querySelector("main").innerHTML`), want) {
			t.Errorf("what we hold does not show %q", want)
		}
	}
	axe.check(b, "en", "what we hold about a person")

	// The pack, as a page in Polish (her language, chosen already).
	if got := eval[string](b, `(r => r ? r.value : "")(document.querySelector('input[name="lang"]:checked'))`); got != "pl" {
		t.Errorf("the pack's language is %q, want pl (the language she shared in)", got)
	}
	b.do("choose the page format", chromedp.Click(chromedp.CSS(`label[for="format"]`)))
	if st := follow(b, chromedp.CSS(`form[action$="/pack"] button[type=submit]`)); st != http.StatusOK {
		t.Fatalf("prepare the pack: %d\n%s", st, b.text("main"))
	}
	axe.check(b, "en", "response pack prepared")
	download := `(async () => { const f = document.querySelector('form[action$="/pack/download"]');
		const r = await fetch(f.action, {method: "POST", body: new URLSearchParams(new FormData(f))});
		const body = await r.text(); return r.status + " " + r.headers.get("Content-Disposition") + " " + (body.includes("przechowuje o Tobie") && body.includes("Czekałam")); })()`
	fetchIt := func() string {
		t.Helper()
		c, cancel := context.WithTimeout(b.ctx, actionTimeout)
		defer cancel()
		v, err := chromedp.Run(c, chromedp.Evaluate[string](download, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("download: %v", err)
		}
		return v
	}
	got := fetchIt()
	if !strings.HasPrefix(got, "200 attachment") || !strings.HasSuffix(got, "true") {
		t.Fatalf("download: %s", got)
	}
	if got := fetchIt(); !strings.HasPrefix(got, "410") {
		t.Errorf("a second download: %s, want 410", got)
	}

	// Marked sent, by post.
	b.open(requestPage)
	b.do("choose the pack and how it went", chromedp.Click(chromedp.CSS(`label[for="pack"]`)), chromedp.Click(chromedp.CSS(`label[for="sent_how"]`)))
	if st := follow(b, chromedp.CSS(`form[action$="/pack/sent"] button[type=submit]`)); st != http.StatusOK || !strings.Contains(b.text("main"), "By post") {
		t.Fatalf("mark sent: %d\n%s", st, b.text("main"))
	}
	axe.check(b, "en", "rights request, pack sent")

	// Sam asks for erasure.
	s.App.Store.EraseLeftovers(bg)
	if !filesHold(t, s.App.Config.DataDir, marker) {
		t.Fatal("control: the marker is not in the database files before erasure")
	}
	logRequest("erasure", sam.Reference, "")
	follow(b, chromedp.CSS(`main a[href$="/person"]`))
	if !strings.Contains(eval[string](b, `document.querySelector("main").textContent`), marker) {
		t.Fatalf("Sam's story is not found:\n%s", b.text("main"))
	}
	b.do("confirm", chromedp.Click(chromedp.CSS(`label[for="confirm"]`)))
	if st := follow(b, chromedp.CSS(`form[action$="/erase"] button[type=submit]`)); st != http.StatusOK || !strings.Contains(b.text("main"), "Erased.") {
		t.Fatalf("erase: %d\n%s", st, b.text("main"))
	}
	axe.check(b, "en", "rights request, erased")
	for i := 0; ; i++ {
		did, err := st.EraseLeftovers(bg)
		if err == nil && did {
			break
		}
		if i > 50 {
			t.Fatalf("erase-leftovers: %v %v", did, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if filesHold(t, s.App.Config.DataDir, marker) {
		t.Error("the marker of the erased story is still in the database files")
	}
	if _, err := st.ExperienceByReference(bg, sam.Reference, sam.Secret); err == nil {
		t.Error("Sam's story is still held")
	}
	// The new pages right to left.
	for _, p := range []string{requestPage + "/person", requestPage} {
		if st := b.open(p + "?lang=ur"); st != http.StatusOK {
			t.Fatalf("%s in Urdu: %d", p, st)
		}
		b.wantLang("ur", "rtl")
		axe.check(b, "ur", p)
	}
}

// filesHold reports whether any file of the data directory holds v.
func filesHold(t *testing.T, dir, v string) bool {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err == nil && bytes.Contains(b, []byte(v)) {
			return true
		}
	}
	return false
}
