package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/account"
)

// Consents lead somewhere: someone who agreed to be contacted is on the
// connectors' follow-ups list, the only page with their contact details
// (each view audited, the follow-up state kept); someone who agreed to be
// named is on the speakers' list; at /my-story a person takes back one
// consent alone.
func TestConsentsLeadSomewhere(t *testing.T) {
	e := newEnv(t)
	resident := e.client()
	for _, st := range []struct {
		path string
		form url.Values
	}{
		{"/share/who", url.Values{"role": {"person-with-cancer"}}},
		{"/share/stages", url.Values{"stages": {"treatment"}}},
		{"/share/story", url.Values{"what_happened": {"The nurse explained everything in Polish."}}},
		{"/share/details", url.Values{}},
		{"/share/about-you", url.Values{}},
		{"/share/consent", url.Values{"consent_evidence": {"yes"}, "consent_quote": {"yes"}, "consent_contact": {"yes"}, "consent_named": {"yes"},
			"contact_name": {"Zofia"}, "contact_email": {"zofia@example.org"}, "contact_phone": {"07700 900456"}}},
	} {
		resident.get(st.path)
		if r := resident.post(st.path, st.form); r.status != http.StatusSeeOther {
			t.Fatalf("POST %s: %d\n%s", st.path, r.status, r.body)
		}
	}
	check := resident.get("/share/check")
	resident.post("/share/check", url.Values{"form_token": {tokenOf(t, check.body)}})
	done := resident.get("/share/done")
	ref := regexp.MustCompile(`HM-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(done.body)
	secret := regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(done.body)
	if ref == "" || secret == "" {
		t.Fatalf("no receipt:\n%s", done.body)
	}

	conn := e.newStaff("connector@example.org", account.Connector, "")
	c := e.client()
	c.signIn(conn)
	if r := c.get("/staff"); !strings.Contains(r.body, `href="/staff/follow-ups"`) || !strings.Contains(r.body, `href="/staff/speakers"`) {
		t.Errorf("the staff home does not lead to the follow-ups and speakers' lists")
	}
	audits := func() int {
		var n int
		e.store.ReadDB().QueryRow("SELECT COUNT(*) FROM audit_log WHERE action = 'followups.viewed' AND actor_id = ?", conn.ID).Scan(&n)
		return n
	}
	fu := c.get("/staff/follow-ups")
	if fu.status != http.StatusOK || !strings.Contains(fu.body, ref) || !strings.Contains(fu.body, "zofia@example.org") || !strings.Contains(fu.body, "07700 900456") {
		t.Fatalf("follow-ups: %d\n%s", fu.status, fu.body)
	}
	if fu.header.Get("Cache-Control") != "no-store" {
		t.Errorf("the follow-ups list may be cached: %q", fu.header.Get("Cache-Control"))
	}
	if audits() != 1 {
		t.Errorf("opening the follow-ups list audited %d times", audits())
	}
	id := regexp.MustCompile(`action="/staff/follow-ups/([0-9a-f-]{36})"`).FindStringSubmatch(fu.body)
	if id == nil {
		t.Fatalf("no follow-up form")
	}
	if r := c.post("/staff/follow-ups/"+id[1], url.Values{"state": {"contacted"}}); r.status != http.StatusSeeOther {
		t.Fatalf("set state: %d", r.status)
	}
	if r := c.post("/staff/follow-ups/"+id[1], url.Values{"state": {"<script>"}}); r.status != http.StatusBadRequest {
		t.Errorf("a made-up state: %d", r.status)
	}
	if r := c.post("/staff/follow-ups/00000000-0000-7000-8000-000000000000", url.Values{"state": {"done"}}); r.status != http.StatusNotFound {
		t.Errorf("an unknown follow-up: %d", r.status)
	}
	if fu = c.get("/staff/follow-ups"); !strings.Contains(fu.body, `<option value="contacted" selected>`) || !strings.Contains(fu.body, "Follow-up saved.") {
		t.Errorf("the follow-up state was not kept:\n%s", fu.body)
	}
	sp := c.get("/staff/speakers")
	if sp.status != http.StatusOK || !strings.Contains(sp.body, ref) || strings.Contains(sp.body, "zofia@example.org") {
		t.Fatalf("speakers: %d (the list must show the reference and no contact details)\n%s", sp.status, sp.body)
	}

	// The person takes back quotation alone, then contact.
	p := e.client()
	if r := p.post("/my-story", url.Values{"reference": {ref}, "secret": {secret}}); r.status != http.StatusSeeOther {
		t.Fatalf("my story: %d", r.status)
	}
	view := p.get("/my-story/view")
	for _, c := range []string{"quote", "contact", "named"} {
		if !strings.Contains(view.body, `name="consent" value="`+c+`"`) {
			t.Errorf("no way to take back %s alone", c)
		}
	}
	if r := p.post("/my-story/consent", url.Values{"consent": {"quote"}}); r.status != http.StatusSeeOther {
		t.Fatalf("withdraw quotation: %d", r.status)
	}
	view = p.get("/my-story/view")
	if !strings.Contains(view.body, "Done: your words will not be quoted.") || !strings.Contains(view.body, "Your words are not quoted.") ||
		!strings.Contains(view.body, `name="consent" value="contact"`) || !strings.Contains(view.body, "The nurse explained everything in Polish.") {
		t.Fatalf("after withdrawing quotation:\n%s", view.body)
	}
	if r := p.post("/my-story/consent", url.Values{"consent": {"evidence"}}); r.status != http.StatusBadRequest {
		t.Errorf("evidence withdrawn alone: %d", r.status)
	}
	if r := p.post("/my-story/consent", url.Values{"consent": {"contact"}}); r.status != http.StatusSeeOther {
		t.Fatalf("withdraw contact: %d", r.status)
	}
	if fu = c.get("/staff/follow-ups"); strings.Contains(fu.body, "zofia@example.org") || strings.Contains(fu.body, ref) {
		t.Errorf("still on the follow-ups list after withdrawing consent to be contacted")
	}
	if sp = c.get("/staff/speakers"); !strings.Contains(sp.body, ref) {
		t.Errorf("withdrawing contact also took them off the speakers' list")
	}
}
