package app

import "github.com/hearme-project/hearme/internal/jobs"

// mailJobs are the outbox's jobs: sending queued email.
func mailJobs(d JobDeps) []jobs.Job { return nil }
