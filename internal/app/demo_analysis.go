package app

import (
	"context"
	"fmt"

	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
)

// demoAnalysis loads the starter codebook and the invented demo
// experiences (approved, marked demo, not yet coded) so the coding,
// evidence and report pages have something true to life to show. It
// adds nothing to a database that already has codes or experiences.
func demoAnalysis(ctx context.Context, st *store.Store) error {
	if has, err := st.HasCodes(ctx); err != nil {
		return err
	} else if !has {
		codes, err := demo.Codebook()
		if err != nil {
			return err
		}
		if _, _, err := st.ImportCodes(ctx, "system", codes, true); err != nil {
			return fmt.Errorf("demo codebook: %w", err)
		}
	}
	if has, err := st.HasExperiences(ctx); err != nil || has {
		return err
	}
	exps, err := demo.Experiences()
	if err != nil {
		return err
	}
	for i, e := range exps {
		sub := experience.Submission{
			Kind: experience.KindExperience, Lang: e.Lang, Role: experience.Role(e.Role), Stages: e.Stages,
			WhatHappened: e.WhatHappened, WentWell: e.WentWell, CouldBeBetter: e.CouldBeBetter,
			Equality: equality.Answers{Community: e.Community},
			Consent:  experience.Consent{Version: "demo", Evidence: true, Quote: e.Quote, Verbal: e.Source != "online"},
			Source:   experience.Source(e.Source),
		}
		rc, err := st.SubmitExperience(ctx, sub, experience.Contact{})
		if err != nil {
			return fmt.Errorf("demo experience %d: %w", i+1, err)
		}
		if err := st.MarkDemoExperience(ctx, rc.ID); err != nil {
			return err
		}
		if err := st.DecideExperience(ctx, "system", rc.ID, experience.StatusApproved, ""); err != nil {
			return fmt.Errorf("demo experience %d: %w", i+1, err)
		}
	}
	return nil
}
