package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/browsertest"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/sealed"
)

// newStakeholder makes a stakeholder account of the organisation with
// slug, with its password and security code set, as newStaffMember does.
func (s *site) newStakeholder(p *person, org string) {
	s.t.Helper()
	prog, err := s.App.Store.Programme(bg)
	if err != nil {
		s.t.Fatal(err)
	}
	id := ""
	for _, o := range prog.Organisations {
		if o.Slug == org {
			id = o.ID
		}
	}
	u, err := s.App.Store.CreateUser(bg, "test", account.NewUser{Email: p.Email, DisplayName: p.Name, Role: account.Stakeholder, OrganisationID: id})
	if err != nil {
		s.t.Fatal(err)
	}
	hash, _ := auth.HashPassword(p.Password)
	if err := s.App.Store.SetPassword(bg, u.ID, hash); err != nil {
		s.t.Fatal(err)
	}
	secret, _, _ := auth.NewTOTPSecret("hearme", p.Email)
	keys, err := sealed.LoadOrCreate(s.App.Config.KeyPath())
	if err != nil {
		s.t.Fatal(err)
	}
	sealedSecret, _ := keys.Seal(secret)
	if err := s.App.Store.EnrolTOTP(bg, u.ID, sealedSecret, 0); err != nil {
		s.t.Fatal(err)
	}
	p.secret = secret
}

// setDate sets a date input's value (typing into a date input depends on
// the browser's locale).
func (b *tab) setDate(css, value string) {
	b.t.Helper()
	if !eval[bool](b, fmt.Sprintf(`(e => e ? (e.value = %s, true) : false)(document.querySelector(%s))`, jsString(value), jsString(css))) {
		b.t.Fatalf("setDate: no %s on %s", css, b.location())
	}
}

