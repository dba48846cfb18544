package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/event"
)

var (
	refRE    = regexp.MustCompile(`HM-[0-9A-Z]{4}-[0-9A-Z]{4}`)
	secretRE = regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`)
)

// A captured experience gets a reference and a secret code the connector
// reads out after Save, and a slip to print in the person's language;
// the codes open /my-story. The capture page offers recent and upcoming
// events.
func TestCaptureGivesReferenceSecretAndSlip(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ev := e.newEvent(20, time.Now().Add(48*time.Hour), event.Public)
	past := e.newEvent(20, time.Now().Add(-10*24*time.Hour), event.Public)
	old := e.newEvent(20, time.Now().Add(-60*24*time.Hour), event.Public)
	c := e.client()
	c.signIn(e.newStaff("kofi@example.org", account.Connector, ""))
	page := c.get("/staff/capture")
	for id, want := range map[string]bool{ev.ID: true, past.ID: true, old.ID: false} {
		if got := strings.Contains(page.body, `<option value="`+id+`">`); got != want {
			t.Errorf("event picker offers event %s: %v, want %v", id, got, want)
		}
	}
	story := url.Values{"event_id": {ev.ID}, "source": {"event"}, "lang": {"ur"}, "role": {"person-with-cancer"}, "stages": {"screening"},
		"what_happened": {"Nobody explained the letter in Urdu."}, "consent_evidence": {"yes"}, "next": {"done"}}
	r := c.post("/staff/capture", story)
	if r.status != http.StatusSeeOther || r.location != "/staff/capture/saved" {
		t.Fatalf("save: %d %s\n%s", r.status, r.location, r.body)
	}
	saved := c.get("/staff/capture/saved")
	ref, secret := refRE.FindString(saved.body), secretRE.FindString(saved.body)
	if saved.status != http.StatusOK || ref == "" || secret == "" {
		t.Fatalf("the saved page does not show the codes: %d\n%s", saved.status, saved.body)
	}
	h, err := e.store.ExperienceByReference(ctx, ref, secret)
	if err != nil || h.Submission.WhatHappened != "Nobody explained the letter in Urdu." {
		t.Fatalf("the codes shown do not open the experience: %v", err)
	}
	if rep, _ := e.store.EventReport(ctx, ev.ID); rep.Experiences != 1 {
		t.Errorf("the experience is not linked to the event picked: %+v", rep)
	}
	slip := regexp.MustCompile(`(?s)<section class="capture-slip" lang="([a-z]+)" dir="([a-z]+)".*?</section>`).FindStringSubmatch(saved.body)
	if slip == nil || slip[1] != "ur" || slip[2] != "rtl" || !strings.Contains(slip[0], "خفیہ کوڈ") || !strings.Contains(slip[0], e.web.PublicURL()+"/my-story") ||
		!strings.Contains(slip[0], ref) || !strings.Contains(slip[0], secret) {
		t.Fatalf("the slip is not in Urdu with the codes and the address:\n%v", slip)
	}
	// Save and add another: the next page shows the codes and links to the slip.
	story.Set("next", "another")
	story.Set("what_happened", "Second person.")
	if r := c.post("/staff/capture", story); r.location != "/staff/capture?event="+ev.ID {
		t.Fatalf("save and add another: %d %s", r.status, r.location)
	}
	next := c.get("/staff/capture?event=" + ev.ID)
	ref2, secret2 := refRE.FindString(next.body), secretRE.FindString(next.body)
	if ref2 == "" || ref2 == ref || secret2 == "" || !strings.Contains(next.body, `href="/staff/capture/saved"`) {
		t.Fatalf("after save and add another the page lacks the new codes or the slip link")
	}
	if _, err := e.store.ExperienceByReference(ctx, ref2, secret2); err != nil {
		t.Fatalf("the second codes do not open the experience: %v", err)
	}
	if again := c.get("/staff/capture?event=" + ev.ID); strings.Contains(again.body, secret2) {
		t.Error("the capture page shows the codes again after the next visit")
	}
	if s := c.get("/staff/capture/saved"); !strings.Contains(s.body, secret2) {
		t.Error("the slip of the last capture is gone")
	}
}
