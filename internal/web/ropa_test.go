package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/store"
)

// The privacy notice and the record of processing take what is kept and
// for how long from one record: change a retention rule and both change.
func TestPrivacyNoticeAndRecordFollowTheRetentionRules(t *testing.T) {
	t.Parallel()
	for _, contactDays := range []int{45, 120} {
		cfg := testConfig(t)
		cfg.RetainContactDetails = time.Duration(contactDays) * 24 * time.Hour
		cfg.RetainRegistrations = time.Duration(contactDays+1) * 24 * time.Hour
		e := newEnvWith(t, cfg)
		want := []string{
			"Deleted " + itoa(contactDays) + " days after we last contacted you",
			"Deleted " + itoa(contactDays+1) + " days after the event",
		}
		other := "Deleted " + itoa(165-contactDays) + " days after we last contacted you" // the other run's
		pub := e.client().get("/privacy")
		c := e.client()
		c.signIn(e.newStaff("dpo@example.org", account.DPO, ""))
		rec := c.get("/staff/ropa")
		if rec.status != http.StatusOK {
			t.Fatalf("record: %d", rec.status)
		}
		for _, w := range want {
			if !strings.Contains(pub.body, w) {
				t.Errorf("privacy notice with %d days lacks %q", contactDays, w)
			}
			if !strings.Contains(rec.body, w) {
				t.Errorf("record with %d days lacks %q", contactDays, w)
			}
		}
		if strings.Contains(pub.body, other) || strings.Contains(rec.body, other) {
			t.Errorf("a period of the other configuration shows")
		}
		// In every language the notice shows the periods, translated.
		for _, lang := range []string{"pl", "ro", "ur", "bn", "so"} {
			r := e.client().get("/privacy?lang=" + lang)
			if r.status != http.StatusOK || !strings.Contains(r.body, `id="kept-contact"`) || !strings.Contains(r.body, itoa(contactDays)) || strings.Contains(r.body, "ropa.") {
				t.Errorf("privacy [%s]: %d, periods or translations missing", lang, r.status)
			}
			assertTranslated(t, "privacy "+lang, r.body)
		}
	}
}

func TestRecordOfProcessingEditedVersionedExported(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dpo := e.newStaff("dpo@example.org", account.DPO, "")
	c := e.client()
	c.signIn(dpo)
	for _, path := range []string{"/staff/ropa", "/staff/dpia"} {
		// Nothing changed and no reason: an error summary, answers kept.
		r := c.post(path, url.Values{"processors": {""}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "There is a problem") || !strings.Contains(r.body, `href="#reason"`) {
			t.Fatalf("%s empty: %d", path, r.status)
		}
	}
	r := c.post("/staff/ropa", url.Values{"processors": {"Hosting: Example Cloud Ltd, London"}, "transfers": {"None"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Example Cloud Ltd") || !strings.Contains(r.body, `href="#reason"`) {
		t.Fatalf("no reason: %d (answers kept?)", r.status)
	}
	if r := c.post("/staff/ropa", url.Values{"processors": {strings.Repeat("x", 9000)}, "reason": {"too long"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#processors"`) {
		t.Fatalf("too long: %d", r.status)
	}
	r = c.post("/staff/ropa", url.Values{"processors": {"Hosting: Example Cloud Ltd, London"}, "transfers": {"None"}, "reason": {"First review"}})
	if r.status != http.StatusSeeOther || r.location != "/staff/ropa" {
		t.Fatalf("save: %d %s\n%s", r.status, r.location, r.body)
	}
	page := c.get("/staff/ropa")
	if !strings.Contains(page.body, "Saved as a new version") || !strings.Contains(page.body, "Example Cloud Ltd") || !strings.Contains(page.body, "Version 1") {
		t.Fatal("saved value not shown with its version")
	}
	es, _ := e.store.RecentAudit(ctx, 1)
	if es[0].Action != store.AuditRopaChanged || es[0].ActorID != dpo.ID {
		t.Fatalf("not audited: %+v", es[0])
	}
	// The DPIA keeps its own answers beside the record it is built on.
	if r := c.post("/staff/dpia", url.Values{"dpia_risks": {"Re-identification of a story from a small community"}, "reason": {"Draft"}}); r.location != "/staff/dpia" {
		t.Fatalf("dpia save: %d", r.status)
	}
	print := c.get("/staff/dpia/print")
	if print.status != http.StatusOK || !strings.Contains(print.body, "Re-identification") || !strings.Contains(print.body, "Lawful basis") || strings.Contains(print.body, `<form method="post" action="/staff/dpia"`) {
		t.Fatalf("dpia print view: %d", print.status)
	}
	rp := c.get("/staff/ropa/print")
	if !strings.Contains(rp.body, "Example Cloud Ltd") || !strings.Contains(rp.body, "Schedule 1 Part 2 paragraph 8") {
		t.Fatal("record print view lacks the officer's text or the condition")
	}
	j := c.get("/staff/ropa/record.json")
	if !strings.HasPrefix(j.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("record download: %q", j.header.Get("Content-Disposition"))
	}
	var doc struct {
		Activities []struct {
			Name      string            `json:"name"`
			Retention map[string]string `json:"retention"`
			Condition string            `json:"special_category_condition"`
		} `json:"activities"`
		Written map[string]string `json:"written_by_the_officer"`
	}
	if err := json.Unmarshal([]byte(j.body), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Activities) < 6 || doc.Activities[0].Condition == "" || doc.Activities[1].Retention["contact-details"] != "Deleted 90 days after we last contacted you" {
		t.Fatalf("record document: %+v", doc.Activities)
	}
	found := false
	for _, v := range doc.Written {
		found = found || strings.Contains(v, "Example Cloud Ltd")
	}
	if !found {
		t.Fatal("the officer's text is not in the download")
	}
	if d := c.get("/staff/dpia/dpia.json"); !strings.Contains(d.body, "Re-identification") {
		t.Fatal("dpia download lacks the assessment")
	}
	// Administrators and the officer only.
	other := e.client()
	other.signIn(e.newStaff("conn@example.org", account.Connector, ""))
	for _, p := range []string{"/staff/ropa", "/staff/dpia", "/staff/ropa/record.json"} {
		if r := other.get(p); r.status != http.StatusForbidden {
			t.Errorf("connector at %s: %d", p, r.status)
		}
	}
}
