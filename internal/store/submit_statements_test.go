package store_test

import (
	"testing"

	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// A submission's statements are compiled once and kept: the second and
// later submissions (with contact details, equality answers and a
// safeguarding flag: every statement) prepare nothing more. On SQLite
// compiling them again took a fifth of the writer's turn, which every
// waiting submission shares.
func TestSubmissionsPrepareTheirStatementsOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sub := submission()
		sub.Consent.Contact = true
		sub.WhatHappened = "Some days I want to die."
		if _, err := s.SubmitExperience(ctx, sub, experience.Contact{Name: "v1:k:sealed-name", Email: "v1:k:sealed-email"}); err != nil {
			t.Fatal(err)
		}
		after1 := s.PreparedStatements()
		if after1 == 0 {
			t.Fatal("no statement prepared: the submission compiled its SQL each time")
		}
		for range 3 {
			rc, err := s.SubmitExperience(ctx, sub, experience.Contact{Name: "v1:k:sealed-name", Email: "v1:k:sealed-email"})
			if err != nil {
				t.Fatal(err)
			}
			h, err := s.ExperienceByReference(ctx, rc.Reference, rc.Secret)
			if err != nil || h.Submission.WhatHappened != sub.WhatHappened || !h.HasContact || len(h.Submission.Stages) != 2 {
				t.Fatalf("stored %+v, %v", h, err)
			}
			flags, err := s.SafeguardingFlags(ctx, rc.ID)
			if err != nil || len(flags) != 1 {
				t.Fatalf("safeguarding flags %+v, %v", flags, err)
			}
		}
		if got := s.PreparedStatements(); got != after1 {
			t.Errorf("%d statements prepared after four submissions, %d after the first", got, after1)
		}
	})
}
