package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/rights"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/subscription"
)

// formsWalked is the number of forms TestEveryFormEmptyPost found and
// walked when it was written (a form is one role's form with inputs to
// fill, by the path it posts to). Raise it when forms are added; the test
// fails if fewer are found, so a form that stops being reachable, or a
// page that stops showing its form, is noticed.
const formsWalked = 135

// TestEveryFormEmptyPost finds every form a person fills in, public and
// staff, as an anonymous visitor and as each role: it follows the links
// of every page it can reach through the real router (after making one
// of each thing the pages show: an event, an invitation, a story, a
// champion, a service), and collects each <form method="post"> with an
// input to fill. Each one is then sent empty, with only its hidden
// values (the time token, the ids), as a person pressing the button
// straight away would. The answer must be the page again with an error
// summary (not a refusal, a redirect or an error page), and each of the
// summary's links must point at an element of that page.
func TestEveryFormEmptyPost(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	prog, _ := e.store.Programme(ctx)
	clients := map[string]*client{}
	seeds := map[string][]string{}

	// Things for the pages to show.
	ev := e.newEvent(30, time.Now().Add(14*24*time.Hour), event.Public)
	past := e.newEvent(30, time.Now().Add(-2*time.Hour), event.Public) // the day's check-in and report
	story, err := e.store.SubmitExperience(ctx, experience.Submission{Kind: experience.KindExperience, Lang: "en", Role: "friend",
		Stages: []string{"treatment"}, WhatHappened: "We waited six weeks.", Consent: experience.Consent{Version: "v1", Evidence: true},
		Source: experience.SourceOnline}, experience.Contact{})
	if err != nil {
		t.Fatal(err)
	}
	// A rights request about that story: its page and what is held.
	if _, err := e.store.LogRightsRequest(ctx, "test", rights.New{Kind: rights.KindAccess, Channel: rights.ChannelEmail, Reference: story.Reference,
		Received: time.Now().UTC().Truncate(24 * time.Hour)}, ""); err != nil {
		t.Fatal(err)
	}
	addService(t, e, svc("Somali circle", []string{"so"}, []string{"emotional"}, "https://example.org/so"))
	pub := e.client()
	if r := pub.post("/invite", inviteValues(tokenOf(t, pub.get("/invite").body))); r.status != http.StatusSeeOther {
		t.Fatalf("invitation: %d", r.status)
	}
	if r := pub.post("/events/"+ev.ID, registerForm(tokenOf(t, pub.get("/events/"+ev.ID).body), "name", "Ana")); r.status != http.StatusSeeOther {
		t.Fatalf("registration: %d\n%s", r.status, r.body)
	}

	// Each role, signed in.
	admin := e.newStaff("admin@example.org", account.Admin, "")
	for _, role := range account.Roles {
		if role == account.Champion {
			continue // below: a champion comes through the pipeline
		}
		org := ""
		if role == account.Stakeholder {
			org = prog.Organisations[0].ID
		}
		s := admin
		if role != account.Admin {
			s = e.newStaff(string(role)+"@example.org", role, org)
		}
		c := e.client()
		c.signIn(s)
		clients[string(role)] = c
		seeds[string(role)] = []string{"/staff", "/staff/events/" + past.ID + "/check-in", "/staff/events/" + past.ID + "/report"}
	}
	accountabilityForms(t, e, prog.Organisations[0].Slug)
	reviewForms(t, e)
	clients["champion"] = activeChampion(t, e, clients["connector"])
	seeds["champion"] = []string{"/staff", "/champion", "/champion/outreach"}
	// An invitation being arranged (the schedule form), a champion in
	// training with a module to record, and an awareness page (its editor).
	conn := clients["connector"]
	inv := regexp.MustCompile(`/staff/invitations/([0-9a-f-]{36})`).FindStringSubmatch(conn.get("/staff/invitations").body)
	if inv == nil {
		t.Fatal("no invitation on the board")
	}
	if r := conn.post("/staff/invitations/"+inv[1]+"/status", url.Values{"to": {"contacted"}}); r.status != http.StatusSeeOther {
		t.Fatalf("invitation contacted: %d\n%s", r.status, r.body)
	}
	trainee := e.client()
	v := championApplication(tokenOf(t, trainee.get("/champions").body))
	v.Set("email", "trainee@example.org")
	if r := trainee.post("/champions", v); r.status != http.StatusSeeOther {
		t.Fatalf("second application: %d", r.status)
	}
	list, _ := e.store.ChampionPipeline(ctx, store.ChampionFilter{Stage: "applied"})
	for _, st := range []string{"contacted", "training"} {
		if r := conn.post("/staff/champions/"+list[0].ID+"/stage", url.Values{"to": {st}}); r.status != http.StatusSeeOther {
			t.Fatalf("move to %s: %d", st, r.status)
		}
	}
	if r := conn.post("/staff/champions/training", url.Values{"title": {"Safeguarding"}, "required": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("training module: %d", r.status)
	}
	if r := conn.post("/staff/awareness", url.Values{"slug": {"bowel-screening"}, "position": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("awareness page: %d\n%s", r.status, r.body)
	}

	// A resident: the share journey (answered, not sent), their story
	// looked up, and the public pages.
	res := e.client()
	ref, secret := shareAndGetCodes(t, res)
	if r := res.post("/my-story", url.Values{"reference": {ref}, "secret": {secret}}); r.location != "/my-story/view" {
		t.Fatalf("lookup: %d", r.status)
	}
	shareAll(t, res, "en", url.Values{"consent_evidence": {"yes"}})
	clients["anonymous"] = res
	seeds["anonymous"] = []string{"/", "/share", "/share/who", "/share/stages", "/share/story", "/share/details", "/share/about-you",
		"/share/consent", "/share/check", "/ideas", "/invite", "/champions", "/events", "/events/" + ev.ID, "/my-story", "/my-story/view",
		"/my-story/withdraw", "/support", "/awareness", "/login"}
	// A subscriber's manage page, reached from a digest's link.
	follower := confirmedSubscription(t, e, "walker@example.org", "en", "all")
	seeds["anonymous"] = append(seeds["anonymous"], subscription.Path(subscription.PurposeManage,
		subscription.Token(e.keys.Derive("subscription-links"), subscription.PurposeManage, follower))+"?lang=en")

	// Someone setting their password from a set-up link.
	newcomer, err := e.store.CreateUser(ctx, "test", account.NewUser{Email: "newcomer@example.org", DisplayName: "Newcomer", Role: account.Connector})
	if err != nil {
		t.Fatal(err)
	}
	token := auth.RandomToken(32)
	if err := e.store.CreateSetupToken(ctx, auth.HashToken(token), newcomer.ID, store.PurposeSetPassword, time.Hour); err != nil {
		t.Fatal(err)
	}
	clients["setting up"] = e.client()
	seeds["setting up"] = []string{"/setup/" + token}
	// Someone between the password and the security code.
	half := e.client()
	if r := half.post("/login", url.Values{"email": {admin.Email}, "password": {testPassword}}); r.location != "/login/code" {
		t.Fatalf("password step: %d %s", r.status, r.location)
	}
	clients["signing in"] = half
	seeds["signing in"] = []string{"/login/code"}
	// Staff who must enrol a second factor first.
	enrol, _ := e.store.CreateUser(ctx, "test", account.NewUser{Email: "enrol@example.org", DisplayName: "Enrol", Role: account.Analyst})
	e.store.SetPassword(ctx, enrol.ID, mustHash(t))
	enrolling := e.client()
	if r := enrolling.post("/login", url.Values{"email": {"enrol@example.org"}, "password": {testPassword}}); r.location != "/staff/account/security-code" {
		t.Fatalf("enrolling: %d %s", r.status, r.location)
	}
	clients["enrolling"] = enrolling
	seeds["enrolling"] = []string{"/staff/account/security-code"}

	// The public forms are walked once, as the visitor; each role then
	// walks the forms of its own pages.
	var walked []string
	public := map[string]bool{}
	order := []string{"anonymous"}
	for _, who := range sortedKeys(clients) {
		if who != "anonymous" {
			order = append(order, who)
		}
	}
	for _, who := range order {
		c := clients[who]
		for _, f := range crawlForms(t, c, seeds[who]) {
			if who == "anonymous" {
				public[f.key] = true
			} else if public[f.key] {
				continue
			}
			walked = append(walked, who+": "+f.key)
			r := c.post(f.action, f.hidden)
			what := who + " " + f.key + " (from " + f.page + ")"
			if reason, ok := emptyIsAnAnswer[f.key]; ok {
				if r.status != http.StatusSeeOther {
					t.Errorf("%s: an empty post got %d, want it taken as an answer (%s)", what, r.status, reason)
				}
				continue
			}
			summary := errorSummaryRE.FindString(r.body)
			switch {
			case r.status != http.StatusUnprocessableEntity && r.status != http.StatusOK:
				t.Errorf("%s: an empty post got %d %s, want the page with an error summary", what, r.status, r.location)
				continue
			case summary == "":
				t.Errorf("%s: an empty post came back (%d) without an error summary", what, r.status)
				continue
			}
			links := summaryLinkRE.FindAllStringSubmatch(summary, -1)
			if len(links) == 0 {
				t.Errorf("%s: the error summary links to no field", what)
			}
			for _, l := range links {
				if !strings.Contains(r.body, `id="`+l[1]+`"`) {
					t.Errorf("%s: the error summary links to #%s, which is not on the page", what, l[1])
				}
			}
		}
	}
	t.Logf("%d forms walked:\n%s", len(walked), strings.Join(walked, "\n"))
	if len(walked) < formsWalked {
		t.Errorf("%d forms walked, %d before: a form is no longer found", len(walked), formsWalked)
	}
}

// emptyIsAnAnswer are the forms for which nothing filled in is itself an
// answer, and why; they must take it (a redirect), not refuse it.
var emptyIsAnAnswer = map[string]string{
	"/share/details":                "an optional step: skipped",
	"/share/about-you":              "an optional step: every question may be left",
	"/staff/champions/{id}/owner":   "no one chosen: the champion has no owner",
	"/staff/invitations/{id}/owner": "no one chosen: the invitation has no owner",
	"/staff/moderation/{id}/redact": "nothing ticked and no passage: nothing to remove",
}

var (
	errorSummaryRE = regexp.MustCompile(`(?s)<div class="error-summary".*?</div>`)
	summaryLinkRE  = regexp.MustCompile(`href="#([^"]+)"`)
	formRE         = regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	attrRE         = regexp.MustCompile(`([a-z-]+)="([^"]*)"`)
	inputRE        = regexp.MustCompile(`<(input|textarea|select)\b([^>]*)>`)
	linkRE         = regexp.MustCompile(`href="(/[^"#]*)"`)
	idSegmentRE    = regexp.MustCompile(`/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|/setup/[A-Za-z0-9_-]+|/report/subscribe/manage/[A-Za-z0-9._-]+|^/staff/awareness/[a-z0-9-]+/[a-z]{2,3}$`)
)

// foundForm is a form to fill found on a page.
type foundForm struct {
	key    string     // the path it posts to, with ids as {id}
	action string     // where it posts
	page   string     // the page it was found on
	hidden url.Values // its hidden values
}

// crawlForms follows the links of the pages a client can reach from the
// seeds (staying on the site, never signing out) and returns the forms
// with an input to fill, one per path posted to.
func crawlForms(t *testing.T, c *client, seeds []string) []foundForm {
	t.Helper()
	seen := map[string]bool{}
	forms := map[string]foundForm{}
	queue := append([]string(nil), seeds...)
	for len(queue) > 0 && len(seen) < 400 {
		path := queue[0]
		queue = queue[1:]
		key, _, _ := strings.Cut(path, "?")
		if seen[key] || skipPath(key) {
			continue
		}
		seen[key] = true
		r := c.get(path)
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			continue
		}
		for _, l := range linkRE.FindAllStringSubmatch(r.body, -1) {
			queue = append(queue, html.UnescapeString(l[1]))
		}
		for _, m := range formRE.FindAllStringSubmatch(r.body, -1) {
			attrs := attrsOf(m[1])
			if !strings.EqualFold(attrs["method"], "post") {
				continue
			}
			action := attrs["action"]
			if action == "" {
				action = path
			}
			f := foundForm{action: action, page: path, hidden: url.Values{}}
			f.key, _, _ = strings.Cut(idSegmentRE.ReplaceAllStringFunc(action, func(s string) string {
				switch {
				case strings.HasPrefix(s, "/setup/"):
					return "/setup/{token}"
				case strings.HasPrefix(s, "/report/subscribe/manage/"):
					return "/report/subscribe/manage/{token}"
				case strings.HasPrefix(s, "/staff/awareness/"):
					return "/staff/awareness/{slug}/{lang}"
				}
				return "/{id}"
			}), "?")
			fill := false
			for _, in := range inputRE.FindAllStringSubmatch(m[2], -1) {
				a := attrsOf(in[2])
				switch {
				case in[1] == "input" && a["type"] == "hidden":
					f.hidden.Add(a["name"], a["value"])
				case in[1] == "input" && (a["type"] == "submit" || a["type"] == "button"):
				case strings.HasPrefix(a["name"], "hm-") || a["tabindex"] == "-1":
					// the honeypot
				default:
					fill = true
				}
			}
			if _, dup := forms[f.key]; fill && !dup {
				forms[f.key] = f
			}
		}
	}
	var out []foundForm
	for _, k := range sortedKeys(forms) {
		out = append(out, forms[k])
	}
	return out
}

func attrsOf(s string) map[string]string {
	out := map[string]string{}
	for _, m := range attrRE.FindAllStringSubmatch(s, -1) {
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}

// skipPath leaves out what is not a page (files, feeds) and what would end
// the visit (signing out).
func skipPath(p string) bool {
	for _, suffix := range []string{".ics", ".csv", ".json", ".png", ".svg", ".xlsx", "/logout", "/print"} {
		if strings.HasSuffix(p, suffix) {
			return true
		}
	}
	return strings.HasPrefix(p, "/static/") || p == "/metrics" || p == "/healthz"
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// activeChampion takes an application through the pipeline (as the
// connector) to an active champion with an account, and returns them
// signed in.
func activeChampion(t *testing.T, e *env, conn *client) *client {
	t.Helper()
	pub := e.client()
	if r := pub.post("/champions", championApplication(tokenOf(t, pub.get("/champions").body))); r.status != http.StatusSeeOther {
		t.Fatalf("application: %d\n%s", r.status, r.body)
	}
	list, _ := e.store.ChampionPipeline(ctx, store.ChampionFilter{})
	id := list[0].ID
	for _, st := range []string{"contacted", "training", "active"} {
		if r := conn.post("/staff/champions/"+id+"/stage", url.Values{"to": {st}, "account_email": {"rina@example.org"}}); r.status != http.StatusSeeOther {
			t.Fatalf("move to %s: %d\n%s", st, r.status, r.body)
		}
	}
	welcome := e.queuedMail("champion_welcome")
	link := setupLinkRE.FindString(welcome[len(welcome)-1].Text)
	ch := e.client()
	path := strings.TrimPrefix(link, e.web.PublicURL())
	if r := ch.post(path, url.Values{"password": {champPassword}, "confirm": {champPassword}}); r.status != http.StatusSeeOther {
		t.Fatalf("set password: %d\n%s", r.status, r.body)
	}
	if r := ch.post("/login", url.Values{"email": {"rina@example.org"}, "password": {champPassword}}); r.location != "/staff" {
		t.Fatalf("champion sign-in: %d %s", r.status, r.location)
	}
	return ch
}