// TestStakeholderCommitsAndResidentReadsIt: an administrator publishes a
// recommendation addressed to the ICB; a stakeholder account of the ICB
// answers it (an empty answer first: the error summary), commits to
// three actions and reports a change made with a link to its evidence;
// a connector sends the claim back with a question, the stakeholder
// answers, the connector approves it; a resident with JavaScript off
// reads the report in Urdu and in Polish and sees the answer, the
// commitments and the change (the organisation's words marked as
// English). Every page passes axe-core.
func TestStakeholderCommitsAndResidentReadsIt(t *testing.T) {
	t.Parallel()
	axe := newAxeChecker(t)
	s := startSite(t)
	rec, err := s.App.Store.SaveRecommendation(bg, "test", accountability.Recommendation{Title: "Longer appointments with an interpreter",
		Text: "Book a double appointment when an interpreter is needed.", Organisations: []string{"blmk-icb"}, Themes: []string{demo.CodeID("language")}})
	if err != nil {
		t.Fatal(err)
	}
	admin := &person{Name: "Sam Adeyemi", Email: "sam.adeyemi@example.org", Password: "velvet harbour quartz 58"}
	s.newStaffMember(admin, account.Admin)
	icb := &person{Name: "Jo Patel", Email: "jo.patel@example.org", Password: "copper meadow violin 31"}
	s.newStakeholder(icb, "blmk-icb")
	conn := &person{Name: "Amina Farah", Email: "amina.farah@example.org", Password: "silver orchard pebble 44"}
	s.newStaffMember(conn, account.Connector)

	ctx := browser.Tab(t, browsertest.WithTimeout(5*time.Minute))
	defer axe.summary()
	a := newTab(t, ctx, s.URL)
	a.signIn(s, admin)
	a.open("/staff/recommendations/" + rec.ID)
	if st := follow(a, chromedp.CSS(`#publish`)); st != http.StatusOK {
		t.Fatalf("publish: %d", st)
	}
	if got, _ := s.App.Store.Recommendation(bg, rec.ID); got.Status != accountability.Published {
		t.Fatalf("not published: %s", got.Status)
	}
	ref := rec.Reference

	// The ICB answers.
	b := privateTab(t, ctx, s.URL)
	b.signIn(s, icb)
	if st := follow(b, chromedp.CSS(`a[href="/staff/commitments"]`)); st != http.StatusOK {
		t.Fatalf("the commitments link: %d", st)
	}
	axe.check(b, "en", "stakeholder's recommendations")
	if st := follow(b, chromedp.CSS(`a[href="/staff/commitments/r/`+ref+`"]`)); st != http.StatusOK {
		t.Fatalf("the recommendation: %d", st)
	}
	axe.check(b, "en", "recommendation to answer")
	if st := follow(b, chromedp.CSS(`#response-save`)); st != http.StatusUnprocessableEntity || !strings.Contains(b.text(".error-summary"), "accepted") {
		t.Fatalf("empty answer: %d %q", st, b.text(".error-summary"))
	}
	axe.check(b, "en", "answer with errors")
	b.clickLabel("#decision-1") // partly accepted
	b.fill("#reasons", "Double appointments for interpreted consultations, yes; in every clinic from next year.")
	if st := follow(b, chromedp.CSS(`#response-save`)); st != http.StatusOK || strings.Contains(b.text("main"), "There is a problem") {
		t.Fatalf("answer: %d %s", st, b.text(".error-summary"))
	}
	due := time.Now().AddDate(0, 4, 0).Format(time.DateOnly)
	for _, c := range []string{"We will book a double appointment whenever an interpreter is booked.", "We will add the interpreter's language to the referral letter.",
		"We will report each quarter how many appointments had an interpreter."} {
		b.fill("#commitment", c)
		b.fill("#owner", "Head of Outpatients")
		b.setDate("#due", due)
		if st := follow(b, chromedp.CSS(`#commitment-add`)); st != http.StatusOK || strings.Contains(b.text("main"), "There is a problem") {
			t.Fatalf("commitment: %d %s", st, b.text(".error-summary"))
		}
	}
	axe.check(b, "en", "three commitments")
	if n := len(b.texts(`ul.commitments > li`)); n != 3 {
		t.Fatalf("%d commitments listed, want 3", n)
	}
	// A change made, with a link to its evidence.
	if st := follow(b, chromedp.CSS(`a[href="/staff/commitments/c/`+ref+`.1"]`)); st != http.StatusOK {
		t.Fatalf("commitment page: %d", st)
	}
	axe.check(b, "en", "commitment: update form")
	b.clickLabel("#status-1") // in progress
	b.fill("#progress", "50")
	b.fill("#text", "Two clinics now book double appointments for interpreted consultations.")
	b.clickLabel("#claim-2") // a change was made
	b.fill("#what-changed", "The booking system doubles the slot when an interpreter is booked.")
	b.fill("#evidence-url", "https://example.org/outpatients-booking-rule")
	if st := follow(b, chromedp.CSS(`#update-add`)); st != http.StatusOK || strings.Contains(b.text("main"), "There is a problem") {
		t.Fatalf("update: %d %s", st, b.text(".error-summary"))
	}

	// A connector sends it back with a question, then approves it.
	c := privateTab(t, ctx, s.URL)
	c.signIn(s, conn)
	if st := follow(c, chromedp.CSS(`a[href="/staff/commitments/reviews"]`)); st != http.StatusOK {
		t.Fatalf("reviews: %d", st)
	}
	axe.check(c, "en", "changes to check")
	if !strings.Contains(c.text("main"), "doubles the slot") {
		t.Fatal("the claim is not in the review queue")
	}
	pending, _ := s.App.Store.UpdatesInReview(bg, accountability.ReviewPending, "")
	var id string
	for _, u := range pending {
		if strings.Contains(u.WhatChanged, "doubles the slot") {
			id = u.ID
		}
	}
	c.fill("#question-"+id, "Which two clinics?")
	if st := follow(c, chromedp.CSS(`#return-`+id)); st != http.StatusOK {
		t.Fatalf("send back: %d", st)
	}
	b.open("/staff/commitments")
	if !strings.Contains(b.text("main"), "Which two clinics?") {
		t.Fatal("the question did not reach the stakeholder")
	}
	follow(b, chromedp.CSS(`a[href="/staff/commitments/updates/`+id+`"]`))
	axe.check(b, "en", "answer the question")
	b.fill("#answer", "Ophthalmology and dermatology at the Luton and Dunstable.")
	if st := follow(b, chromedp.CSS(`#answer-send`)); st != http.StatusOK || strings.Contains(b.text("main"), "There is a problem") {
		t.Fatalf("answer: %d", st)
	}
	c.open("/staff/commitments/reviews")
	if st := follow(c, chromedp.CSS(`#approve-`+id)); st != http.StatusOK {
		t.Fatalf("approve: %d", st)
	}

	// A resident, JavaScript off, reads it in Urdu and in Polish.
	r := privateTab(t, ctx, s.URL)
	r.do("JavaScript off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	if st := r.open("/report?lang=ur"); st != http.StatusOK {
		t.Fatalf("/report in Urdu: %d", st)
	}
	r.wantLang("ur", "rtl")
	main := r.text("main")
	for _, want := range []string{"جزوی طور پر قبول", "We will book a double appointment", "50%"} {
		if !strings.Contains(main, want) {
			t.Errorf("the Urdu report lacks %q", want)
		}
	}
	if !eval[bool](r, `!!document.querySelector('main a[lang="en"][dir="ltr"][href="/report/commitments/`+ref+`.1"]')`) {
		t.Error("the commitment's English words are not marked")
	}
	r.open("/report/commitments/" + ref + ".1?lang=pl")
	r.wantLang("pl", "ltr")
	main = r.text("main")
	for _, want := range []string{"Wprowadzona zmiana:", "doubles the slot", "Historia", "W toku"} {
		if !strings.Contains(main, want) {
			t.Errorf("the commitment's page in Polish lacks %q", want)
		}
	}
	if strings.Contains(main, "Which two clinics?") {
		t.Error("the connector's question is public")
	}
	r.open("/report/organisations/blmk-icb?lang=pl")
	if !strings.Contains(r.text("main"), "We will report each quarter") {
		t.Error("the ICB's scorecard lacks its commitment")
	}
	// axe-core needs JavaScript: the public pages in every language.
	u := privateTab(t, ctx, s.URL)
	for _, l := range s.languages() {
		for _, page := range []string{"/report", "/report/" + ref, "/report/organisations/blmk-icb", "/report/commitments/" + ref + ".1"} {
			if st := u.open(page + "?lang=" + l.Code); st != http.StatusOK {
				t.Fatalf("%s [%s]: %d", page, l.Code, st)
			}
			u.wantLang(l.Code, l.Dir())
			axe.check(u, l.Code, page)
		}
	}
}
