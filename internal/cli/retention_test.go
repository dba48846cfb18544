package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

func TestRetentionCommand(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	if code, _, errs := run(t, "migrate", "--data", data); code != 0 {
		t.Fatalf("migrate: %d %s", code, errs)
	}
	// Two experiences whose contact details were last used 100 days ago.
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(data, "hearme.db"))
	if err != nil {
		t.Fatal(err)
	}
	st.UseKeys(storetest.Keys(t))
	st.SetClock(func() time.Time { return time.Now().Add(-100 * 24 * time.Hour) })
	for i := 0; i < 2; i++ {
		sub := experience.Submission{Kind: experience.KindExperience, Lang: "en", WhatHappened: "story",
			Consent: experience.Consent{Version: "2026-11", Evidence: true, Contact: true}, Source: experience.SourceOnline}
		if _, err := st.SubmitExperience(ctx, sub, experience.Contact{Email: "v1:k:sealed"}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	contacts := func() int {
		t.Helper()
		st, err := store.Open(ctx, filepath.Join(data, "hearme.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		n, err := st.Held(ctx, "contact_details")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	for _, args := range [][]string{{}, {"--dry-run", "--apply"}} {
		if code, _, errs := run(t, append([]string{"retention", "--data", data}, args...)...); code != 2 || !strings.Contains(errs, "--dry-run | --apply") {
			t.Fatalf("retention %v: %d %q", args, code, errs)
		}
	}
	if code, _, errs := run(t, "retention", "--dry-run", "--data", data, "--retain-contact-details", "-1h"); code != 2 || !strings.Contains(errs, "retain-contact-details") {
		t.Fatalf("negative retention: %d %q", code, errs)
	}
	// A longer rule (104 days): nothing is due yet.
	if code, out, errs := run(t, "retention", "--dry-run", "--data", data, "--retain-contact-details", "2500h"); code != 0 || !strings.Contains(out, "contact-details:       0 would be removed") {
		t.Fatalf("dry run, 104 day rule: %d %s %s", code, out, errs)
	}
	code, out, errs := run(t, "retention", "--dry-run", "--data", data)
	if code != 0 || !strings.Contains(out, "nothing changed") || !strings.Contains(out, "contact-details:       2 would be removed") ||
		!strings.Contains(out, "rejected-submissions:  0 would be removed") || !strings.Contains(out, "unredacted-originals:  0 would be removed") {
		t.Fatalf("dry run: %d %s %s", code, out, errs)
	}
	if n := contacts(); n != 2 {
		t.Fatalf("dry run removed contact details: %d left", n)
	}
	if code, out, errs := run(t, "retention", "--apply", "--data", data); code != 0 || !strings.Contains(out, "contact-details:       2 removed") {
		t.Fatalf("apply: %d %s %s", code, out, errs)
	}
	if n := contacts(); n != 0 {
		t.Fatalf("apply left %d contact details", n)
	}
	if code, out, _ := run(t, "retention", "--apply", "--data", data); code != 0 || !strings.Contains(out, "contact-details:       0 removed") {
		t.Fatalf("second apply: %d %s", code, out)
	}
	if code, out, _ := run(t, "jobs", "run", "retention", "--data", data); code != 0 || !strings.Contains(out, "done") {
		t.Fatalf("jobs run retention: %d %s", code, out)
	}
	if code, out, errs := run(t, "audit", "verify", "--data", data); code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("audit verify: %d %s %s", code, out, errs)
	}
}
