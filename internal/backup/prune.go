package backup

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// scheduledPrefix and scheduledSuffix name the scheduled job's files;
// only those are ever pruned (a backup an operator put there by hand
// under another name is left alone).
const (
	scheduledPrefix = "hearme-backup-"
	scheduledSuffix = ".age"
	scheduledTime   = "20060102T150405Z"
)

// ScheduledName is the file name of a scheduled backup taken at t; names
// sort in time order.
func ScheduledName(t time.Time) string {
	return scheduledPrefix + t.UTC().Format(scheduledTime) + scheduledSuffix
}

// Prune deletes the oldest scheduled backups in dir beyond the newest
// keep, and returns the names deleted.
func Prune(dir string, keep int) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(n, scheduledPrefix) || !strings.HasSuffix(n, scheduledSuffix) {
			continue
		}
		if _, err := time.Parse(scheduledTime, strings.TrimSuffix(strings.TrimPrefix(n, scheduledPrefix), scheduledSuffix)); err != nil {
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names)
	if keep < 1 {
		keep = 1
	}
	var removed []string
	for len(names) > keep {
		if err := os.Remove(filepath.Join(dir, names[0])); err != nil {
			return removed, err
		}
		removed = append(removed, names[0])
		names = names[1:]
	}
	return removed, nil
}
