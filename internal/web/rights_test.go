package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/rights"
	"github.com/hearme-project/hearme/internal/store"
)

func londonToday() time.Time {
	loc, _ := time.LoadLocation("Europe/London")
	n := time.Now().In(loc)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// auditActions returns the newest entries' actions, newest first.
func auditActions(t *testing.T, e *env, n int) []string {
	t.Helper()
	es, err := e.store.RecentAudit(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range es {
		out = append(out, x.Action)
	}
	return out
}

func TestDataProtectionOfficerLogsARightsRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dpo := e.newStaff("dpo@example.org", account.DPO, "")
	c := e.client()
	c.signIn(dpo)

	if h := c.get("/staff"); !strings.Contains(h.body, `href="/staff/rights"`) || !strings.Contains(h.body, `href="/staff/breaches"`) {
		t.Fatalf("the officer's home has no way to the rights pages")
	}
	// An empty request: the error summary links to every field, nothing stored.
	r := c.post("/staff/rights/new", url.Values{"received": {""}})
	assertSummaryLinks(t, "empty request", r)
	for _, id := range []string{"kind", "channel", "received", "reference"} {
		if !strings.Contains(r.body, `href="#`+id+`"`) {
			t.Errorf("no error for %s", id)
		}
	}
	if list, _ := e.store.RightsRequests(ctx); len(list) != 0 {
		t.Fatalf("an invalid request was stored: %+v", list)
	}
	// Answers are kept on error.
	r = c.post("/staff/rights/new", url.Values{"kind": {"access"}, "channel": {"email"}, "received": {"not a date"}, "contact": {"resident@example.org"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="resident@example.org"`) || !strings.Contains(r.body, `value="access" id="kind" checked`) {
		t.Fatalf("answers not kept: %d", r.status)
	}

	// Received 40 days ago: past the one-month due date, so overdue.
	received := londonToday().AddDate(0, 0, -40)
	r = c.post("/staff/rights/new", url.Values{"kind": {"access"}, "channel": {"email"}, "received": {received.Format(time.DateOnly)},
		"contact": {"resident@example.org"}, "notes": {"Everything about my story"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/staff/rights/") {
		t.Fatalf("log: %d %s\n%.800s", r.status, r.location, r.body)
	}
	id := strings.TrimPrefix(r.location, "/staff/rights/")
	q, err := e.store.RightsRequest(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if q.ContactSealed == "" || strings.Contains(q.ContactSealed, "resident@") {
		t.Fatalf("the contact detail is not sealed: %q", q.ContactSealed)
	}
	page := c.get(r.location)
	due := rights.DueDate(received)
	if !strings.Contains(page.body, "resident@example.org") || !strings.Contains(page.body, "Overdue by") || !strings.Contains(page.body, due.Format("2 January 2006")) {
		t.Fatalf("request page: no contact, overdue or due date %s\n%.2000s", due.Format(time.DateOnly), page.body)
	}
	if acts := auditActions(t, e, 2); acts[0] != store.AuditRightsViewed || acts[1] != store.AuditRightsLogged {
		t.Fatalf("audit: %v", acts)
	}
	list := c.get("/staff/rights")
	if !strings.Contains(list.body, "1 open requests are overdue") && !strings.Contains(list.body, "overdue") {
		t.Fatalf("the list does not say it is overdue\n%.2000s", list.body)
	}
	// Past the first month the extension is refused (and the form is not offered).
	if strings.Contains(page.body, `/extend"`) {
		t.Error("an overdue request offers the extension")
	}
	r = c.post("/staff/rights/"+id+"/extend", url.Values{"reason": {"Complex"}})
	assertSummaryLinks(t, "late extension", r)
	if !strings.Contains(r.body, "only be extended within its first month") {
		t.Fatalf("late extension: %.1500s", r.body)
	}
	// Closing needs what was done.
	r = c.post("/staff/rights/"+id+"/close", url.Values{"closed": {londonToday().Format(time.DateOnly)}, "outcome": {" "}})
	assertSummaryLinks(t, "close without outcome", r)
	r = c.post("/staff/rights/"+id+"/close", url.Values{"closed": {londonToday().Format(time.DateOnly)}, "outcome": {"Copy sent by secure link"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("close: %d\n%.1500s", r.status, r.body)
	}
	if acts := auditActions(t, e, 1); acts[0] != store.AuditRightsClosed {
		t.Fatalf("audit: %v", acts)
	}
	r = c.post("/staff/rights/"+id+"/close", url.Values{"closed": {londonToday().Format(time.DateOnly)}, "outcome": {"again"}})
	if r.status != http.StatusSeeOther || !strings.Contains(c.get(r.location).body, "This request is already closed") {
		t.Fatalf("closed twice: %d", r.status)
	}
	if q, _ := e.store.RightsRequest(ctx, id); q.Outcome != "Copy sent by secure link" {
		t.Fatalf("closing twice changed the outcome: %q", q.Outcome)
	}

	// A new request received today can be extended, with a reason.
	r = c.post("/staff/rights/new", url.Values{"kind": {"erasure"}, "channel": {"phone"}, "received": {londonToday().Format(time.DateOnly)}, "reference": {"abcd-1234"}})
	id2 := strings.TrimPrefix(r.location, "/staff/rights/")
	r = c.post("/staff/rights/"+id2+"/extend", url.Values{"reason": {"Records across several events"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("extend: %d\n%.1500s", r.status, r.body)
	}
	q2, _ := e.store.RightsRequest(ctx, id2)
	if !q2.Extended || !q2.Due().Equal(rights.ExtendedDue(londonToday())) {
		t.Fatalf("extended: %+v", q2)
	}
	if c.get("/staff/rights/not-a-request").status != http.StatusNotFound {
		t.Error("an unknown request is not a 404")
	}

	// A connector may not see any of it.
	con := e.client()
	con.signIn(e.newStaff("connector@example.org", account.Connector, ""))
	if r := con.get("/staff/rights"); r.status != http.StatusForbidden {
		t.Fatalf("connector: %d", r.status)
	}
}

func TestBreachRegisterClockAndHistory(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.signIn(e.newStaff("admin@example.org", account.Admin, ""))
	loc, _ := time.LoadLocation("Europe/London")
	aware := time.Now().Add(-80 * time.Hour).In(loc).Format("2006-01-02T15:04")

	r := c.post("/staff/breaches/new", url.Values{"aware": {""}})
	assertSummaryLinks(t, "empty breach", r)
	r = c.post("/staff/breaches/new", url.Values{"summary": {"Sign-in sheet left on a bus"}, "aware": {aware}, "people": {"about 12"}})
	assertSummaryLinks(t, "a count in words", r)
	if !strings.Contains(r.body, "Sign-in sheet left on a bus") {
		t.Fatal("answers not kept")
	}
	r = c.post("/staff/breaches/new", url.Values{"summary": {"Sign-in sheet left on a bus"}, "aware": {aware}, "people": {"12"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("record: %d\n%.1500s", r.status, r.body)
	}
	id := strings.TrimPrefix(r.location, "/staff/breaches/")
	list := c.get("/staff/breaches")
	if !regexp.MustCompile(`Overdue by [78] h`).MatchString(list.body) {
		t.Fatalf("no overdue clock in the list\n%.2000s", list.body)
	}
	// Facts emerge: reported, with the reason and the ICO's reference.
	up := url.Values{"version": {"1"}, "summary": {"Sign-in sheet left on a bus"}, "aware": {aware}, "people": {"14"},
		"reported": {"yes"}, "report-reason": {"Names with health details"}, "ico-reference": {"IC-123456"}}
	if r := c.post("/staff/breaches/"+id, up); r.status != http.StatusSeeOther {
		t.Fatalf("update: %d\n%.1500s", r.status, r.body)
	}
	page := c.get("/staff/breaches/" + id)
	if !strings.Contains(page.body, "Decision recorded") || !strings.Contains(page.body, "Version 2") || !strings.Contains(page.body, "Version 1") {
		t.Fatalf("entry page\n%.3000s", page.body)
	}
	// A change made from version 1 again is refused, nothing lost.
	up.Set("people", "99")
	r = c.post("/staff/breaches/"+id, up)
	assertSummaryLinks(t, "stale change", r)
	if !strings.Contains(r.body, "changed this entry while you were editing") || !strings.Contains(r.body, `value="99"`) {
		t.Fatalf("stale change\n%.1500s", r.body)
	}
	if b, _ := e.store.Breach(ctx, id); *b.PeopleAffected != 14 || b.Version != 2 {
		t.Fatalf("the stale change was saved: %+v", b)
	}
	if acts := auditActions(t, e, 2); acts[0] != store.AuditBreachUpdated || acts[1] != store.AuditBreachRecorded {
		t.Fatalf("audit: %v", acts)
	}
}

func TestAuditTrailByNameWithFiltersAndExport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dpo := e.newStaff("dpo@example.org", account.DPO, "")
	c := e.client()
	c.signIn(dpo)
	// An entry whose subject a spreadsheet would run as a formula.
	if err := e.store.AppendAudit(ctx, dpo.ID, "test.formula", "=HYPERLINK(\"x\")", ""); err != nil {
		t.Fatal(err)
	}
	r := c.get("/staff/audit")
	if r.status != 200 || !strings.Contains(r.body, "Test dpo") || !strings.Contains(r.body, "Data protection officer") || !strings.Contains(r.body, "The audit trail is intact") {
		t.Fatalf("audit page: %d\n%.2000s", r.status, r.body)
	}
	r = c.get("/staff/audit?action=test.formula")
	if strings.Contains(r.body, "<code>login.succeeded</code>") || !strings.Contains(r.body, "test.formula</code>") {
		t.Fatalf("the action filter shows other actions\n%.3000s", r.body)
	}
	r = c.get("/staff/audit?who=" + dpo.ID + "&from=2000-13-45")
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#from"`) {
		t.Fatalf("a bad date: %d", r.status)
	}
	r = c.get("/staff/audit/export.csv?action=test.formula")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d", r.status)
	}
	if !strings.Contains(r.body, `'=HYPERLINK(""x"")`) || !strings.Contains(r.body, "Test dpo,dpo,test.formula") || strings.Contains(r.body, "login.succeeded") {
		t.Fatalf("export body:\n%s", r.body)
	}
	es, _ := e.store.RecentAudit(ctx, 1)
	if es[0].Action != "audit.exported" || !strings.Contains(es[0].Detail, `"action":"test.formula"`) {
		t.Fatalf("the export was not audited: %+v", es[0])
	}
}
