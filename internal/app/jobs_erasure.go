package app

import (
	"context"
	"time"

	"github.com/hearme-project/hearme/internal/jobs"
)

// erasureJobs: after a withdrawal or any retention deletion, clear what
// the deleted rows left in the database files (store.EraseLeftovers):
// within minutes, and doing nothing when nothing was deleted.
func erasureJobs(d JobDeps) []jobs.Job {
	return []jobs.Job{{Name: "erase-leftovers", Every: 5 * time.Minute, Run: func(ctx context.Context) error {
		did, err := d.Store.EraseLeftovers(ctx)
		if did {
			d.Log.Info("deleted records cleared from the database files")
		}
		return err
	}}}
}
