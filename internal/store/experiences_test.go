package store_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

func submission() experience.Submission {
	return experience.Submission{
		Kind: experience.KindExperience, Lang: "pl", Role: "family-or-carer", Stages: []string{"screening", "treatment"},
		WhatHappened: "Czekaliśmy długo na wyniki.", CouldBeBetter: "An interpreter at every appointment.",
		Services: []string{"hospital", "gp-practice"}, Year: 2025,
		Equality: equality.Answers{EthnicGroup: "white-other", AgeBand: "55-64", Religion: "prefer-not-to-say", PostcodeDistrict: "LU4"},
		Consent:  experience.Consent{Version: "2026-11", Evidence: true, Quote: true},
		Source:   experience.SourceOnline,
	}
}

func TestSubmitSeeAndWithdraw(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sub := submission()
		sub.Consent.Contact = true
		rc, err := s.SubmitExperience(ctx, sub, experience.Contact{Name: "v1:k:sealed-name", Email: "v1:k:sealed-email"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(rc.Reference, "HM-") || len(rc.Secret) != 19 {
			t.Fatalf("receipt %+v", rc)
		}
		h, err := s.ExperienceByReference(ctx, rc.Reference, strings.ToLower(rc.Secret)) // typed in lower case
		if err != nil {
			t.Fatal(err)
		}
		if h.Submission.WhatHappened != sub.WhatHappened || len(h.Submission.Stages) != 2 || !h.HasContact ||
			h.Status != experience.StatusPending || !h.Submission.Consent.Quote || h.Submission.Consent.Named || h.Submission.Year != 2025 {
			t.Fatalf("held: %+v", h)
		}
		if _, err := s.ExperienceByReference(ctx, rc.Reference, experience.NewSecret()); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("wrong secret: %v", err)
		}
		a, err := s.EqualityAnswers(ctx, h.ID)
		if err != nil || a.PostcodeDistrict != "LU4" || a.Religion != "prefer-not-to-say" {
			t.Fatalf("equality: %+v %v", a, err)
		}
		if err := s.AddCorrection(ctx, rc.Reference, rc.Secret, "It was six weeks, not four."); err != nil {
			t.Fatal(err)
		}
		if err := s.AddCorrection(ctx, rc.Reference, "wrong", "x"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("correction with a wrong secret: %v", err)
		}
		if h, _ := s.ExperienceByReference(ctx, rc.Reference, rc.Secret); len(h.Corrections) != 1 || h.Corrections[0].Text != "It was six weeks, not four." {
			t.Fatalf("corrections: %+v", h.Corrections)
		}
		if err := s.WithdrawExperience(ctx, rc.Reference, "wrong"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("withdraw with a wrong secret: %v", err)
		}
		if err := s.WithdrawExperience(ctx, rc.Reference, rc.Secret); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ExperienceByReference(ctx, rc.Reference, rc.Secret); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("withdrawn experience still held: %v", err)
		}
		for _, table := range []string{"experiences", "experience_stages", "equality_answers", "consents", "contact_details", "experience_corrections"} {
			if n, err := s.Held(ctx, table); err != nil || n != 0 {
				t.Errorf("%s keeps %d rows after withdrawal (%v)", table, n, err)
			}
		}
		if n, err := s.WithdrawalCount(ctx, experience.KindExperience); err != nil || n != 1 {
			t.Fatalf("withdrawal count %d, %v", n, err)
		}
	})
}

// Without consent to be contacted, no contact detail is kept anywhere,
// even if one was sent.
func TestNoContactDetailsWithoutConsent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sub := submission()
		sub.Contact = experience.Contact{Name: "MARKERNAME", Email: "marker@example.org"}
		if errs := sub.Validate([]string{"screening", "treatment"}, nil, []string{"en", "pl"}); len(errs) != 0 {
			t.Fatalf("validate: %v", errs)
		}
		if !sub.Contact.Empty() {
			t.Fatal("Validate kept contact details given without consent")
		}
		if _, err := s.SubmitExperience(ctx, sub, experience.Contact{Name: "MARKERNAME"}); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Held(ctx, "contact_details"); err != nil || n != 0 {
			t.Fatal("contact details stored without consent (c)")
		}
	})
}
