package e2e

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/browsertest"
	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
)

// newConnector creates, through the store, a connector who has finished
// setting up: a password and a security code.
func (s *site) newConnector(p *person) account.User {
	s.t.Helper()
	u, err := s.App.Store.CreateUser(bg, "test", account.NewUser{Email: p.Email, DisplayName: p.Name, Role: account.Connector})
	if err != nil {
		s.t.Fatalf("CreateUser: %v", err)
	}
	hash, err := auth.HashPassword(p.Password)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.App.Store.SetPassword(bg, u.ID, hash); err != nil {
		s.t.Fatalf("SetPassword: %v", err)
	}
	secret, _, err := auth.NewTOTPSecret("hearme", p.Email)
	if err != nil {
		s.t.Fatal(err)
	}
	keys, err := sealed.LoadOrCreate(s.App.Config.KeyPath())
	if err != nil {
		s.t.Fatal(err)
	}
	sealedSecret, err := keys.Seal(secret)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.App.Store.EnrolTOTP(bg, u.ID, sealedSecret, 0); err != nil {
		s.t.Fatalf("EnrolTOTP: %v", err)
	}
	p.secret = secret
	return u
}

// noHorizontalScroll fails the test when the page is wider than the window.
func (b *tab) noHorizontalScroll(what string) {
	b.t.Helper()
	v := eval[[]int](b, `[document.documentElement.scrollWidth, window.innerWidth]`)
	if v[0] > v[1] {
		wide := eval[[]string](b, `Array.from(document.body.querySelectorAll("*")).filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5 && (!e.closest(".table-wrap") || getComputedStyle(e).position === "absolute")).slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "") + (getComputedStyle(e).position === "absolute" ? " (position:absolute)" : "") + " right=" + Math.round(e.getBoundingClientRect().right))`)
		b.t.Errorf("%s (%s): scrolls sideways at phone width: scrollWidth %d > innerWidth %d; elements past the right edge: %s",
			what, b.location(), v[0], v[1], strings.Join(wide, ", "))
	}
}

// clickLabel clicks the label of the input that matches css (custom radios
// and checkboxes are pressed through their label, as a person does).
func (b *tab) clickLabel(css string) {
	b.t.Helper()
	id := eval[string](b, fmt.Sprintf(`(e => e ? e.id : "")(document.querySelector(%s))`, jsString(css)))
	if id == "" {
		b.t.Fatalf("no %s (with an id) on %s", css, b.location())
	}
	b.do("click the label of "+css, chromedp.Click(chromedp.CSS(`label[for="`+id+`"]`)))
	if !eval[bool](b, fmt.Sprintf(`document.querySelector(%s).checked`, jsString(css))) {
		b.t.Fatalf("clicking the label of %s did not check it", css)
	}
}

var savedRefRe = regexp.MustCompile(`HM-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}`)

