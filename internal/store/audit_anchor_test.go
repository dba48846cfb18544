package store_test

import (
	"crypto/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/dialect"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// dropAuditGuards removes the triggers that refuse UPDATE and DELETE, as
// someone with rights over the database could.
func dropAuditGuards(t *testing.T, s *store.Store) {
	t.Helper()
	stmts := []string{"DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"}
	if s.Dialect() == dialect.Postgres {
		stmts = []string{"DROP TRIGGER audit_log_no_update ON audit_log"}
	}
	for _, q := range stmts {
		if _, err := s.WriteDB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}

// keyedTrail is a store whose trail has a key and a checkpoint file,
// with n entries appended and anchored.
func keyedTrail(t *testing.T, s *store.Store, n int) (*audit.Key, string) {
	t.Helper()
	secret := make([]byte, 32)
	rand.Read(secret)
	key := audit.NewKey(secret, 1)
	path := filepath.Join(t.TempDir(), "audit-checkpoint.json")
	s.SetAuditTrust(store.AuditTrust{Key: key, CheckpointPath: path, Every: time.Hour})
	for i := 0; i < n; i++ {
		if err := s.AppendAudit(ctx, "actor", "test.event", "subject", `{"n":"x"}`); err != nil {
			t.Fatal(err)
		}
	}
	if cp, err := s.CheckpointAudit(ctx); err != nil || cp.Seq != int64(n) {
		t.Fatalf("checkpoint: %+v %v", cp, err)
	}
	return key, path
}

func wantBreak(t *testing.T, s *store.Store, what string) *audit.Break {
	t.Helper()
	brk, _, err := s.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if brk == nil {
		t.Fatalf("%s: the trail verifies as intact", what)
	}
	return brk
}

// With the triggers dropped, someone with rights over the database (but
// not the data directory) deletes the last entries, deletes every entry,
// or edits an entry and recomputes the chain: each is reported.
func TestAuditTamperingIsDetected(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		keyedTrail(t, s, 10)
		// Positive control: untouched, and with entries after the
		// checkpoint, it verifies.
		if err := s.AppendAudit(ctx, "actor", "test.event", "subject", "{}"); err != nil {
			t.Fatal(err)
		}
		if brk, n, err := s.VerifyAudit(ctx); err != nil || brk != nil || n != 11 {
			t.Fatalf("untouched trail: %+v, %d, %v", brk, n, err)
		}
		dropAuditGuards(t, s)
		if _, err := s.WriteDB().ExecContext(ctx, "DELETE FROM audit_log WHERE seq >= 9"); err != nil {
			t.Fatal(err)
		}
		if brk := wantBreak(t, s, "last three entries deleted"); brk.Seq != 9 || !strings.Contains(brk.Reason, "missing") {
			t.Errorf("last entries deleted: %+v", brk)
		}
		// A checkpoint is never written over a trail that was cut short:
		// the evidence stays.
		if _, err := s.CheckpointAudit(ctx); err == nil {
			t.Error("a checkpoint was signed over the truncated trail")
		}
		if _, err := s.WriteDB().ExecContext(ctx, "DELETE FROM audit_log"); err != nil {
			t.Fatal(err)
		}
		if brk := wantBreak(t, s, "every entry deleted"); brk.Seq != 1 {
			t.Errorf("all entries deleted: %+v", brk)
		}
	})
}

// Editing an entry and recomputing every hash after it, as one could with
// the plain SHA-256 chain, no longer verifies: without the key the HMACs
// cannot be made.
func TestAuditRecomputedChainIsDetected(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		keyedTrail(t, s, 10)
		dropAuditGuards(t, s)
		recomputeFrom(t, s, 4, "edited subject")
		brk := wantBreak(t, s, "entry 4 edited and the chain recomputed")
		if brk.Seq != 4 {
			t.Errorf("recomputed chain: break %+v, want at entry 4", brk)
		}
	})
}

