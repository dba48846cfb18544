package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

func TestSyntheticSeedCommand(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	if code, _, errs := run(t, "synthetic", "seed", "--data", data, "--experiences", "0"); code != 2 || !strings.Contains(errs, "--experiences at least 1") {
		t.Fatalf("no experiences: %d %q", code, errs)
	}
	code, out, errs := run(t, "synthetic", "seed", "--data", data, "--experiences", "40", "--batch", "15")
	if code != 0 || !strings.Contains(out, "synthetic programme: 40 experiences with") || !strings.Contains(out, "30 of 40 experiences written") {
		t.Fatalf("seed: %d %q %q", code, out, errs)
	}
	// Again: added to the synthetic programme.
	if code, out, errs := run(t, "synthetic", "seed", "--data", data, "--experiences", "5"); code != 0 || !strings.Contains(out, "synthetic programme: 45 experiences") {
		t.Fatalf("seed again: %d %q %q", code, out, errs)
	}
	if code, out, errs := run(t, "synthetic", "finish", "--data", data); code != 0 || !strings.Contains(out, "synthetic programme: 45 experiences with") {
		t.Fatalf("finish: %d %q %q", code, out, errs)
	}
	// One real experience: refused, nothing written.
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(data, "hearme.db"))
	if err != nil {
		t.Fatal(err)
	}
	st.UseKeys(storetest.Keys(t))
	sub := experience.Submission{Kind: experience.KindExperience, Lang: "en", WhatHappened: "A real story.",
		Consent: experience.Consent{Version: "2026-11", Evidence: true}, Source: experience.SourceOnline}
	if _, err := st.SubmitExperience(ctx, sub, experience.Contact{}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if code, out, errs := run(t, "synthetic", "seed", "--data", data, "--experiences", "5"); code != 1 || !strings.Contains(errs, "holds real experiences") || strings.Contains(out, "written") {
		t.Fatalf("seeding a database with a real experience: %d %q %q", code, out, errs)
	}
}
