package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/champion"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/store"
)

func championApplication(token string) url.Values {
	return url.Values{"form_token": {token}, "name": {"Rina Begum"}, "email": {"rina@example.org"}, "phone": {"07700 900 982"},
		"communities": {"south-asian"}, "languages": {"Bengali, Sylheti, English"}, "availability": {"weekend", "weekday_evening"},
		"motivation": {"My mother was diagnosed late."}, "lived_experience": {"Carer for my mother."}, "consent": {"yes"}}
}

// queuedMail opens the outbox messages of a kind, newest last.
func (e *env) queuedMail(kind string) []mail.Message {
	e.t.Helper()
	queued, err := e.store.OutboxMail(ctx, kind)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []mail.Message
	for _, q := range queued {
		m, err := mail.Open(e.keys, q.Payload)
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func TestChampionApplicationForm(t *testing.T) { t.Parallel(); eachEnv(t, testChampionApplicationForm) }

func testChampionApplicationForm(t *testing.T, e *env) {
	c := e.client()
	page := c.get("/champions?lang=bn")
	if page.status != http.StatusOK || !strings.Contains(page.body, `lang="bn"`) || !strings.Contains(page.body, "ক্যান্সার চ্যাম্পিয়ন হোন") {
		t.Fatalf("Bengali page: %d", page.status)
	}
	if page.header.Get("Cache-Control") != "no-store" {
		t.Error("the form page with its time token may be cached")
	}
	// Every mistake at once: the page comes back with the summary, each
	// error, and every answer kept.
	bad := championApplication(tokenOf(t, page.body))
	bad.Set("name", "")
	bad.Set("email", "not-an-email")
	bad.Set("motivation", "")
	bad.Del("consent")
	bad.Set("communities", "not-a-community")
	r := c.post("/champions", bad)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad application: %d", r.status)
	}
	for _, want := range []string{`href="#name"`, `href="#email"`, `href="#communities"`, `href="#motivation"`, `href="#consent"`,
		`value="not-an-email"`, `value="07700 900 982"`, "Carer for my mother.", `value="weekend" id="availability-weekend" checked`, "সমস্যা"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("error page lacks %q", want)
		}
	}
	assertTranslated(t, "champion form with errors", r.body)
	if n, _ := e.store.ChampionStageCounts(ctx); len(n) != 0 {
		t.Fatal("an invalid application was stored")
	}
	// Hostile input: control characters and invalid UTF-8 are cleaned,
	// an over-long answer is refused, never a 500.
	hostile := championApplication(tokenOf(t, page.body))
	hostile.Set("name", "R\x00ina\xff")
	hostile.Set("motivation", strings.Repeat("x", 5000))
	if r := c.post("/champions", hostile); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#motivation"`) {
		t.Fatalf("hostile application: %d", r.status)
	}
	if r := c.post("/champions", url.Values{"name": {strings.Repeat("x", 2<<20)}}); r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized body: %d", r.status)
	}

	// A good application is stored sealed, and acknowledged by email in
	// the language it was made in.
	r = c.post("/champions", championApplication(tokenOf(t, page.body)))
	if r.status != http.StatusSeeOther || r.location != "/champions/thanks" {
		t.Fatalf("application: %d %s\n%s", r.status, r.location, r.body)
	}
	if th := c.get("/champions/thanks"); th.status != http.StatusOK || !strings.Contains(th.body, "আবেদন করার জন্য ধন্যবাদ") {
		t.Fatalf("thanks page: %d", th.status)
	}
	list, _ := e.store.ChampionPipeline(ctx, store.ChampionFilter{})
	if len(list) != 1 || list[0].Lang != "bn" || strings.Contains(list[0].NameSealed, "Rina") || strings.Contains(list[0].DetailsSealed, "mother") {
		t.Fatalf("stored application: %+v", list)
	}
	msgs := e.queuedMail("champion_received")
	if len(msgs) != 1 || msgs[0].To != "rina@example.org" || msgs[0].Lang != "bn" || !strings.Contains(msgs[0].Text, "Rina Begum") || strings.Contains(msgs[0].Subject, "champions.mail") {
		t.Fatalf("acknowledgement: %+v", msgs)
	}
	if strings.Contains(e.logs.String(), "Rina") || strings.Contains(e.logs.String(), "rina@example.org") {
		t.Error("personal data in the log")
	}
}

const champPassword = "plum orchard lantern 42"

var setupLinkRE = regexp.MustCompile(`https?://[^\s"<]+/setup/[A-Za-z0-9_-]+`)

func TestChampionPipelineToOutreach(t *testing.T) {
	t.Parallel()
	eachEnv(t, testChampionPipelineToOutreach)
}

