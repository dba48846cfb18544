package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/browsertest"
	"github.com/hearme-project/hearme/internal/demo"
)

// TestConnectorTranslatesAndResidentReadsUrdu: the ICB has answered a
// published recommendation with two commitments and an update; a
// connector finds them under "Translate commitments and updates" (an
// empty translation first: the error summary) and translates the first
// commitment into Urdu; a resident with JavaScript off reads the report
// in Urdu and sees that commitment in Urdu, marked as translated, and the
// other in English, tagged lang="en" and marked "in English"; the
// commitments' own pages say the same. Every page passes axe-core.
func TestConnectorTranslatesAndResidentReadsUrdu(t *testing.T) {
	t.Parallel()
	axe := newAxeChecker(t)
	s := startSite(t)
	st := s.App.Store
	rec, err := st.SaveRecommendation(bg, "test", accountability.Recommendation{Title: "Interpreters at every appointment", Text: "Book a professional interpreter.",
		Organisations: []string{"blmk-icb"}, Themes: []string{demo.CodeID("language")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PublishRecommendation(bg, "test", rec.ID, rec.Version, nil, nil, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveResponse(bg, "test", accountability.Response{RecommendationID: rec.ID, Organisation: "blmk-icb", Decision: accountability.Accepted}); err != nil {
		t.Fatal(err)
	}
	today := accountability.Day(time.Now(), time.UTC)
	var refs []string
	for _, text := range []string{"We will book an interpreter with every appointment.", "We will send appointment letters in the patient's language."} {
		c, err := st.AddCommitment(bg, "test", accountability.Commitment{RecommendationID: rec.ID, Organisation: "blmk-icb", Text: text, OwnerRole: "Head of Outpatients",
			Due: today.AddDate(0, 3, 0), Weight: 1, CreatedOn: today}, "planned")
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, c.Reference)
	}
	conn := &person{Name: "Amina Farah", Email: "amina.farah@example.org", Password: "silver orchard pebble 44"}
	s.newStaffMember(conn, account.Connector)

	ctx := browser.Tab(t, browsertest.WithTimeout(4*time.Minute))
	defer axe.summary()
	c := newTab(t, ctx, s.URL)
	c.signIn(s, conn)
	if st := follow(c, chromedp.CSS(`a[href="/staff/translations"]`)); st != http.StatusOK {
		t.Fatalf("the translations link: %d", st)
	}
	if st := follow(c, chromedp.CSS(`a[href="/staff/translations?to=ur"]`)); st != http.StatusOK {
		t.Fatalf("into Urdu: %d", st)
	}
	axe.check(c, "en", "what needs translating into Urdu")
	if !strings.Contains(c.text("main"), "We will send appointment letters") {
		t.Fatal("the second commitment is not listed to translate")
	}
	first, _ := st.CommitmentByReference(bg, refs[0])
	if st := follow(c, chromedp.CSS(`a[href="/staff/translations/commitment/`+first.ID+`/ur"]`)); st != http.StatusOK {
		t.Fatalf("the form: %d", st)
	}
	axe.check(c, "en", "translation form")
	if st := follow(c, chromedp.CSS(`main form button[type="submit"]`)); st != http.StatusUnprocessableEntity || !strings.Contains(c.text(".error-summary"), "Enter this") {
		t.Fatalf("an empty translation: %d %q", st, c.text(".error-summary"))
	}
	axe.check(c, "en", "translation form with errors")
	urdu := "ہم ہر ملاقات کے ساتھ مترجم بک کریں گے۔"
	c.fill("#text", urdu)
	if st := follow(c, chromedp.CSS(`main form button[type="submit"]`)); st != http.StatusOK || strings.Contains(c.text("main"), "There is a problem") {
		t.Fatalf("the translation: %d %s", st, c.text(".error-summary"))
	}

	// A resident, JavaScript off, reads the report in Urdu.
	r := privateTab(t, ctx, s.URL)
	r.do("JavaScript off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	if st := r.open("/report?lang=ur"); st != http.StatusOK {
		t.Fatalf("/report in Urdu: %d", st)
	}
	r.wantLang("ur", "rtl")
	translated := r.text(`main a[href="/report/commitments/` + refs[0] + `"]:not([lang])`)
	if translated != urdu {
		t.Errorf("the translated commitment reads %q, want the Urdu", translated)
	}
	if got := r.text(`main a[lang="en"][dir="ltr"][href="/report/commitments/` + refs[1] + `"]`); !strings.Contains(got, "We will send appointment letters") {
		t.Errorf("the untranslated commitment is not tagged English: %q", got)
	}
	main := r.text("main")
	for _, want := range []string{"(ترجمہ شدہ)", "(انگریزی میں)", "ادارے اپنے جوابات، وعدے اور تازہ کاریاں انگریزی میں لکھتے ہیں"} {
		if !strings.Contains(main, want) {
			t.Errorf("the Urdu report lacks %q", want)
		}
	}
	r.open("/report/commitments/" + refs[0] + "?lang=ur")
	if main := r.text("main"); !strings.Contains(main, urdu) || !strings.Contains(main, "انگریزی سے ترجمہ کیا") {
		t.Errorf("the translated commitment's page: %q", main)
	}
	r.open("/report/commitments/" + refs[1] + "?lang=ur")
	if main := r.text("main"); !strings.Contains(main, "ابھی آپ کی زبان میں ترجمہ نہیں ہوا") {
		t.Errorf("the untranslated commitment's page is not marked: %q", main)
	}
	// axe-core needs JavaScript.
	u := privateTab(t, ctx, s.URL)
	for _, page := range []string{"/report", "/report/" + rec.Reference, "/report/commitments/" + refs[0], "/report/commitments/" + refs[1]} {
		if st := u.open(page + "?lang=ur"); st != http.StatusOK {
			t.Fatalf("%s in Urdu: %d", page, st)
		}
		axe.check(u, "ur", page)
	}
	// With more recommendations than a page holds, the report is paged:
	// its page navigation passes axe-core too, and leads to the first
	// recommendation on page 2.
	for i := range 25 {
		more, err := st.SaveRecommendation(bg, "test", accountability.Recommendation{Title: "More " + string(rune('A'+i)), Text: "x", Organisations: []string{"blmk-icb"},
			Themes: []string{demo.CodeID("language")}})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.PublishRecommendation(bg, "test", more.ID, more.Version, nil, nil, func(string) string { return "" }); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range []string{"ur", "en"} {
		u.open("/report?lang=" + l)
		axe.check(u, l, "/report, first of two pages")
	}
	if st := follow(u, chromedp.CSS(`nav.pager a[rel="next"]`)); st != http.StatusOK || !strings.Contains(u.text("main"), "Interpreters at every appointment") {
		t.Fatalf("page 2: %d", st)
	}
	axe.check(u, "en", "/report, page 2")
}
