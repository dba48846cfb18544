package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/browsertest"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
)

// newStaffMember creates, through the store, staff of any role who has
// finished setting up.
func (s *site) newStaffMember(p *person, role account.Role) account.User {
	s.t.Helper()
	u, err := s.App.Store.CreateUser(bg, "test", account.NewUser{Email: p.Email, DisplayName: p.Name, Role: role})
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
	return u
}

// codeByKeyboard applies a code to the whole of an answer with the
// keyboard only: type in the code filter, Enter to the list, Space on
// "the whole answer", Enter on the Apply button.
func (b *tab) codeByKeyboard(field, codeName string) {
	b.t.Helper()
	filter := `[data-code-filter="code-` + field + `"]`
	b.do("filter the codes", chromedp.Focus(chromedp.CSS(filter)), browsertest.InsertText(codeName), chromedp.KeyEvent(kb.Enter))
	if got := eval[string](b, `document.activeElement.id`); got != "code-"+field {
		b.t.Fatalf("Enter in the filter left focus on %q, want the code list", got)
	}
	if got := eval[string](b, `(s => s.options[s.selectedIndex].text)(document.getElementById("code-`+field+`"))`); !strings.Contains(got, codeName) {
		b.t.Fatalf("typing %q chose %q", codeName, got)
	}
	b.do("tick the whole answer", chromedp.Focus(chromedp.CSS("#whole-"+field)), chromedp.KeyEvent(" "))
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Focus(chromedp.CSS(`form[data-apply-for="`+field+`"] button[type=submit]`)), chromedp.KeyEvent(kb.Enter))
	if err != nil || resp == nil || resp.Status != http.StatusOK {
		b.t.Fatalf("apply %s by keyboard: %v %v\n%s", codeName, resp, err, b.text(".error-summary"))
	}
}