// recomputeFrom edits entry seq's subject and recomputes the plain
// SHA-256 chain from it on, as someone without the key would.
func recomputeFrom(t *testing.T, s *store.Store, seq int64, subject string) {
	t.Helper()
	rows, err := s.WriteDB().QueryContext(ctx, "SELECT seq, at, actor_id, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	var es []audit.Entry
	for rows.Next() {
		var e audit.Entry
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.Action, &e.Subject, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	rows.Close()
	prev := audit.GenesisHash
	for _, e := range es {
		if e.Seq >= seq {
			if e.Seq == seq {
				e.Subject = subject
			}
			e.PrevHash = prev
			e.Hash = audit.ComputeHash(e)
			q := "UPDATE audit_log SET subject = ?, prev_hash = ?, hash = ? WHERE seq = ?"
			if s.Dialect() == dialect.Postgres {
				q = "UPDATE audit_log SET subject = $1, prev_hash = $2, hash = $3 WHERE seq = $4"
			}
			if _, err := s.WriteDB().ExecContext(ctx, q, e.Subject, e.PrevHash, e.Hash, e.Seq); err != nil {
				t.Fatal(err)
			}
		}
		prev = e.Hash
	}
}

// A trail written before it had a key keeps verifying: the key file says
// from which entry on entries are keyed. Rewriting the older part and
// recomputing its plain chain is still caught, at the first keyed entry,
// whose HMAC covers the last older hash.
func TestAuditEntriesFromBeforeTheKeyStayVerifiable(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for i := 0; i < 5; i++ { // an older release: no key
			if err := s.AppendAudit(ctx, "actor", "old.event", "subject", "{}"); err != nil {
				t.Fatal(err)
			}
		}
		keyPath := filepath.Join(t.TempDir(), "audit-key.txt")
		key, err := audit.LoadOrCreateKey(keyPath, func() (int64, error) { return s.AuditNextSeq(ctx) })
		if err != nil || key.From != 6 {
			t.Fatalf("key: from %d, %v; want from 6", key.From, err)
		}
		s.SetAuditTrust(store.AuditTrust{Key: key, CheckpointPath: filepath.Join(t.TempDir(), "cp.json"), Every: time.Hour})
		for i := 0; i < 5; i++ {
			if err := s.AppendAudit(ctx, "actor", "new.event", "subject", "{}"); err != nil {
				t.Fatal(err)
			}
		}
		if brk, n, err := s.VerifyAudit(ctx); err != nil || brk != nil || n != 10 {
			t.Fatalf("mixed trail: %+v, %d, %v", brk, n, err)
		}
		// The key file read back is the same key.
		again, err := audit.LoadKey(keyPath)
		if err != nil || again.From != 6 || again.Hash(audit.Entry{Seq: 7}) != key.Hash(audit.Entry{Seq: 7}) {
			t.Fatalf("key file read back: %+v, %v", again, err)
		}
		dropAuditGuards(t, s)
		recomputeFrom(t, s, 2, "edited")
		if brk := wantBreak(t, s, "an older entry edited and the chain recomputed"); brk.Seq != 6 {
			t.Errorf("older part rewritten: break %+v, want at the first keyed entry, 6", brk)
		}
	})
}

// The checkpoint file is signed: one written without the key is refused.
func TestAuditForgedCheckpointIsRefused(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		_, path := keyedTrail(t, s, 3)
		other := audit.NewKey([]byte(strings.Repeat("k", 32)), 1)
		if err := audit.WriteCheckpoint(path, other.Sign(audit.Checkpoint{Seq: 3, Head: "x", At: time.Now()})); err != nil {
			t.Fatal(err)
		}
		if brk := wantBreak(t, s, "a forged checkpoint"); !strings.Contains(brk.Reason, "signature") {
			t.Errorf("forged checkpoint: %+v", brk)
		}
	})
}

// An append anchors the head by itself when the last checkpoint is due:
// the checkpoint file and the Written callback (the log) get it.
func TestAuditCheckpointAfterAppend(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		key := audit.NewKey([]byte(strings.Repeat("s", 32)), 1)
		path := filepath.Join(t.TempDir(), "audit-checkpoint.json")
		written := make(chan audit.Checkpoint, 4)
		s.SetAuditTrust(store.AuditTrust{Key: key, CheckpointPath: path, Every: time.Hour,
			Written: func(cp audit.Checkpoint, err error) {
				if err != nil {
					t.Error(err)
				}
				written <- cp
			}})
		if err := s.AppendAudit(ctx, "actor", "test.event", "subject", "{}"); err != nil {
			t.Fatal(err)
		}
		select {
		case cp := <-written:
			onDisk, err := audit.ReadCheckpoint(path)
			if cp.Seq != 1 || err != nil || onDisk == nil || *onDisk != cp || !key.Signed(cp) {
				t.Fatalf("checkpoint after the first append: %+v, on disk %+v, %v", cp, onDisk, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no checkpoint after the first append")
		}
		// Not due again within Every: the next append writes none.
		if err := s.AppendAudit(ctx, "actor", "test.event", "subject", "{}"); err != nil {
			t.Fatal(err)
		}
		select {
		case cp := <-written:
			t.Fatalf("a second checkpoint within the interval: %+v", cp)
		case <-time.After(200 * time.Millisecond):
		}
	})
}
