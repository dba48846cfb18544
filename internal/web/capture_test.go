package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/account"
)

// A connector records three experiences in a row from an event; a
// champion records one from their round; both go to moderation.
func TestCaptureSeveralInARow(t *testing.T) { t.Parallel(); eachEnv(t, testCaptureSeveralInARow) }

func testCaptureSeveralInARow(t *testing.T, e *env) {
	conn := e.newStaff("kofi@example.org", account.Connector, "")
	c := e.client()
	c.signIn(conn)
	if r := c.get("/staff/capture"); r.status != http.StatusOK || !strings.Contains(r.body, `value="another"`) {
		t.Fatalf("capture page: %d", r.status)
	}
	// A mistake keeps everything typed.
	r := c.post("/staff/capture", url.Values{"source": {"event"}, "what_happened": {"Long wait for scan results."}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Long wait for scan results.") ||
		!strings.Contains(r.body, `href="#role"`) || !strings.Contains(r.body, `href="#consent_evidence"`) {
		t.Fatalf("bad capture: %d", r.status)
	}
	for i, story := range []string{"First person's story.", "Second person's story.", "Third person's story."} {
		r := c.post("/staff/capture", url.Values{"source": {"event"}, "lang": {"so"}, "role": {"person-with-cancer"}, "stages": {"treatment"},
			"what_happened": {story}, "consent_evidence": {"yes"}, "next": {"another"}})
		if r.location != "/staff/capture" {
			t.Fatalf("capture %d: %d %s\n%s", i, r.status, r.location, r.body)
		}
		if next := c.get("/staff/capture"); !strings.Contains(next.body, "HM-") || strings.Contains(next.body, story) {
			t.Fatalf("after capture %d the page should confirm the reference and be empty", i)
		}
	}
	q, _ := e.store.ModerationQueue(ctx, 10)
	if len(q) != 3 || q[0].Source != "event" || q[0].Lang != "so" {
		t.Fatalf("queue: %+v", q)
	}
	h, _ := e.store.ExperienceForModeration(ctx, q[0].ID, conn.ID)
	if !h.Submission.Consent.Verbal || h.Submission.Consent.Version == "" {
		t.Fatalf("verbal consent not recorded: %+v", h.Submission.Consent)
	}
	// A champion's submission is marked as theirs and goes to moderation.
	ch := e.client()
	ch.signIn(e.newStaff("champ@example.org", account.Champion, ""))
	if r := ch.post("/staff/capture", url.Values{"role": {"friend"}, "stages": {"screening"}, "went_well": {"Friendly screening nurse."},
		"consent_evidence": {"yes"}, "next": {"done"}}); r.location != "/staff/capture/saved" {
		t.Fatalf("champion capture: %d %s", r.status, r.location)
	}
	q, _ = e.store.ModerationQueue(ctx, 10)
	if len(q) != 4 || q[3].Source != "champion" {
		t.Fatalf("champion submission: %+v", q)
	}
	// Stakeholders and analysts do not capture.
	st := e.client()
	prog, _ := e.store.Programme(ctx)
	st.signIn(e.newStaff("nhs@example.org", account.Stakeholder, prog.Organisations[0].ID))
	if r := st.get("/staff/capture"); r.status != http.StatusForbidden {
		t.Fatalf("stakeholder: %d", r.status)
	}
}
