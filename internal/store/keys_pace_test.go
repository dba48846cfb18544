package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// A rotation shares the database with the server: after every batch it
// writes, it waits at least the pause and at least as long as the batch
// took; a batch whose write transaction outlasts Hold halves the next
// one, and batches grow back (never past Batch) while they are quick.
// The write connection is left as the server needs it (synchronous FULL
// on SQLite).
func TestResealPacesItself(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		path := filepath.Join(t.TempDir(), "keys.txt")
		k, err := sealed.LoadOrCreate(path)
		if err != nil {
			t.Fatal(err)
		}
		s.UseKeys(k)
		var qs []mail.Queued
		for i := range 120 {
			p, _ := k.Seal(fmt.Sprintf("mail %d", i))
			qs = append(qs, mail.Queued{Kind: "test", Payload: p})
		}
		if err := s.EnqueueMail(ctx, qs...); err != nil {
			t.Fatal(err)
		}
		newKey, err := sealed.AddKey(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := k.Reload(); err != nil {
			t.Fatal(err)
		}
		run := func(hold time.Duration) (sizes []int64, sleeps []time.Duration) {
			r, err := s.StartRotation(ctx, "cli", newKey)
			if err != nil {
				t.Fatal(err)
			}
			var last int64
			pace := store.ResealPace{Batch: 40, Hold: hold, Pause: 7 * time.Millisecond, Ratio: 1,
				Sleep: func(_ context.Context, d time.Duration) error { sleeps = append(sleeps, d); return nil }}
			n, err := s.ResealPaced(ctx, k, r.ID, pace, func(done int64) {
				sizes = append(sizes, done-last)
				last = done
			})
			if err != nil || n != last {
				t.Fatalf("reseal: %d %v", n, err)
			}
			return sizes, sleeps
		}
		// Every batch over Hold (1 ns): 40, 20, 10, 10, ...
		sizes, sleeps := run(time.Nanosecond)
		if !slices.Equal(sizes[:4], []int64{40, 20, 10, 10}) {
			t.Fatalf("batches while slow: %v", sizes)
		}
		if len(sleeps) != len(sizes) {
			t.Fatalf("%d batches, %d pauses", len(sizes), len(sleeps))
		}
		for _, d := range sleeps {
			if d < 7*time.Millisecond {
				t.Fatalf("a pause of %s, under the least pause", d)
			}
		}
		if n, _ := s.SealedNotUnder(ctx, newKey); n != 0 {
			t.Fatalf("%d values left under the old key", n)
		}

		// Quick batches (under half of Hold) keep their size, never past
		// Batch: 40, 40, 40 for 120 values.
		if _, err := sealed.AddKey(path); err != nil {
			t.Fatal(err)
		}
		k.Reload()
		newKey = k.Active()
		sizes, _ = run(time.Hour)
		if slices.Max(sizes) != 40 || len(sizes) != 3 {
			t.Fatalf("batches while quick: %v", sizes)
		}
		if s.Dialect() == "sqlite" {
			var sync int
			if err := s.WriteDB().QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
				t.Fatalf("the write connection is left at synchronous=%d (%v), want FULL (2)", sync, err)
			}
		}
	})
}

// The wait after a batch follows the time the batch took (Ratio), and
// is never under the pause.
func TestResealWaitFollowsBatchTime(t *testing.T) {
	t.Parallel()
	p := store.ResealPace{Pause: 30 * time.Millisecond, Ratio: 2}
	if got := store.ResealWait(p, 5*time.Millisecond); got != 30*time.Millisecond {
		t.Fatalf("quick batch: wait %s", got)
	}
	if got := store.ResealWait(p, 40*time.Millisecond); got != 80*time.Millisecond {
		t.Fatalf("slow batch: wait %s", got)
	}
}

// Web sessions (a resident's draft, a second factor being enrolled) hold
// values sealed with the keyring: a rotation counts them, seals them
// again, leaves the session's other values as they were, and after the
// old key is retired the draft still opens. An expired session is not
// counted (it can no longer be found).
func TestRotationResealsSessions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		path := filepath.Join(t.TempDir(), "keys.txt")
		k, err := sealed.LoadOrCreate(path)
		if err != nil {
			t.Fatal(err)
		}
		s.UseKeys(k)
		oldKey := k.Active()
		sess := s.SessionStore()
		var codec scs.GobCodec
		draft, _ := k.Seal(`{"what_happened":"a draft typed slowly"}`)
		totp, _ := k.Seal("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP")
		live, _ := codec.Encode(time.Now().Add(time.Hour), map[string]any{
			"share_draft": draft, "totp_secret": totp, "flash": "drafts.cleared", "pending_at": int64(42), "capture_saved": true,
		})
		if err := sess.Commit("live-token", live, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		gone, _ := k.Seal("an expired draft")
		expired, _ := codec.Encode(time.Now().Add(-time.Hour), map[string]any{"share_draft": gone})
		if err := sess.Commit("expired-token", expired, time.Now().Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n, err := s.SealedUnder(ctx, oldKey); err != nil || n != 2 {
			t.Fatalf("sealed values in live sessions under the old key: %d %v", n, err)
		}

		newKey, err := sealed.AddKey(path)
		if err != nil {
			t.Fatal(err)
		}
		k.Reload()
		if n, _ := s.SealedNotUnder(ctx, newKey); n != 2 {
			t.Fatalf("work left before the rotation: %d", n)
		}
		r, err := s.StartRotation(ctx, "cli", newKey)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := s.Reseal(ctx, k, r.ID, 50, nil); err != nil || n != 2 {
			t.Fatalf("reseal: %d %v", n, err)
		}
		if n, _ := s.SealedNotUnder(ctx, newKey); n != 0 {
			t.Fatalf("%d session values left under the old key", n)
		}
		fin, err := s.FinishRotation(ctx, "cli", r)
		if err != nil || fin.Resealed != 2 {
			t.Fatalf("finish: %+v %v", fin, err)
		}
		if err := sealed.RetireKeys(path, []string{oldKey}); err != nil {
			t.Fatal(err)
		}
		k.Reload()
		b, found, err := sess.Find("live-token")
		if err != nil || !found {
			t.Fatalf("session after the rotation: %v %v", found, err)
		}
		_, values, err := codec.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]string{"share_draft": `{"what_happened":"a draft typed slowly"}`, "totp_secret": "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"} {
			v, _ := values[name].(string)
			if sealed.KeyOf(v) != newKey {
				t.Fatalf("%s is under %q, want %s", name, sealed.KeyOf(v), newKey)
			}
			if got, err := k.Open(v); err != nil || got != want {
				t.Fatalf("%s after the old key was retired: %q %v", name, got, err)
			}
		}
		if values["flash"] != "drafts.cleared" || values["pending_at"] != int64(42) || values["capture_saved"] != true {
			t.Fatalf("the session's other values changed: %v", values)
		}
	})
}
