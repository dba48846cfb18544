package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/store"
)

// demoAccountability publishes one invented recommendation drawn from
// the demo experiences (its figures frozen from the developers' coding
// of them, through disclosure control), with the integrated care board's
// answer, three commitments and progress updates, one of them a change
// made that a connector approved: so the public report shows the Account
// step from the first start. Everything is made by store.DemoActor, so
// `hearme demo remove` takes it out. It adds nothing where a
// recommendation exists.
func demoAccountability(ctx context.Context, st *store.Store) error {
	if list, err := st.Recommendations(ctx, false); err != nil || len(list) > 0 {
		return err
	}
	stored, err := st.Codes(ctx)
	if err != nil {
		return err
	}
	codes := make([]analysis.Code, len(stored))
	for i, c := range stored {
		codes[i] = c.Code
	}
	book := analysis.NewCodebook(codes)
	exps, err := demo.Experiences()
	if err != nil {
		return err
	}
	var facts []analysis.Fact
	for _, e := range exps {
		f := analysis.Fact{Community: e.Community}
		for _, c := range e.Codes {
			if th := book.Theme(c); th != "" && !slices.Contains(f.Themes, th) {
				f.Themes = append(f.Themes, th)
			}
		}
		facts = append(facts, f)
	}
	var themes, communities []string
	for _, n := range book.Walk(false) {
		if n.Depth == 0 {
			themes = append(themes, n.ID)
		}
	}
	present := analysis.Keys(facts, analysis.DimCommunity)
	for _, c := range demo.Luton().Communities {
		if slices.Contains(present, c.Slug) {
			communities = append(communities, c.Slug)
		}
	}
	name := func(id string) string {
		if c, ok := book.Get(id); ok {
			return c.Name
		}
		return id
	}
	theme := demo.CodeID("language")
	figures, err := accountability.Freeze(facts, themes, communities, []string{theme}, name)
	if err != nil {
		return err
	}
	rec, err := st.SaveRecommendation(ctx, store.DemoActor, accountability.Recommendation{
		Title: "Book an interpreter with every appointment (example)",
		Text:  "Book a professional interpreter when the appointment is made, and never ask family members, least of all children, to interpret.",
		Translations: []accountability.Translation{{Lang: "pl", Title: "Zamawiać tłumacza na każdą wizytę (przykład)",
			Text: "Zamawiać profesjonalnego tłumacza przy umawianiu wizyty i nigdy nie prosić rodziny, a zwłaszcza dzieci, o tłumaczenie."}},
		Organisations: []string{"blmk-icb", "luton-council"}, Themes: []string{theme}})
	if err != nil {
		return fmt.Errorf("demo recommendation: %w", err)
	}
	if err := st.PublishRecommendation(ctx, store.DemoActor, rec.ID, rec.Version, figures, nil, name); err != nil {
		return fmt.Errorf("demo recommendation: %w", err)
	}
	if _, err := st.SaveResponse(ctx, store.DemoActor, accountability.Response{RecommendationID: rec.ID, Organisation: "blmk-icb", Decision: accountability.PartlyAccepted,
		Reasons: "We accept interpreters at every appointment. Letters in every language need a new supplier contract, so they come later (example)."}); err != nil {
		return err
	}
	today := accountability.Day(time.Now(), time.UTC)
	var made []accountability.Commitment
	for i, c := range []struct {
		text, owner string
		months      int
	}{
		{"We will book a professional interpreter when an appointment is made for anyone who asks for one, or whose record says they need one (example).", "Head of Patient Experience", 4},
		{"We will send appointment letters in the patient's language (example).", "Director of Digital Services", 9},
		{"We will train reception staff to offer an interpreter and record the language (example).", "Workforce Development Lead", 3},
	} {
		cm, err := st.AddCommitment(ctx, store.DemoActor, accountability.Commitment{RecommendationID: rec.ID, Organisation: "blmk-icb", Text: c.text, OwnerRole: c.owner,
			Due: today.AddDate(0, c.months, 0), Weight: 1, CreatedOn: today}, accountability.DefaultPolicy().Planned())
		if err != nil {
			return fmt.Errorf("demo commitment %d: %w", i+1, err)
		}
		made = append(made, cm)
	}
	u, err := st.AddUpdate(ctx, store.DemoActor, "blmk-icb", accountability.Update{CommitmentID: made[0].ID, On: today, Status: "in-progress", Kind: accountability.KindActive,
		Progress: 40, Text: "The booking form of the three hospital clinics now asks which language the patient speaks (example).",
		Claim: accountability.ClaimMade, WhatChanged: "A language question on the booking form; interpreters are booked with the appointment (example).", Review: accountability.ReviewPending})
	if err != nil {
		return err
	}
	if err := st.ReviewUpdate(ctx, store.DemoActor, u.ID, true, ""); err != nil {
		return err
	}
	_, err = st.AddUpdate(ctx, store.DemoActor, "blmk-icb", accountability.Update{CommitmentID: made[2].ID, On: today, Status: "in-progress", Kind: accountability.KindActive,
		Progress: 20, Text: "The training session is written; the first one is booked (example).", Review: accountability.ReviewNone})
	return err
}
