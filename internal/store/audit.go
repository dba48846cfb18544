package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hearme-project/hearme/internal/audit"
)

// AuditTrust is what keeps the audit trail honest from outside the
// database: the chain's key, and the checkpoint file that anchors its
// head (both in the data directory, not in the database).
type AuditTrust struct {
	Key *audit.Key
	// CheckpointPath is the checkpoint file; empty, no checkpoints.
	CheckpointPath string
	// Every is the least time between two checkpoints written after
	// appends (the scheduled job writes them too). Default one minute.
	Every time.Duration
	// Written is told of each checkpoint written after an append (for
	// the log), or of the error.
	Written func(audit.Checkpoint, error)
}

// auditTrust is the store's copy, with the state of the checkpoints
// written after appends.
type auditTrust struct {
	AuditTrust
	appended atomic.Bool // an entry was appended since the last checkpoint
	running  atomic.Bool
	wg       sync.WaitGroup // the checkpoint being written, for Close
	mu       sync.Mutex     // one checkpoint at a time in this process
	last     atomic.Int64
}

// SetAuditTrust keys the chain from now on and anchors it; without it,
// entries carry the plain SHA-256 and nothing is anchored (tests).
func (s *Store) SetAuditTrust(t AuditTrust) {
	if t.Every <= 0 {
		t.Every = time.Minute
	}
	s.trail.AuditTrust = t
}

// AuditNextSeq is the sequence number the next entry will take.
func (s *Store) AuditNextSeq(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	if err := s.conns.Write.QueryRowContext(ctx, "SELECT MAX(seq) FROM audit_log").Scan(&n); err != nil {
		return 0, err
	}
	return n.Int64 + 1, nil
}

// AppendAudit adds an entry to the trail inside its own transaction.
func (s *Store) AppendAudit(ctx context.Context, actorID, action, subject, detail string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return s.appendAudit(ctx, tx, actorID, action, subject, detail)
	})
}

// auditLockKey names the advisory lock that orders audit appends.
const auditLockKey = 0x6175646974 // "audit"