func testChampionPipelineToOutreach(t *testing.T, e *env) {
	// An application without an email address: activation asks for one.
	pub := e.client()
	v := championApplication(tokenOf(t, pub.get("/champions").body))
	v.Set("email", "")
	if r := pub.post("/champions", v); r.status != http.StatusSeeOther {
		t.Fatalf("application: %d\n%s", r.status, r.body)
	}
	list, _ := e.store.ChampionPipeline(ctx, store.ChampionFilter{})
	id := list[0].ID

	conn := e.newStaff("connie@example.org", account.Connector, "")
	cc := e.client()
	cc.signIn(conn)
	board := cc.get("/staff/champions")
	if board.status != http.StatusOK || !strings.Contains(board.body, "Rina Begum") || board.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("board: %d", board.status)
	}
	if f := cc.get("/staff/champions?stage=active"); strings.Contains(f.body, "Rina Begum") {
		t.Fatal("the stage filter shows an applicant among the active")
	}
	view := cc.get("/staff/champions/" + id)
	if view.status != http.StatusOK || !strings.Contains(view.body, "Carer for my mother.") || !strings.Contains(view.body, "07700 900 982") {
		t.Fatalf("details: %d", view.status)
	}
	if a, _ := e.store.RecentAudit(ctx, 1); a[0].Action != store.AuditChampionViewed || a[0].ActorID != conn.ID {
		t.Fatalf("opening not audited: %+v", a)
	}
	// A move the pipeline does not allow comes back with the note kept.
	r := cc.post("/staff/champions/"+id+"/stage", url.Values{"to": {"active"}, "note": {"skip ahead"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#to"`) || !strings.Contains(r.body, "skip ahead") {
		t.Fatalf("illegal move: %d", r.status)
	}
	for _, st := range []string{"contacted", "training"} {
		if r := cc.post("/staff/champions/"+id+"/stage", url.Values{"to": {st}, "note": {"moved to " + st}}); r.status != http.StatusSeeOther {
			t.Fatalf("move to %s: %d\n%s", st, r.status, r.body)
		}
	}
	// Training modules and the training record.
	if r := cc.post("/staff/champions/training", url.Values{"title": {""}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#title"`) {
		t.Fatalf("module without a title: %d", r.status)
	}
	if r := cc.post("/staff/champions/training", url.Values{"title": {"Safeguarding"}, "required": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("module: %d", r.status)
	}
	mods, _ := e.store.TrainingModules(ctx, false)
	if r := cc.post("/staff/champions/"+id+"/training", url.Values{"module": {mods[0].ID}, "completed_on": {"2999-01-01"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="2999-01-01"`) {
		t.Fatalf("training in the future: %d", r.status)
	}
	if r := cc.post("/staff/champions/"+id+"/training", url.Values{"module": {mods[0].ID}, "completed_on": {"2026-01-05"}}); r.status != http.StatusSeeOther {
		t.Fatalf("training: %d", r.status)
	}
	// Active: no email given, so the form asks for one; a taken one is refused.
	if r := cc.post("/staff/champions/"+id+"/stage", url.Values{"to": {"active"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#account_email"`) {
		t.Fatalf("active without email: %d", r.status)
	}
	if r := cc.post("/staff/champions/"+id+"/stage", url.Values{"to": {"active"}, "account_email": {"connie@example.org"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="connie@example.org"`) {
		t.Fatalf("taken email: %d", r.status)
	}
	if r := cc.post("/staff/champions/"+id+"/stage", url.Values{"to": {"active"}, "account_email": {"Rina@Example.org"}}); r.status != http.StatusSeeOther {
		t.Fatalf("activate: %d\n%s", r.status, r.body)
	}
	welcome := e.queuedMail("champion_welcome")
	if len(welcome) != 1 || welcome[0].To != "rina@example.org" || welcome[0].Lang != "en" {
		t.Fatalf("welcome: %+v", welcome)
	}
	link := setupLinkRE.FindString(welcome[0].Text)
	if link == "" || !strings.Contains(welcome[0].HTML, link) {
		t.Fatalf("no set-up link in the welcome email:\n%s", welcome[0].Text)
	}

	// The champion sets a password and signs in, without a second factor.
	ch := e.client()
	// The link names the configured public address (not the test
	// server's, which only the Host header would give): follow its path.
	if !strings.HasPrefix(link, e.web.PublicURL()+"/setup/") {
		t.Fatalf("set-up link %s is not on the public address %s", link, e.web.PublicURL())
	}
	path := strings.TrimPrefix(link, e.web.PublicURL())
	if r := ch.get(path); r.status != http.StatusOK {
		t.Fatalf("set-up link: %d", r.status)
	}
	if r := ch.post(path, url.Values{"password": {champPassword}, "confirm": {champPassword}}); r.status != http.StatusSeeOther {
		t.Fatalf("set password: %d\n%s", r.status, r.body)
	}
	ch = e.client()
	if r := ch.post("/login", url.Values{"email": {"rina@example.org"}, "password": {champPassword}}); r.status != http.StatusSeeOther || r.location != "/staff" {
		t.Fatalf("champion sign-in: %d %s", r.status, r.location)
	}
	// Role checks both ways.
	for _, p := range []string{"/staff/champions", "/staff/champions/" + id, "/staff/champions/totals", "/staff/champions/training"} {
		if r := ch.get(p); r.status != http.StatusForbidden {
			t.Errorf("champion on %s: %d", p, r.status)
		}
	}
	if r := cc.get("/champion"); r.status != http.StatusForbidden {
		t.Errorf("connector in the champion area: %d", r.status)
	}
	ev := &event.Event{Kind: event.KindHearMe, Visibility: event.Public, Languages: []string{"en"}, Start: time.Now().Add(72 * time.Hour),
		End: time.Now().Add(74 * time.Hour), VenueName: "Bury Park Community Centre", Capacity: 40, Texts: map[string]event.Text{"en": {Title: "Hear me Bury Park"}}}
	if err := e.store.CreateEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	home := ch.get("/champion")
	if home.status != http.StatusOK || !strings.Contains(home.body, `href="/champion/outreach"`) || !strings.Contains(home.body, `href="/staff/capture"`) ||
		!strings.Contains(home.body, "Hear me Bury Park") {
		t.Fatalf("champion home: %d\n%s", home.status, home.body)
	}
	if r := ch.post("/champion/events/"+ev.ID+"/help", url.Values{"help": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("sign up to help: %d", r.status)
	}
	if h := ch.get("/champion"); !strings.Contains(h.body, "You are helping at this event.") {
		t.Fatal("signing up to help did not show")
	}
	if r := ch.post("/champion/events/nope/help", url.Values{"help": {"yes"}}); r.status != http.StatusNotFound {
		t.Fatalf("help at a missing event: %d", r.status)
	}
	// Outreach: mistakes come back with the answers kept.
	bad := url.Values{"date": {"2999-12-31"}, "community": {"south-asian"}, "place": {"Mosque hall"}, "people_reached": {"lots"}, "hours": {"two"}, "follow_up": {"Leaflets in Bengali"}}
	r = ch.post("/champion/outreach", bad)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad outreach: %d", r.status)
	}
	for _, want := range []string{`href="#date"`, `href="#people_reached"`, `href="#hours"`, `value="Mosque hall"`, `value="lots"`, "Leaflets in Bengali", `value="south-asian" selected`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("outreach errors lack %q", want)
		}
	}
	good := url.Values{"date": {"2026-01-10"}, "community": {"south-asian"}, "place": {"Mosque hall"}, "people_reached": {"14"}, "hours": {"1.5"}, "topics": {"Bowel screening kits"}}
	if r := ch.post("/champion/outreach", good); r.status != http.StatusSeeOther || r.location != "/champion/outreach" {
		t.Fatalf("outreach: %d %s\n%s", r.status, r.location, r.body)
	}
	mine := ch.get("/champion/outreach")
	if !strings.Contains(mine.body, "Bowel screening kits") || !strings.Contains(mine.body, "14 people reached") {
		t.Fatalf("my outreach list:\n%s", mine.body)
	}
	// A mistaken entry is deleted by its champion, and by nobody else.
	ch.post("/champion/outreach", url.Values{"date": {"2026-01-11"}, "community": {"south-asian"}, "place": {"Wrong"}, "people_reached": {"140"}})
	mistakes, _ := e.store.OutreachOf(ctx, id, 10)
	if len(mistakes) != 2 || mistakes[0].Place != "Wrong" {
		t.Fatalf("entries: %+v", mistakes)
	}
	if r := cc.post("/champion/outreach/"+mistakes[0].ID+"/delete", nil); r.status != http.StatusForbidden {
		t.Errorf("a connector deleting a champion's entry: %d", r.status)
	}
	if r := ch.post("/champion/outreach/"+mistakes[0].ID+"/delete", nil); r.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.status)
	}
	if r := ch.post("/champion/outreach/"+mistakes[0].ID+"/delete", nil); r.status != http.StatusNotFound {
		t.Fatalf("delete twice: %d", r.status)
	}
	if left, _ := e.store.OutreachOf(ctx, id, 10); len(left) != 1 || left[0].Place != "Mosque hall" {
		t.Fatalf("after deleting: %+v", left)
	}
	rec := ch.get("/champion/record")
	if rec.status != http.StatusOK || !strings.Contains(rec.body, "Safeguarding") || !strings.Contains(rec.body, "<dd>1.5</dd>") {
		t.Fatalf("my record: %d", rec.status)
	}
	// Staff totals and the public counts (suppressed below 8).
	tot := cc.get("/staff/champions/totals")
	if tot.status != http.StatusOK || !strings.Contains(tot.body, "Rina Begum") || !strings.Contains(tot.body, "<td>14</td>") {
		t.Fatalf("totals: %d", tot.status)
	}
	pubPage := pub.get("/champions")
	if !strings.Contains(pubPage.body, "<dd>*</dd>") || strings.Contains(pubPage.body, "<dd>14</dd>") {
		t.Fatal("the public page shows an unrounded count")
	}
}

func TestChampionRoutesRefuseJunk(t *testing.T) {
	t.Parallel()
	eachEnv(t, testChampionRoutesRefuseJunk)
}

func testChampionRoutesRefuseJunk(t *testing.T, e *env) {
	conn := e.newStaff("connie@example.org", account.Connector, "")
	cc := e.client()
	cc.signIn(conn)
	for _, p := range []string{"/staff/champions/nope", "/staff/champions/training?edit=nope"} {
		if r := cc.get(p); r.status != http.StatusNotFound {
			t.Errorf("%s: %d", p, r.status)
		}
	}
	for _, p := range []string{"/staff/champions/nope/stage", "/staff/champions/nope/note", "/staff/champions/nope/owner"} {
		if r := cc.post(p, url.Values{"to": {"contacted"}, "new_note": {"x"}, "owner": {conn.ID}}); r.status != http.StatusNotFound {
			t.Errorf("%s: %d", p, r.status)
		}
	}
	if r := cc.get("/staff/champions?stage=%00&owner=" + strings.Repeat("x", 300)); r.status != http.StatusOK {
		t.Errorf("junk filters: %d", r.status)
	}
}

// Every champions page, public and staff, shows no message key in any
// language (a missing translation would show the key itself).
func TestChampionPagesTranslated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pub := e.client()
	if r := pub.post("/champions", championApplication(tokenOf(t, pub.get("/champions").body))); r.status != http.StatusSeeOther {
		t.Fatalf("application: %d", r.status)
	}
	list, _ := e.store.ChampionPipeline(ctx, store.ChampionFilter{})
	conn := e.newStaff("connie@example.org", account.Connector, "")
	cc := e.client()
	cc.signIn(conn)
	id := list[0].ID
	for _, st := range []champion.Stage{champion.Contacted, champion.Training} {
		if err := e.store.MoveChampion(ctx, conn.ID, id, st, "", nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.store.MoveChampion(ctx, conn.ID, id, champion.Active, "", &store.Activation{Email: "rina@example.org", DisplayName: "Rina", TokenHash: "h", TTL: time.Hour,
		Welcome: mail.Queued{Kind: "champion_welcome", Payload: "x"}}); err != nil {
		t.Fatal(err)
	}
	u, _ := e.store.UserByEmail(ctx, "rina@example.org")
	e.store.SetPassword(ctx, u.ID, mustHash(t))
	ch := e.client()
	if r := ch.post("/login", url.Values{"email": {"rina@example.org"}, "password": {testPassword}}); r.location != "/staff" {
		t.Fatalf("champion sign-in: %d %s", r.status, r.location)
	}
	keyRE := regexp.MustCompile(`\bchampions\.[a-z_.]+`)
	tagRE := regexp.MustCompile(`(?s)<[^>]*>`)
	for _, lang := range []string{"en", "pl", "ro", "ur", "bn", "so"} {
		for _, p := range []struct {
			c    *client
			path string
		}{{pub, "/champions"}, {pub, "/champions/thanks"}, {cc, "/staff/champions"}, {cc, "/staff/champions/" + list[0].ID},
			{cc, "/staff/champions/training"}, {cc, "/staff/champions/totals"}, {ch, "/champion"}, {ch, "/champion/outreach"}, {ch, "/champion/record"}} {
			r := p.c.get(p.path + "?lang=" + lang)
			if r.status != http.StatusOK {
				t.Errorf("%s [%s]: %d", p.path, lang, r.status)
			}
			if k := keyRE.FindString(tagRE.ReplaceAllString(r.body, " ")); k != "" {
				t.Errorf("%s [%s] shows the key %s", p.path, lang, k)
			}
		}
		if r := pub.post("/champions?lang="+lang, url.Values{}); r.status != http.StatusUnprocessableEntity || keyRE.MatchString(tagRE.ReplaceAllString(r.body, " ")) {
			t.Errorf("errors [%s]: %d or a key shown", lang, r.status)
		}
	}
}
