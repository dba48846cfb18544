package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/jobs"
	"github.com/hearme-project/hearme/internal/store"
)

// AuditCheckpointEvery is how often the scheduled job anchors the audit
// trail's head; appends also anchor it, at most once a minute.
const AuditCheckpointEvery = 10 * time.Minute

// UseAuditTrust keys the audit trail and anchors its head outside the
// database: the key file (created at first start, keying every entry
// from the next one on, so older entries stay verifiable as they are)
// and the checkpoint file. With create false (hearme audit verify) a
// missing key is not made: the trail is checked as one without a key.
func UseAuditTrust(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger, create bool) error {
	var key *audit.Key
	var err error
	if create {
		key, err = audit.LoadOrCreateKey(cfg.AuditKeyPath(), func() (int64, error) { return st.AuditNextSeq(ctx) })
	} else {
		key, err = audit.LoadKey(cfg.AuditKeyPath())
		if errors.Is(err, os.ErrNotExist) {
			log.Warn("no audit key: the trail is checked as one written without a key", "path", cfg.AuditKeyPath())
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("audit key: %w", err)
	}
	st.SetAuditTrust(store.AuditTrust{Key: key, CheckpointPath: cfg.AuditCheckpointPath(),
		Written: func(cp audit.Checkpoint, err error) { logCheckpoint(log, cp, err) }})
	return nil
}

// logCheckpoint writes a checkpoint to the log too: a second copy of
// the anchor, outside the data directory when logs are shipped.
func logCheckpoint(log *slog.Logger, cp audit.Checkpoint, err error) {
	if err != nil {
		log.Error("audit checkpoint refused", "err", err.Error())
		return
	}
	log.Info("audit checkpoint", "seq", cp.Seq, "head", cp.Head, "at", cp.At.Format(time.RFC3339Nano), "mac", cp.MAC)
}

// auditJobs anchors the trail on a schedule (an instance that only
// appended through a path without the after-append checkpoint, or a
// command such as hearme admin, is caught up here).
func auditJobs(d JobDeps) []jobs.Job {
	return []jobs.Job{{Name: "audit-checkpoint", Every: AuditCheckpointEvery, Run: func(ctx context.Context) error {
		cp, err := d.Store.CheckpointAudit(ctx)
		logCheckpoint(d.Log, cp, err)
		return err
	}}}
}
