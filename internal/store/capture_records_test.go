package store_test

import (
	"crypto/ecdh"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// TestSubmitCaptureOnce: a record captured on a phone is stored once,
// whatever number of times and however concurrently it is sent (two
// tabs, a double tap, retries); every answer is the first receipt.
func TestSubmitCaptureOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sub := submission()
		sub.Source, sub.RecordedBy = experience.SourceChampion, "champion-1"
		captured := time.Now().Add(-3 * time.Hour).UTC().Truncate(time.Second)
		rec := store.CaptureRecord{ClientID: "0b9c6f3e-2d7a-4c55-9a59-1b0e7c3d4f21", CapturedAt: captured}

		const senders = 12
		type answer struct {
			rc     experience.Receipt
			replay bool
			err    error
		}
		answers := make([]answer, senders)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				rc, replay, err := s.SubmitCapture(ctx, rec, sub, experience.Contact{})
				answers[i] = answer{rc, replay, err}
			}()
		}
		close(start)
		wg.Wait()
		first, fresh := answers[0].rc, 0
		for i, a := range answers {
			if a.err != nil {
				t.Fatalf("sender %d: %v", i, a.err)
			}
			if !a.replay {
				fresh++
				first = a.rc
			}
		}
		if fresh != 1 {
			t.Fatalf("%d senders were told they stored the record, want 1", fresh)
		}
		for i, a := range answers {
			if a.rc.ID != first.ID || a.rc.Reference != first.Reference || a.rc.Secret != first.Secret {
				t.Errorf("sender %d got receipt %+v, want the first %+v", i, a.rc, first)
			}
		}
		// One experience, which the secret opens, in the moderation queue
		// with its capture time.
		if _, err := s.ExperienceByReference(ctx, first.Reference, first.Secret); err != nil {
			t.Fatalf("the receipt does not open the experience: %v", err)
		}
		q, err := s.ModerationQueue(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(q) != 1 || !q[0].Offline || !q[0].CapturedAt.Equal(captured) || q[0].ID != first.ID {
			t.Fatalf("moderation queue %+v, want the one record captured at %v", q, captured)
		}
		// Later, again: the same receipt.
		rc, replay, err := s.SubmitCapture(ctx, rec, sub, experience.Contact{})
		if err != nil || !replay || rc.Reference != first.Reference || rc.Secret != first.Secret {
			t.Fatalf("a later repeat: %+v %v %v", rc, replay, err)
		}
		// Another account cannot claim the id (nor learn the codes).
		other := sub
		other.RecordedBy = "champion-2"
		if rc, _, err := s.SubmitCapture(ctx, rec, other, experience.Contact{}); !errors.Is(err, store.ErrConflict) || rc.Secret != "" {
			t.Fatalf("another account's repeat: %+v %v, want ErrConflict and no secret", rc, err)
		}
		// A record whose capture time is unknown keeps the reason.
		rc2, replay, err := s.SubmitCapture(ctx, store.CaptureRecord{ClientID: "second", ClockNote: experience.ClockFuture}, sub, experience.Contact{})
		if err != nil || replay || rc2.Reference == first.Reference {
			t.Fatalf("second record: %+v %v %v", rc2, replay, err)
		}
		q, _ = s.ModerationQueue(ctx, 100)
		for _, it := range q {
			if it.ID == rc2.ID && (!it.CapturedAt.IsZero() || it.ClockNote != experience.ClockFuture) {
				t.Errorf("unknown capture time: %+v", it)
			}
		}
		// Withdrawing the experience takes its capture record with it.
		if err := s.WithdrawExperience(ctx, first.Reference, first.Secret); err != nil {
			t.Fatal(err)
		}
		if _, replay, err := s.SubmitCapture(ctx, store.CaptureRecord{ClientID: "third"}, sub, experience.Contact{}); err != nil || replay {
			t.Fatalf("after a withdrawal: %v %v", replay, err)
		}
	})
}

// TestQueueKey: one key pair is made once, even by racing callers, and
// found again by its id; its public half is a P-256 JSON Web Key.
func TestQueueKey(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		keys := make([]store.QueueKey, 6)
		var wg sync.WaitGroup
		for i := range keys {
			wg.Add(1)
			go func() {
				defer wg.Done()
				k, err := s.CurrentQueueKey(ctx)
				if err != nil {
					t.Error(err)
				}
				keys[i] = k
			}()
		}
		wg.Wait()
		for _, k := range keys {
			if k.ID != keys[0].ID || k.Private == nil || !k.Private.Equal(keys[0].Private) {
				t.Fatalf("racing callers got different keys: %s and %s", k.ID, keys[0].ID)
			}
		}
		if k, err := s.QueueKeyByID(ctx, keys[0].ID); err != nil || !k.Private.Equal(keys[0].Private) {
			t.Fatalf("by id: %v", err)
		}
		if _, err := s.QueueKeyByID(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown id: %v", err)
		}
		if !strings.Contains(keys[0].PublicJWK, `"crv":"P-256"`) || keys[0].Private.Curve() != ecdh.P256() {
			t.Fatalf("public key %s", keys[0].PublicJWK)
		}
	})
}