// appendAudit adds an entry inside an existing write transaction, so an
// audited change and its record commit or fail together. Appends are
// serialised (see dialect.TxLock) so each reads the true previous hash;
// seq is the primary key, so two can never share a number.
func (s *Store) appendAudit(ctx context.Context, tx *sql.Tx, actorID, action, subject, detail string) error {
	if detail == "" {
		detail = "{}"
	}
	e := audit.Entry{At: audit.Normalise(s.now()), ActorID: actorID, Action: action, Subject: subject, Detail: detail, PrevHash: audit.GenesisHash}
	if lock := s.d.TxLock(auditLockKey); lock != "" {
		if _, err := tx.ExecContext(ctx, lock); err != nil {
			return fmt.Errorf("audit lock: %w", err)
		}
	}
	err := tx.QueryRowContext(ctx, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").Scan(&e.Seq, &e.PrevHash)
	if err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("audit head: %w", err)
	}
	e.Seq++
	e.Hash = s.trail.Key.Hash(e)
	s.trail.appended.Store(true)
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO audit_log (seq, at, actor_id, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		e.Seq, e.At, e.ActorID, e.Action, e.Subject, e.Detail, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

// VerifyAudit walks the whole trail in order and returns the first
// broken link (nil when intact) and how many entries were checked. With
// a key, entries from its From on must carry their HMAC; with a
// checkpoint file, the trail must still hold the entry it anchors, with
// the same hash (deleting the last entries, or all of them, or
// recomputing the chain after an edit, leaves a chain that links but
// does not reach the anchor).
func (s *Store) VerifyAudit(ctx context.Context) (*audit.Break, int64, error) {
	var cp *audit.Checkpoint
	if path := s.trail.CheckpointPath; path != "" {
		var err error
		if cp, err = audit.ReadCheckpoint(path); err != nil {
			return nil, 0, err
		}
		if cp != nil && (s.trail.Key == nil || !s.trail.Key.Signed(*cp)) {
			return &audit.Break{Seq: cp.Seq, Reason: "the checkpoint file's signature is not right (it was not written with this trail's key)"}, 0, nil
		}
	}
	brk, n, last, err := s.walkAudit(ctx, 0, "", cp)
	if brk != nil || err != nil || cp == nil {
		return brk, n, err
	}
	if last.Seq < cp.Seq {
		return &audit.Break{Seq: last.Seq + 1, Reason: fmt.Sprintf("entries are missing: the trail ends at entry %d, but the checkpoint of %s recorded entry %d",
			last.Seq, cp.At.Format(time.RFC3339), cp.Seq)}, n, nil
	}
	return nil, n, nil
}

// walkAudit checks the links of the entries after seq from (whose hash is
// fromHash; 0 for the whole trail) and, when cp is given, that entry
// cp.Seq carries cp.Head. It returns the last entry seen.
func (s *Store) walkAudit(ctx context.Context, from int64, fromHash string, cp *audit.Checkpoint) (*audit.Break, int64, audit.Entry, error) {
	var last audit.Entry
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT seq, at, actor_id, action, subject, detail, prev_hash, hash FROM audit_log WHERE seq > ? ORDER BY seq"), from)
	if err != nil {
		return nil, 0, last, err
	}
	defer rows.Close()
	v := audit.NewKeyedVerifier(s.trail.Key)
	if from > 0 {
		v = v.After(from, fromHash)
	}
	for rows.Next() {
		var e audit.Entry
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.Action, &e.Subject, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, v.Checked, last, err
		}
		if b := v.Next(e); b != nil {
			return b, v.Checked, last, nil
		}
		if cp != nil && e.Seq == cp.Seq && e.Hash != cp.Head {
			return &audit.Break{Seq: e.Seq, Reason: fmt.Sprintf("entry %d is not the one the checkpoint of %s recorded: the trail was rewritten",
				e.Seq, cp.At.Format(time.RFC3339))}, v.Checked, last, nil
		}
		last = e
	}
	return nil, v.Checked, last, rows.Err()
}

// ErrAuditDiverged is returned by CheckpointAudit when the trail no
// longer extends the last checkpoint: the old checkpoint is kept, as the
// evidence, and nothing newer is signed.
var ErrAuditDiverged = errors.New("the audit trail does not extend its last checkpoint")

// CheckpointAudit signs the trail's head and writes it to the checkpoint
// file, after checking that the trail still holds the last checkpoint's
// entry and that every entry since links to it (so a checkpoint never
// certifies a trail that was cut short or rewritten).
func (s *Store) CheckpointAudit(ctx context.Context) (audit.Checkpoint, error) {
	t := &s.trail
	if t.Key == nil || t.CheckpointPath == "" {
		return audit.Checkpoint{}, errors.New("audit checkpoints need the audit key and a checkpoint file")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.appended.Store(false)
	prev, err := audit.ReadCheckpoint(t.CheckpointPath)
	if err != nil {
		return audit.Checkpoint{}, err
	}
	var from int64
	var fromHash string
	if prev != nil {
		if !t.Key.Signed(*prev) {
			return audit.Checkpoint{}, fmt.Errorf("%w: its signature is not right", ErrAuditDiverged)
		}
		err := s.conns.Read.QueryRowContext(ctx, s.q("SELECT hash FROM audit_log WHERE seq = ?"), prev.Seq).Scan(&fromHash)
		if errors.Is(err, sql.ErrNoRows) || err == nil && fromHash != prev.Head {
			return audit.Checkpoint{}, fmt.Errorf("%w: entry %d is missing or changed", ErrAuditDiverged, prev.Seq)
		}
		if err != nil {
			return audit.Checkpoint{}, err
		}
		from = prev.Seq
	}
	brk, _, last, err := s.walkAudit(ctx, from, fromHash, nil)
	if err != nil {
		return audit.Checkpoint{}, err
	}
	if brk != nil {
		return audit.Checkpoint{}, fmt.Errorf("%w: broken at entry %d: %s", ErrAuditDiverged, brk.Seq, brk.Reason)
	}
	cp := audit.Checkpoint{Seq: from, Head: fromHash, At: s.now()}
	if last.Seq > 0 {
		cp.Seq, cp.Head = last.Seq, last.Hash
	}
	if cp.Seq == 0 {
		cp.Head = audit.GenesisHash
	}
	cp = t.Key.Sign(cp)
	if err := audit.WriteCheckpoint(t.CheckpointPath, cp); err != nil {
		return audit.Checkpoint{}, err
	}
	t.last.Store(time.Now().UnixNano())
	return cp, nil
}

// afterAuditAppend writes a checkpoint, in the background, after a
// transaction that appended to the trail, when the last one is older than
// Every: an entry is anchored within about a minute of being written,
// and a busy trail costs one small file write a minute.
func (s *Store) afterAuditAppend() {
	t := &s.trail
	if !t.appended.Load() || t.Key == nil || t.CheckpointPath == "" {
		return
	}
	if time.Since(time.Unix(0, t.last.Load())) < t.Every || !t.running.CompareAndSwap(false, true) {
		return
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		defer t.running.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cp, err := s.CheckpointAudit(ctx)
		if t.Written != nil {
			t.Written(cp, err)
		}
	}()
}

// RecentAudit returns the newest entries, newest first.
func (s *Store) RecentAudit(ctx context.Context, limit int) ([]audit.Entry, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT seq, at, actor_id, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY seq DESC LIMIT ?"), limit)
	return collect(rows, err, func(row rowScanner) (audit.Entry, error) {
		var e audit.Entry
		err := row.Scan(&e.Seq, &e.At, &e.ActorID, &e.Action, &e.Subject, &e.Detail, &e.PrevHash, &e.Hash)
		return e, err
	})
}
