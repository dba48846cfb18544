package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/sealed"
)

// A rotation stopped half way (as if the process were killed after a
// few batches) gets a clear answer from status and retire, resumes with
// `keys rotate`, and ends with everything readable and under the new key;
// the old key is retired only when nothing needs it.
func TestKeysRotateInterruptedResumeRetire(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data := newDataDir(t)
	cfg := config.Config{DataDir: data}
	st, err := app.OpenStore(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	server := st.Keys() // the server's keyring, following the file
	oldKey := server.Active()
	var refs []experience.Receipt
	for i := range 40 {
		sub := testSubmission(i)
		sub.Consent.Contact = true
		email, _ := server.Seal(fmt.Sprintf("p%d@example.org", i))
		rc, err := st.SubmitExperience(ctx, sub, experience.Contact{Email: email})
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, rc)
	}
	total, _ := st.SealedUnder(ctx, oldKey)

	// Half a rotation, as a killed `keys rotate` leaves it.
	newKey, err := sealed.AddKey(cfg.KeyPath())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.Reload(); err != nil {
		t.Fatal(err)
	}
	rot, err := st.StartRotation(ctx, "cli", newKey)
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	st.Reseal(cctx, server, rot.ID, 10, func(n int64) {
		if n >= total/2 {
			cancel()
		}
	})
	st.Close()

	code, out, errs := run(t, "keys", "status", "--data", data)
	if code != 0 || !strings.Contains(out, "NOT FINISHED") || !strings.Contains(out, "hearme keys rotate") {
		t.Fatalf("status half way: %d %s %s", code, out, errs)
	}
	if code, _, errs := run(t, "keys", "retire", "--now", "--data", data); code == 0 || !strings.Contains(errs, "still sealed with "+oldKey) || !strings.Contains(errs, "nothing was retired") {
		t.Fatalf("retire half way: %d %s", code, errs)
	}
	code, out, errs = run(t, "keys", "rotate", "--batch", "7", "--data", data)
	if code != 0 || !strings.Contains(out, "resuming the rotation to "+newKey) || !strings.Contains(out, "rotation finished") {
		t.Fatalf("resume: %d %s %s", code, out, errs)
	}
	if !strings.Contains(out, "can be retired from") {
		t.Fatalf("status after rotation does not say when the old key can go:\n%s", out)
	}
	if code, _, errs := run(t, "keys", "retire", "--data", data); code == 0 || !strings.Contains(errs, "web sessions") {
		t.Fatalf("retire before sessions ended: %d %s", code, errs)
	}
	if code, out, errs := run(t, "keys", "retire", "--now", "--data", data); code != 0 || !strings.Contains(out, "retired "+oldKey) {
		t.Fatalf("retire: %d %s %s", code, out, errs)
	}

	st, err = app.OpenStore(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keys := st.Keys()
	if keys.Has(oldKey) || keys.Active() != newKey {
		t.Fatalf("keyring after retire: %v", keys.IDs())
	}
	if n, _ := st.SealedNotUnder(ctx, newKey); n != 0 {
		t.Fatalf("%d values not under the new key", n)
	}
	for _, rc := range refs {
		h, err := st.ExperienceByReference(ctx, rc.Reference, rc.Secret)
		if err != nil || !strings.HasPrefix(h.Submission.WhatHappened, "Waited") {
			t.Fatalf("experience %s after rotation: %v", rc.Reference, err)
		}
	}
	last, err := st.LastRotation(ctx)
	if err != nil || last.FinishedAt == nil || last.Resealed != total {
		t.Fatalf("rotation record: %+v %v (want %d)", last, err, total)
	}
	if code, out, _ := run(t, "audit", "verify", "--data", data); code != 0 {
		t.Fatalf("audit verify after rotation: %s", out)
	}
	// A second rotation starts afresh with another key.
	code, out, errs = run(t, "keys", "rotate", "--data", data)
	if code != 0 || !strings.Contains(out, "added key") || strings.Contains(out, "resuming") {
		t.Fatalf("second rotation: %d %s %s", code, out, errs)
	}
}
