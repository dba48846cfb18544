package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/experience"
)

func TestConnectorModeratesASubmission(t *testing.T) {
	t.Parallel()
	eachEnv(t, testConnectorModeratesASubmission)
}

func testConnectorModeratesASubmission(t *testing.T, e *env) {
	sub := experience.Submission{Kind: experience.KindExperience, Lang: "en", Role: "friend", Stages: []string{"treatment"},
		WhatHappened: "Dr Khan explained everything. Call me on 07700 900123.", Consent: experience.Consent{Version: "v1", Evidence: true},
		Source: experience.SourceOnline}
	rc, err := e.store.SubmitExperience(ctx, sub, experience.Contact{})
	if err != nil {
		t.Fatal(err)
	}
	conn := e.newStaff("kofi@example.org", account.Connector, "")
	c := e.client()
	c.signIn(conn)
	q := c.get("/staff/moderation")
	if !strings.Contains(q.body, rc.Reference) || strings.Contains(q.body, "07700") {
		t.Fatalf("queue: reference listed? %v; content leaked? %v", strings.Contains(q.body, rc.Reference), strings.Contains(q.body, "07700"))
	}
	item := c.get("/staff/moderation/" + rc.ID)
	if item.status != http.StatusOK || !strings.Contains(item.body, "<mark>07700 900123</mark>") || !strings.Contains(item.body, "<mark>Khan</mark>") {
		t.Fatalf("flags not highlighted:\n%s", item.body)
	}
	entries, _ := e.store.RecentAudit(ctx, 1)
	if entries[0].Action != "experience.viewed_unredacted" || entries[0].ActorID != conn.ID {
		t.Fatalf("view not audited: %+v", entries[0])
	}
	// Redact only the phone number (untick the name), with one forged value.
	phone := strings.Index(sub.WhatHappened, "07700")
	r := c.post("/staff/moderation/"+rc.ID+"/redact", url.Values{"redact": {
		"what_happened:" + itoa(phone) + ":" + itoa(phone+len("07700 900123")), "what_happened:0:10"}})
	if r.location != "/staff/moderation/"+rc.ID {
		t.Fatalf("redact: %d %s", r.status, r.location)
	}
	h, _ := e.store.ExperienceByReference(ctx, rc.Reference, rc.Secret)
	if h.Submission.WhatHappened != "Dr Khan explained everything. Call me on [phone]." || !h.Redacted {
		t.Fatalf("after redaction: %q", h.Submission.WhatHappened)
	}
	// Rejecting needs a reason; approving takes it out of the queue.
	if r := c.post("/staff/moderation/"+rc.ID+"/reject", url.Values{"reason": {" "}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#reason"`) {
		t.Fatalf("reject without reason: %d", r.status)
	}
	if r := c.post("/staff/moderation/"+rc.ID+"/approve", nil); r.location != "/staff/moderation" {
		t.Fatalf("approve: %d", r.status)
	}
	if q := c.get("/staff/moderation"); strings.Contains(q.body, rc.Reference) {
		t.Fatal("approved submission still queued")
	}
	// Analysts do not moderate.
	an := e.client()
	an.signIn(e.newStaff("ana@example.org", account.Analyst, ""))
	if r := an.get("/staff/moderation/" + rc.ID); r.status != http.StatusForbidden {
		t.Fatalf("analyst: %d", r.status)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