func TestConnectorModeratesAndCapturesOnAPhone(t *testing.T) {
	t.Parallel()
	axe := newAxeChecker(t)
	s := startSite(t)
	conn := &person{Name: "Joy Okafor", Email: "joy.okafor@example.org", Password: "copper kettle meadow 93"}
	s.newConnector(conn)
	ctx := browser.Tab(t, browsertest.WithTimeout(3*time.Minute))
	b := newTab(t, ctx, s.URL)
	defer axe.summary()
	b.do("phone-sized viewport", chromedp.EmulateViewport(390, 844))

	b.signIn(s, conn)
	if w := eval[int](b, `window.innerWidth`); w != 390 {
		t.Fatalf("window.innerWidth = %d, want 390", w)
	}

	// Moderation: a submission that names a nurse and gives a phone number.
	const story = "Nurse Joanna was kind, call me on 07700 900123"
	rc, err := s.App.Store.SubmitExperience(bg, experience.Submission{
		Kind: experience.KindExperience, Lang: "en", Role: "person-with-cancer", Stages: []string{"screening"},
		WhatHappened: story, Consent: experience.Consent{Version: "test", Evidence: true}, Source: experience.SourceOnline,
	}, experience.Contact{})
	if err != nil {
		t.Fatalf("SubmitExperience: %v", err)
	}

	if st := b.open("/staff/moderation"); st != http.StatusOK {
		t.Fatalf("/staff/moderation: status %d", st)
	}
	if got := b.text("main table"); !strings.Contains(got, rc.Reference) {
		t.Fatalf("the queue does not list %s:\n%s", rc.Reference, b.text("main"))
	}
	b.noHorizontalScroll("moderation queue")
	axe.check(b, "en", "moderation queue")

	if st := follow(b, chromedp.CSS(`main a[href="/staff/moderation/`+rc.ID+`"]`)); st != http.StatusOK {
		t.Fatalf("open %s: status %d", rc.Reference, st)
	}
	marks := b.texts(`.moderated-text mark`)
	for _, want := range []string{"Joanna", "07700 900123"} {
		if !slices.Contains(marks, want) {
			t.Errorf("moderation page marks %q, want %q in a <mark>", marks, want)
		}
	}
	boxes := eval[[]bool](b, `Array.from(document.querySelectorAll('input[name=redact]'), e => e.checked)`)
	if len(boxes) != len(marks) || slices.Contains(boxes, false) {
		t.Errorf("redact checkboxes checked = %v, want %d, all ticked", boxes, len(marks))
	}
	b.noHorizontalScroll("moderation item")
	axe.check(b, "en", "moderation item")

	if st := follow(b, chromedp.CSS(`form[action$="/redact"] button[type=submit]`)); st != http.StatusOK {
		t.Fatalf("redact: status %d", st)
	}
	if p := b.path(); p != "/staff/moderation/"+rc.ID {
		t.Fatalf("after redacting: on %s, want the item page", p)
	}
	text := b.text(".moderated-text")
	if !strings.Contains(text, "[phone]") || !strings.Contains(text, "[staff]") || strings.Contains(text, "Joanna") || strings.Contains(text, "07700") {
		t.Errorf("after redacting the page shows %q, want the name and phone number replaced by [staff] and [phone]", text)
	}
	axe.check(b, "en", "moderation item, redacted")

	if st := follow(b, chromedp.CSS(`form[action$="/approve"] button[type=submit]`)); st != http.StatusOK {
		t.Fatalf("approve: status %d", st)
	}
	if p := b.path(); p != "/staff/moderation" {
		t.Errorf("after approving: on %s, want /staff/moderation", p)
	}
	held, err := s.App.Store.ExperienceByReference(bg, rc.Reference, rc.Secret)
	if err != nil {
		t.Fatalf("ExperienceByReference after approval: %v", err)
	}
	const wantText = "Nurse [staff] was kind, call me on [phone]"
	if held.Status != experience.StatusApproved || held.Submission.WhatHappened != wantText || !held.Redacted {
		t.Errorf("store holds status %q, redacted %v, text %q; want %q, true, %q",
			held.Status, held.Redacted, held.Submission.WhatHappened, experience.StatusApproved, wantText)
	}

	// Capture three experiences in a row.
	before, err := s.App.Store.ModerationQueue(bg, 200)
	if err != nil {
		t.Fatal(err)
	}
	if st := b.open("/staff/capture"); st != http.StatusOK {
		t.Fatalf("/staff/capture: status %d", st)
	}
	b.noHorizontalScroll("capture")
	axe.check(b, "en", "capture")
	captured := []struct{ role, stage, text string }{
		{"person-with-cancer", "screening", "Waited five weeks for a letter about my scan."},
		{"family-or-carer", "treatment", "My dad was not offered an interpreter at chemotherapy."},
		{"friend", "getting-diagnosed", "The GP listened and referred her the same day."},
	}
	var refs []string
	for i, c := range captured {
		b.clickLabel(`input[name=role][value="` + c.role + `"]`)
		b.clickLabel(`input[name=stages][value="` + c.stage + `"]`)
		b.fill("#what_happened", c.text)
		b.clickLabel(`#consent_evidence`)
		if st := follow(b, chromedp.CSS(`button[name=next][value=another]`)); st != http.StatusOK {
			t.Fatalf("capture %d: status %d\n%s", i+1, st, b.text("main"))
		}
		if p := b.path(); p != "/staff/capture" {
			t.Fatalf("capture %d: on %s, want /staff/capture\n%s", i+1, p, b.text("main"))
		}
		notice := b.text(`.notice[role=status]`)
		ref := savedRefRe.FindString(notice)
		if ref == "" {
			t.Errorf("capture %d: no reference confirmed, notice %q", i+1, notice)
		}
		refs = append(refs, ref)
		empty := eval[bool](b, `document.querySelector("#what_happened").value === "" &&
			!document.querySelector("input[name=role]:checked") &&
			!document.querySelector("input[name=stages]:checked") &&
			!document.querySelector("#consent_evidence").checked`)
		if !empty {
			t.Errorf("capture %d: the form is not empty for the next person", i+1)
		}
		b.noHorizontalScroll(fmt.Sprintf("capture, %d saved", i+1))
	}
	axe.check(b, "en", "capture, saved and ready for another")

	after, err := s.App.Store.ModerationQueue(bg, 200)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before)+3 {
		t.Errorf("moderation queue holds %d items, want %d (3 new)", len(after), len(before)+3)
	}
	inQueue := map[string]store.QueueItem{}
	for _, q := range after {
		inQueue[q.Reference] = q
	}
	for _, ref := range refs {
		q, ok := inQueue[ref]
		if !ok {
			t.Errorf("captured %s is not pending moderation", ref)
		} else if q.Source != experience.SourceEvent {
			t.Errorf("captured %s has source %q, want %q", ref, q.Source, experience.SourceEvent)
		}
	}
}

