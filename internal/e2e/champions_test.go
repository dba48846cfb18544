package e2e

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	netmail "net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/browsertest"
	"github.com/hearme-project/hearme/internal/experience"
)

// welcomeLink waits for the development sender to write a new
// champion's welcome email (to <data>/outbox-dev) and returns its
// subject, recipient and plain-text part, with the set-password link.
func (s *site) welcomeLink() (subject, to, text, link string) {
	s.t.Helper()
	var raw []byte
	for deadline := time.Now().Add(15 * time.Second); raw == nil && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if files, _ := filepath.Glob(filepath.Join(s.App.Config.DataDir, "outbox-dev", "*champion_welcome*.eml")); len(files) == 1 {
			raw, _ = os.ReadFile(files[0])
		}
	}
	if raw == nil {
		s.t.Fatal("no welcome email was written")
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		s.t.Fatal(err)
	}
	subject, _ = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	to = msg.Header.Get("To")
	text = plainPart(s.t, msg.Header.Get("Content-Type"), msg.Body)
	link = regexp.MustCompile(regexp.QuoteMeta(s.URL) + `/setup/[A-Za-z0-9_-]+`).FindString(text)
	if link == "" {
		s.t.Fatalf("no set-up link in the welcome email:\n%s", text)
	}
	return subject, to, text, link
}

// plainPart returns the decoded text/plain part of a MIME body.
func plainPart(t *testing.T, contentType string, body io.Reader) string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		b, _ := io.ReadAll(body)
		return string(b)
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		p, err := mr.NextPart() // decodes quoted-printable itself
		if err != nil {
			t.Fatalf("no text/plain part: %v", err)
		}
		ct := p.Header.Get("Content-Type")
		if strings.HasPrefix(ct, "multipart/") {
			return plainPart(t, ct, p)
		}
		if strings.HasPrefix(ct, "text/plain") {
			var r io.Reader = p
			if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
				r = base64.NewDecoder(base64.StdEncoding, p)
			}
			b, _ := io.ReadAll(r)
			return string(b)
		}
	}
}

