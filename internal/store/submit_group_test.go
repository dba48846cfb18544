package store_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// Submissions arriving together (on SQLite they share one commit, each
// under its own savepoint): one that fails part-way, here after its
// experience row is written (a stage named twice breaks the stages' key),
// rolls back alone, and exactly the acknowledged ones are stored, whole.
func TestConcurrentSubmissionsWithAFailure(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		const n = 48
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			acked []experience.Receipt
			bad   int
		)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				sub := submission()
				sub.WhatHappened = fmt.Sprintf("Concurrent story %d", i)
				if i == n/2 {
					sub.Stages = []string{"screening", "screening"} // forced failure after the experience row
				}
				rc, err := s.SubmitExperience(ctx, sub, experience.Contact{})
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					if i != n/2 {
						t.Errorf("submission %d: %v", i, err)
					}
					bad++
					return
				}
				acked = append(acked, rc)
			}(i)
		}
		wg.Wait()
		if bad != 1 || len(acked) != n-1 {
			t.Fatalf("%d failed, %d acknowledged (want 1 and %d)", bad, len(acked), n-1)
		}
		for table, want := range map[string]int{"experiences": n - 1, "consents": n - 1, "equality_answers": n - 1, "experience_stages": 2 * (n - 1)} {
			var got int
			if err := s.ReadDB().QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s: %d rows, want %d (only the acknowledged submissions, whole)", table, got, want)
			}
		}
		for _, rc := range acked {
			h, err := s.ExperienceByReference(ctx, rc.Reference, rc.Secret)
			if err != nil || len(h.Submission.Stages) != 2 {
				t.Fatalf("acknowledged %s: %+v %v", rc.Reference, h.Submission.Stages, err)
			}
		}
	})
}
