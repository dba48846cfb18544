package store_test

import (
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// TestAnalysisFactsCarryTheEvent: a story heard at an event carries the
// event (a breakdown column) and, when the person named no community,
// the event's community, marked as taken from the event; a story shared
// online carries neither.
func TestAnalysisFactsCarryTheEvent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ev := newTestEvent(t, s, 20, time.Now().Add(48*time.Hour))
		submit := func(eventID, community string, src experience.Source) string {
			rc, err := s.SubmitExperience(ctx, experience.Submission{Kind: experience.KindExperience, Lang: "en", Role: "person-with-cancer",
				WhatHappened: "Words.", Equality: equality.Answers{Community: community}, EventID: eventID,
				Consent: experience.Consent{Version: "t", Evidence: true}, Source: src}, experience.Contact{})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.DecideExperience(ctx, "test", rc.ID, experience.StatusApproved, ""); err != nil {
				t.Fatal(err)
			}
			return rc.ID
		}
		atEvent := submit(ev.ID, "", experience.SourceEvent)
		online := submit("", "south-asian", experience.SourceOnline)
		facts, err := s.AnalysisFacts(ctx, analysis.NewCodebook(nil))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]analysis.Fact{}
		for _, f := range facts {
			got[f.ExperienceID] = f
		}
		if f := got[atEvent]; f.Event != ev.ID || f.Community != "eastern-european" || !f.FromEvent || f.Source != string(experience.SourceEvent) {
			t.Errorf("at the event: %+v", f)
		}
		if f := got[online]; f.Event != "" || f.Community != "south-asian" || f.FromEvent {
			t.Errorf("online: %+v", f)
		}
	})
}
