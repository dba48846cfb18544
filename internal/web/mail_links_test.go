package web_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/store"
)

var (
	hrefs     = regexp.MustCompile(`href="([^"]*)"`)
	textURLs  = regexp.MustCompile(`https?://[^\s<>"]+`)
	textPaths = regexp.MustCompile(`(?m)(?:^|[\s(:])(/(?:events|setup|share|my-story|invite|champion|staff|support|awareness)[^\s<>"]*)`)
)

// mailLinkProblems lists the links of a message that are not absolute, or
// that point at this site other than through base.
func mailLinkProblems(m mail.Message, base string) []string {
	var bad []string
	check := func(where, link string) {
		u, err := url.Parse(link)
		switch {
		case err != nil || u.Scheme == "":
			bad = append(bad, where+" link not absolute: "+link)
		case u.Scheme == "mailto" || u.Scheme == "tel":
		case strings.HasPrefix(link, base+"/") || link == base:
		case strings.HasPrefix(link, strings.Split(base, "://")[0]+"://"+strings.Split(strings.Split(base, "://")[1], "/")[0]):
			bad = append(bad, where+" link off the base: "+link)
		}
	}
	for _, m := range hrefs.FindAllStringSubmatch(m.HTML, -1) {
		check("HTML", strings.ReplaceAll(m[1], "&amp;", "&"))
	}
	for _, u := range textURLs.FindAllString(m.Text, -1) {
		check("text", u)
	}
	for _, p := range textPaths.FindAllStringSubmatch(m.Text, -1) {
		bad = append(bad, "text link not absolute: "+p[1])
	}
	return bad
}

// assertMailLinksAbsolute checks every message in the outbox.
func (e *env) assertMailLinksAbsolute(base string) {
	e.t.Helper()
	rows, err := e.store.ReadDB().Query("SELECT kind, payload FROM outbox")
	if err != nil {
		e.t.Errorf("read the outbox: %v", err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var kind, payload string
		if err := rows.Scan(&kind, &payload); err != nil {
			e.t.Error(err)
			return
		}
		m, err := mail.Open(e.keys, payload)
		if err != nil {
			continue // a test's own stand-in payload, not a composed message
		}
		for _, p := range mailLinkProblems(m, base) {
			e.t.Errorf("%s email: %s", kind, p)
		}
	}
}

// With no --base-url, the links in every email start with the listening
// address (development mode), and a set-up link never takes the host
// from the request's Host header.
func TestEmailLinksAbsoluteWithoutBaseURL(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.Addr = "127.0.0.1:8089" // as --addr; the test server listens elsewhere, emails name this
	e := newEnvWith(t, cfg)
	base := "http://127.0.0.1:8089"
	c := e.client()
	// A public event, then an invitation-only one.
	for _, vis := range []event.Visibility{event.Public, event.Invitation} {
		ev := e.newEvent(10, time.Now().Add(72*time.Hour), vis)
		path := "/events/" + ev.ID
		if vis == event.Invitation {
			path += "?k=" + ev.InviteKey
		}
		page := c.get(path)
		if r := c.post(path, registerForm(formToken(t, page.body), "name", "A", "email", "a@example.org", "reminders", "yes")); r.status != http.StatusSeeOther {
			t.Fatalf("register (%s): %d\n%s", vis, r.status, r.body)
		}
	}
	// A champion's welcome carries a set-up link: sent with a forged Host.
	page := c.get("/champions")
	if r := c.post("/champions", championApplication(formToken(t, page.body))); r.status != http.StatusSeeOther {
		t.Fatalf("apply: %d", r.status)
	}
	list, err := e.store.ChampionPipeline(ctx, store.ChampionFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("pipeline: %v %v", list, err)
	}
	appID := list[0].ID
	admin := e.client()
	admin.signIn(e.newStaff("admin@example.org", account.Admin, ""))
	for _, stage := range []string{"contacted", "training"} {
		if r := admin.post("/staff/champions/"+appID+"/stage", url.Values{"to": {stage}}); r.status != http.StatusSeeOther {
			t.Fatalf("to %s: %d", stage, r.status)
		}
	}
	if r := admin.postHost("evil.example", "/staff/champions/"+appID+"/stage", url.Values{"to": {"active"}}); r.status != http.StatusSeeOther {
		t.Fatalf("to active: %d\n%s", r.status, r.body)
	}
	// A full event: the second person waits, is promoted when the first
	// cancels from the link in their email, and both hear of a change.
	full := e.newEvent(1, time.Now().Add(96*time.Hour), event.Public)
	for _, who := range []string{"first@example.org", "second@example.org"} {
		page := c.get("/events/" + full.ID)
		if r := e.client().post("/events/"+full.ID, registerForm(formToken(t, page.body), "name", "B", "email", who, "reminders", "yes")); r.status != http.StatusSeeOther {
			t.Fatalf("register %s: %d\n%s", who, r.status, r.body)
		}
	}
	var cancel string
	for _, m := range e.queuedMail("event_registered") {
		if m.To == "first@example.org" {
			cancel = regexp.MustCompile(regexp.QuoteMeta(base) + `(/events/[^\s]+/cancel/[A-Za-z0-9_-]+)`).FindStringSubmatch(m.Text)[1]
		}
	}
	if r := e.client().post(cancel, url.Values{}); r.status != http.StatusSeeOther && r.status != http.StatusOK {
		t.Fatalf("cancel from the email's link: %d", r.status)
	}
	if r := admin.post("/staff/events/"+full.ID+"/status", url.Values{"status": {"postponed"}, "status_message": {"The hall is closed."}}); r.status != http.StatusSeeOther {
		t.Fatalf("postpone: %d\n%s", r.status, r.body)
	}
	kinds := map[string]bool{}
	queued, err := e.store.OutboxMail(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range queued {
		kinds[m.Kind] = true
	}
	for _, want := range []string{"event_registered", "event_waitlisted", "event_cancelled_by_you", "event_promoted", "event_changed", "champion_received", "champion_welcome"} {
		if !kinds[want] {
			t.Errorf("no %s email was queued (queued: %v)", want, kinds)
		}
	}
	for _, m := range append(e.queuedMail("event_registered"), e.queuedMail("champion_welcome")...) {
		if !strings.Contains(m.Text, base+"/") {
			t.Errorf("email %q names no link on %s:\n%s", m.Subject, base, m.Text)
		}
		if strings.Contains(m.Text+m.HTML, "evil.example") {
			t.Errorf("email %q takes its host from the request's Host header", m.Subject)
		}
	}
	e.assertMailLinksAbsolute(base)
}

// postHost posts with another Host header, as an attacker may.
func (c *client) postHost(host, path string, form url.Values) resp {
	c.e.t.Helper()
	req, _ := http.NewRequest("POST", c.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Host = host
	// The jar would file the cookies under the forged host: send them by hand.
	for _, ck := range c.http.Jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	r, err := (&http.Client{CheckRedirect: c.http.CheckRedirect}).Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return resp{r.StatusCode, string(b), r.Header, r.Header.Get("Location")}
}
