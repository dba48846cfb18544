package app

import "github.com/hearme-project/hearme/internal/jobs"

// eventJobs are the events' jobs: reminders the day before.
func eventJobs(d JobDeps) []jobs.Job { return nil }