// TestChampionJourney: a resident applies in Bengali; a connector moves
// them through training to active; the champion follows the link in
// their welcome email, signs in on a phone, logs outreach and records an
// experience they heard. axe-core checks /champions in every language
// (empty and with errors) and every champion page on the way.
func TestChampionJourney(t *testing.T) {
	t.Parallel()
	axe := newAxeChecker(t)
	cat := newCatalogueCheck(t)
	s := startSite(t)
	ctx := browser.Tab(t, browsertest.WithTimeout(4*time.Minute))
	defer axe.summary()

	// /champions in every language, as found and with every error shown.
	res := newTab(t, ctx, s.URL)
	res.do("phone-sized viewport", chromedp.EmulateViewport(375, 667))
	for _, l := range s.languages() {
		if st := res.open("/champions?lang=" + l.Code); st != http.StatusOK {
			t.Fatalf("/champions [%s]: status %d", l.Code, st)
		}
		res.wantLang(l.Code, l.Dir())
		axe.check(res, l.Code, "champions")
		cat.check(res, l.Code, "champions")
		res.noHorizontalScroll("champions " + l.Code)
		if st := follow(res, chromedp.CSS(`#send`)); st != http.StatusUnprocessableEntity {
			t.Fatalf("empty application [%s]: status %d", l.Code, st)
		}
		if n := eval[int](res, `document.querySelectorAll(".error-summary li").length`); n < 4 {
			t.Errorf("empty application [%s]: %d errors in the summary, want name, contact, community, motivation, consent", l.Code, n)
		}
		axe.check(res, l.Code, "champions with errors")
		cat.check(res, l.Code, "champions with errors")
	}

	// A resident applies in Bengali; the first try misses the consent box
	// and comes back with every answer kept.
	res.open("/champions?lang=bn")
	res.fill("#name", "রিনা বেগম")
	res.fill("#email", "rina.begum@example.org")
	res.clickLabel(`input[name=communities][value="south-asian"]`)
	res.fill("#languages", "বাংলা, সিলেটি, ইংরেজি")
	res.clickLabel(`input[name=availability][value="weekend"]`)
	res.fill("#motivation", "আমার মায়ের ক্যান্সার দেরিতে ধরা পড়েছিল।")
	if st := follow(res, chromedp.CSS(`#send`)); st != http.StatusUnprocessableEntity {
		t.Fatalf("application without consent: status %d", st)
	}
	shown := time.Now() // the page with errors carries a new time token
	if got := res.value("#motivation"); got != "আমার মায়ের ক্যান্সার দেরিতে ধরা পড়েছিল।" {
		t.Errorf("motivation not kept: %q", got)
	}
	if !eval[bool](res, `document.querySelector('input[value="south-asian"]').checked && document.querySelector('input[value="weekend"]').checked`) {
		t.Error("the ticked boxes were not kept")
	}
	res.clickLabel(`#consent`)
	time.Sleep(3*time.Second + 150*time.Millisecond - time.Since(shown)) // the time token must be 3 s old
	if st := follow(res, chromedp.CSS(`#send`)); st != http.StatusOK {
		t.Fatalf("application: status %d\n%s", st, res.text("main"))
	}
	if p := res.path(); p != "/champions/thanks" {
		t.Fatalf("after applying: on %s\n%s", p, res.text("main"))
	}
	res.wantLang("bn", "ltr")
	axe.check(res, "bn", "champion thanks")

	// A connector moves them through the pipeline.
	conn := &person{Name: "Joy Okafor", Email: "joy.okafor@example.org", Password: "copper kettle meadow 93"}
	s.newConnector(conn)
	b := privateTab(t, ctx, s.URL)
	b.signIn(s, conn)
	if st := b.open("/staff/champions"); st != http.StatusOK {
		t.Fatalf("/staff/champions: status %d", st)
	}
	axe.check(b, "en", "champions pipeline")
	follow(b, chromedp.CSS(`.champion-column a`))
	if got := b.text("h1"); got != "রিনা বেগম" {
		t.Fatalf("champion page heading %q", got)
	}
	axe.check(b, "en", "champion details")
	for _, st := range []string{"contacted", "training"} {
		b.clickLabel(`input[name=to][value="` + st + `"]`)
		b.fill("#note", "Moved to "+st)
		follow(b, chromedp.CSS(`#move-send`))
		if got := b.text(".lead"); !strings.Contains(got, map[string]string{"contacted": "Contacted", "training": "In training"}[st]) {
			t.Fatalf("after moving to %s the page says %q", st, got)
		}
	}
	// The demo's first module, completed today (the form's default date).
	follow(b, chromedp.CSS(`#training-send`))
	if got := b.text(".notice"); !strings.Contains(got, "Training recorded") {
		t.Fatalf("training not recorded: %q\n%s", got, b.text("main"))
	}
	axe.check(b, "en", "champion details after training")
	b.clickLabel(`input[name=to][value="active"]`)
	follow(b, chromedp.CSS(`#move-send`))
	if got := b.text(".notice"); !strings.Contains(got, "now active") {
		t.Fatalf("not activated: %q\n%s", got, b.text("main"))
	}
	for _, p := range []string{"/staff/champions/training", "/staff/champions/totals"} {
		if st := b.open(p); st != http.StatusOK {
			t.Fatalf("%s: %d", p, st)
		}
		axe.check(b, "en", p)
	}

	// The champion follows the link in their welcome email (in Bengali).
	subject, to, text, link := s.welcomeLink()
	if !strings.Contains(to, "rina.begum@example.org") || !strings.Contains(subject, "চ্যাম্পিয়ন") || !strings.Contains(text, "রিনা বেগম") {
		t.Errorf("welcome email to %q, subject %q, in Bengali? %q", to, subject, text)
	}
	ch := privateTab(t, ctx, s.URL)
	ch.do("phone-sized viewport", chromedp.EmulateViewport(375, 667))
	if st := ch.open(link); st != http.StatusOK {
		t.Fatalf("set-up link: status %d", st)
	}
	champ := &person{Email: "rina.begum@example.org", Password: "river lantern mango 58"}
	ch.fill("#password", champ.Password)
	ch.fill("#confirm", champ.Password)
	follow(ch, chromedp.CSS(`main form button[type=submit]`))
	ch.signOut()
	ch.fill("#email", champ.Email)
	ch.fill("#password", champ.Password)
	follow(ch, chromedp.CSS(`form[action="/login"] button[type=submit]`))
	if p := ch.path(); p != "/staff" {
		t.Fatalf("champion sign-in: on %s\n%s", p, ch.text("main"))
	}
	if w := eval[int](ch, `window.innerWidth`); w != 375 {
		t.Fatalf("window.innerWidth = %d, want 375", w)
	}
	if st := ch.open("/champion"); st != http.StatusOK {
		t.Fatalf("/champion: status %d", st)
	}
	ch.noHorizontalScroll("champion home")
	axe.check(ch, "en", "champion home")

	// Outreach from the phone: a mistake first, then the entry.
	follow(ch, chromedp.CSS(`main .champion-links a[href="/champion/outreach"]`))
	ch.do("choose the community", chromedp.SetValue(chromedp.CSS(`#community`), "south-asian"))
	ch.fill("#place", "Mosque women's group")
	ch.fill("#people_reached", "many")
	if st := follow(ch, chromedp.CSS(`#send`)); st != http.StatusUnprocessableEntity {
		t.Fatalf("outreach with a mistake: status %d", st)
	}
	if ch.value("#place") != "Mosque women's group" || ch.value("#community") != "south-asian" {
		t.Error("outreach answers not kept")
	}
	ch.noHorizontalScroll("outreach with errors")
	axe.check(ch, "en", "outreach with errors")
	ch.fill("#people_reached", "14")
	ch.fill("#hours", "1.5")
	ch.fill("#topics", "Bowel screening home test kits")
	if st := follow(ch, chromedp.CSS(`#send`)); st != http.StatusOK {
		t.Fatalf("outreach: status %d", st)
	}
	if got := ch.text(".champion-entries"); !strings.Contains(got, "Bowel screening home test kits") || !strings.Contains(got, "14 people reached") {
		t.Fatalf("outreach list: %q", got)
	}
	ch.noHorizontalScroll("outreach saved")
	axe.check(ch, "en", "outreach saved")
	if st := ch.open("/champion/record"); st != http.StatusOK {
		t.Fatalf("/champion/record: %d", st)
	}
	axe.check(ch, "en", "champion record")

	// An experience they heard, through the capture form, to moderation.
	ch.open("/champion")
	follow(ch, chromedp.CSS(`main .champion-links a[href="/staff/capture"]`))
	ch.clickLabel(`input[name=role][value="community-member"]`)
	ch.clickLabel(`input[name=stages][value="screening"]`)
	ch.fill("#what_happened", "She did not know the bowel screening kit comes by post.")
	ch.clickLabel(`#consent_evidence`)
	if st := follow(ch, chromedp.CSS(`button[name=next][value=another]`)); st != http.StatusOK {
		t.Fatalf("capture: status %d\n%s", st, ch.text("main"))
	}
	q, err := s.App.Store.ModerationQueue(bg, 50)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, it := range q {
		found = found || it.Source == experience.SourceChampion
	}
	if !found {
		t.Errorf("the champion's experience is not waiting for moderation: %+v", q)
	}
	tot, err := s.App.Store.ChampionTotals(bg)
	if err != nil || len(tot) != 1 || tot[0].Sessions != 1 || tot[0].PeopleReached != 14 || tot[0].Experiences != 1 {
		t.Errorf("totals after the journey: %+v %v", tot, err)
	}
}