func TestResidentWithdrawsLater(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	ctx := browser.Tab(t, browsertest.WithTimeout(2*time.Minute))
	cat := newCatalogueCheck(t)

	sh := sharer{
		lang: "en", dir: "ltr", role: "person-with-cancer", stages: []string{"screening"},
		whatHappened: "The screening letter came after the appointment date.",
		eqField:      equality.FieldAgeBand, eqValue: "45-54",
	}
	b := privateTab(t, ctx, s.URL)
	ref, secret := b.share(sh, cat)

	// Later, in a browser with no cookies of the first visit.
	c := privateTab(t, ctx, s.URL)
	if st := c.open("/my-story"); st != http.StatusOK {
		t.Fatalf("/my-story: status %d", st)
	}
	c.fill("#reference", strings.ToLower(ref))
	c.fill("#secret", secret)
	if st := follow(c, chromedp.CSS(`form[action="/my-story"] button[type=submit]`)); st != http.StatusOK {
		t.Fatalf("look up: status %d\n%s", st, c.text("main"))
	}
	if p := c.path(); p != "/my-story/view" {
		t.Fatalf("after the codes (reference in lower case): on %s, want /my-story/view\n%s", p, c.text("main"))
	}
	if got := c.text("main"); !strings.Contains(got, ref) || !strings.Contains(got, sh.whatHappened) {
		t.Errorf("/my-story/view does not show the reference and the story:\n%s", got)
	}

	const correction = "It was my left side, not my right."
	c.fill("#correction", correction)
	if st := follow(c, chromedp.CSS(`form[action="/my-story/correction"] button[type=submit]`)); st != http.StatusOK {
		t.Fatalf("add correction: status %d\n%s", st, c.text("main"))
	}
	if p := c.path(); p != "/my-story/view" {
		t.Errorf("after the correction: on %s, want /my-story/view", p)
	}
	if got := c.text("dl.summary"); !strings.Contains(got, correction) {
		t.Errorf("the story does not show the correction:\n%s", got)
	}
	if held, err := s.App.Store.ExperienceByReference(bg, ref, secret); err != nil || len(held.Corrections) != 1 || held.Corrections[0].Text != correction {
		t.Errorf("store holds corrections %+v, %v; want one, %q", held.Corrections, err, correction)
	}

	if st := follow(c, chromedp.CSS(`main a[href="/my-story/withdraw"]`)); st != http.StatusOK {
		t.Fatalf("withdraw link: status %d", st)
	}
	if p := c.path(); p != "/my-story/withdraw" {
		t.Fatalf("withdraw link: on %s, want the confirmation page", p)
	}
	// Nothing is withdrawn until it is confirmed.
	if _, err := s.App.Store.ExperienceByReference(bg, ref, secret); err != nil {
		t.Fatalf("before confirming, ExperienceByReference: %v", err)
	}
	if st := follow(c, chromedp.CSS(`form[action="/my-story/withdraw"] button[type=submit]`)); st != http.StatusOK {
		t.Fatalf("confirm withdrawal: status %d", st)
	}
	if got := c.text("h1"); got != "" && !strings.Contains(c.text(".confirmation"), got) {
		t.Errorf("after withdrawing, h1 %q is not the confirmation", got)
	}
	if _, err := s.App.Store.ExperienceByReference(bg, ref, secret); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after withdrawal, ExperienceByReference: %v, want ErrNotFound", err)
	}
	if n, err := s.App.Store.WithdrawalCount(bg, experience.KindExperience); err != nil || n != 1 {
		t.Errorf("WithdrawalCount = %d, %v; want 1", n, err)
	}
	c.open("/my-story/view")
	if p := c.path(); p != "/my-story" {
		t.Errorf("/my-story/view after withdrawal: on %s, want /my-story", p)
	}
}