// TestConnectorCodesWithTheKeyboard: a connector codes twenty demo
// experiences in English, Polish and Urdu with the keyboard, accepts a
// suggestion the model learned from the first ones, codes two whole
// answers with JavaScript off, adds an English rendering to an Urdu
// story; an analyst codes a sample a second time, blind, and reads
// kappa. Every page passes axe-core.
func TestConnectorCodesWithTheKeyboard(t *testing.T) {
	t.Parallel()
	axe := newAxeChecker(t)
	s := startSite(t)
	conn := &person{Name: "Joy Okafor", Email: "joy.okafor@example.org", Password: "copper kettle meadow 93"}
	s.newStaffMember(conn, account.Connector)
	analyst := &person{Name: "Priya Shah", Email: "priya.shah@example.org", Password: "amber lantern river 17"}
	s.newStaffMember(analyst, account.Analyst)

	queue, total, err := s.App.Store.CodingQueue(bg, 100)
	exps, _ := demo.Experiences()
	if err != nil || total != len(exps) {
		t.Fatalf("the demo loads %d experiences to code (%v), want %d", total, err, len(exps))
	}
	codes, _ := demo.Codebook()
	name := map[string]string{}
	for _, c := range codes {
		name[c.ID] = c.Name
	}
	// The demo loads in file order, so the queue's i-th is the file's i-th.
	byLang := map[string][]int{}
	for i, it := range queue {
		if it.Lang != exps[i].Lang {
			t.Fatalf("queue item %d is %s, the demo's is %s", i, it.Lang, exps[i].Lang)
		}
		byLang[it.Lang] = append(byLang[it.Lang], i)
	}
	// English, Polish and Urdu in turn, as stories come in from events.
	var pick []int
	for k := 0; len(pick) < 20; k++ {
		for _, l := range []string{"en", "pl", "ur"} {
			if k < len(byLang[l]) && len(pick) < 20 {
				pick = append(pick, byLang[l][k])
			}
		}
	}

	ctx := browser.Tab(t, browsertest.WithTimeout(6*time.Minute))
	b := newTab(t, ctx, s.URL)
	defer axe.summary()
	b.signIn(s, conn)
	if st := follow(b, chromedp.CSS(`.staff-bar a[href="/staff/analysis/code"]`)); st != http.StatusOK {
		t.Fatalf("the Coding link: %d", st)
	}
	axe.check(b, "en", "coding queue")
	accepted := false
	for n, i := range pick {
		it := queue[i]
		if st := b.open("/staff/analysis/code/" + it.ID); st != http.StatusOK {
			t.Fatalf("open %s: %d", it.Reference, st)
		}
		if n == 0 || n == 2 { // an English and an Urdu story
			axe.check(b, "en", "coding page ("+it.Lang+")")
		}
		// After the first dozen, the model has learned: take a right suggestion.
		took := ""
		if n >= 12 {
			for _, want := range exps[i].Codes {
				sel := `#suggestions form:has(input[name=code][value="` + want + `"]) button[value=accept]`
				if eval[bool](b, `!!document.querySelector(`+jsString(sel)+`)`) {
					follow(b, chromedp.CSS(sel))
					accepted, took = true, want
					break
				}
			}
		}
		// The connector applies every code the story calls for.
		for _, c := range exps[i].Codes {
			if c == took {
				continue
			}
			b.codeByKeyboard("what_happened", name[c])
			if !strings.Contains(b.text(`#answer-what_happened .codings`), name[c]) {
				t.Fatalf("%s: the coding is not listed after applying it", it.Reference)
			}
		}
		follow(b, chromedp.CSS(`.done-form button`))
	}
	if !accepted {
		t.Error("no suggestion learned from the first twelve codings was right for the next eight")
	}
	if a, _, _ := s.App.Store.SuggestionCounts(bg); a < 1 {
		t.Errorf("the accepted suggestion was not recorded")
	}

	// An English rendering of an Urdu story.
	urdu := queue[byLang["ur"][0]]
	b.open("/staff/analysis/code/" + urdu.ID)
	b.do("open the rendering", chromedp.Click(chromedp.CSS(`#answer-what_happened details.rendering summary`)))
	b.fill("#translation-what_happened", "In our family nobody even says the word cancer.")
	follow(b, chromedp.CSS(`#answer-what_happened details.rendering button[type=submit]`))
	if !strings.Contains(b.text(`[data-answer-text="translation.what_happened"]`), "nobody even says the word cancer") {
		t.Errorf("the English rendering is not shown beside the Urdu original")
	}
	if lang := eval[string](b, `document.querySelector('[data-answer-text="what_happened"]').lang`); lang != "ur" {
		t.Errorf("the Urdu original is marked lang=%q", lang)
	}
	axe.check(b, "en", "coding page with a rendering")

	// JavaScript off: whole answers still get coded.
	off := privateTab(t, ctx, s.URL)
	off.do("JavaScript off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	off.signIn(s, conn)
	for _, i := range byLang["ro"][:2] { // two Romanian stories
		off.open("/staff/analysis/code/" + queue[i].ID)
		if eval[bool](off, `!document.querySelector("[data-code-filter]").hidden`) {
			t.Error("the code filter shows without JavaScript")
		}
		off.do("choose a code", chromedp.SetValue(chromedp.CSS("#code-what_happened"), exps[i].Codes[0]))
		off.clickLabel("#whole-what_happened")
		if st := follow(off, chromedp.CSS(`form[data-apply-for="what_happened"] button[type=submit]`)); st != http.StatusOK {
			t.Fatalf("apply without JavaScript: %d", st)
		}
		v, err := s.App.Store.ExperienceForCoding(bg, queue[i].ID, "test", "")
		if err != nil || len(v.Codings) != 1 || !v.Codings[0].Whole {
			t.Fatalf("without JavaScript: %+v %v", v.Codings, err)
		}
		follow(off, chromedp.CSS(`.done-form button`))
	}

	// An analyst double-codes a sample and reads kappa.
	b.open("/staff/analysis/agreement")
	axe.check(b, "en", "agreement")
	b.fill("#name", "December check")
	an, _ := s.App.Store.UserByEmail(bg, analyst.Email)
	b.do("choose the analyst", chromedp.SetValue(chromedp.CSS("#coder"), an.ID))
	b.fill("#size", "4")
	if st := follow(b, chromedp.CSS(`form[action="/staff/analysis/agreement"] button`)); st != http.StatusOK {
		t.Fatalf("create the sample: %d", st)
	}
	samplePath := b.path()
	second := privateTab(t, ctx, s.URL)
	second.signIn(s, analyst)
	second.open(samplePath)
	links := eval[[]string](second, `Array.from(document.querySelectorAll('main ul a[href*="sample="]'), a => a.getAttribute("href"))`)
	if len(links) != 4 {
		t.Fatalf("the sample lists %d experiences, want 4", len(links))
	}
	for k, link := range links {
		second.open(link)
		if eval[bool](second, `!!document.querySelector(".codings")`) {
			t.Error("the second coder sees the first coding")
		}
		id := strings.TrimPrefix(strings.Split(link, "?")[0], "/staff/analysis/code/")
		var first []store.Coding
		if v, err := s.App.Store.ExperienceForCoding(bg, id, "test", ""); err == nil {
			first = v.Codings
		}
		codeID := first[0].CodeID
		if k == 3 {
			codeID = demo.CodeID("transport") // one disagreement
		}
		second.codeByKeyboard("what_happened", name[codeID])
		follow(second, chromedp.CSS(`.done-form button`))
	}
	second.open(samplePath)
	axe.check(second, "en", "agreement results")
	if txt := second.text("main"); !strings.Contains(txt, "Pooled kappa") || !strings.Contains(txt, "Transport") {
		t.Errorf("the kappa table:\n%s", txt)
	}

	// The codebook pages.
	b.open("/staff/codebook")
	axe.check(b, "en", "codebook")
	b.open("/staff/codebook/" + demo.CodeID("language"))
	axe.check(b, "en", "a code")
	b.open("/staff/codebook/" + demo.CodeID("language") + "?lang=ur")
	b.wantLang("ur", "rtl")
	axe.check(b, "ur", "a code")
}
