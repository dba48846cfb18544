package app

import (
	"context"
	"fmt"
	"time"

	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/jobs"
	"github.com/hearme-project/hearme/internal/mail"
)

// ReminderFrom is the local hour from which the day-before reminders go
// out, so nobody is emailed in the night.
const ReminderFrom = 9

// eventJobs are the events' jobs: reminders the day before.
func eventJobs(d JobDeps) []jobs.Job {
	return []jobs.Job{{Name: "event-reminders", Every: 15 * time.Minute, MaxRunFor: 10 * time.Minute, Run: func(ctx context.Context) error {
		n, err := SendEventReminders(ctx, d, time.Now())
		if n > 0 {
			d.Log.Info("event reminders written to the outbox", "count", n)
		}
		return err
	}}}
}

// SendEventReminders writes, for every event starting tomorrow (in the
// programme's time zone), a reminder to each confirmed registration
// with an email and consent, in the language they registered in. Each
// registration is reminded once (reminder_sent_at, set in the same
// transaction as the outbox row); before ReminderFrom o'clock it does
// nothing. It returns how many reminders it wrote.
func SendEventReminders(ctx context.Context, d JobDeps, now time.Time) (int, error) {
	prog, err := d.Store.Programme(ctx)
	if err != nil {
		return 0, err
	}
	loc, err := time.LoadLocation(prog.Settings.TimeZone)
	if err != nil || prog.Settings.TimeZone == "" {
		loc = time.UTC
	}
	local := now.In(loc)
	if local.Hour() < ReminderFrom {
		return 0, nil
	}
	from := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, loc)
	to := time.Date(local.Year(), local.Month(), local.Day()+2, 0, 0, 0, 0, loc)
	site := mail.Site{Name: prog.Settings.Name, BaseURL: d.Config.PublicURL()}
	for _, l := range prog.Languages {
		if l.RTL {
			site.RTL = append(site.RTL, l.Code)
		}
	}
	composer, err := mail.NewComposer(d.Catalog, d.Keys, func() mail.Site { return site })
	if err != nil {
		return 0, err
	}
	m := event.Mailer{Compose: composer.Compose, Keys: d.Keys, CancelKey: d.Keys.Derive("registration-cancel"), BaseURL: d.Config.PublicURL(), Loc: loc,
		T: func(lang, key string, pairs ...any) string { return d.Catalog.Localizer(lang).T(key, pairs...) }}
	events := map[string]*event.Event{}
	sent := 0
	for {
		due, err := d.Store.DueReminders(ctx, from, to, 200)
		if err != nil || len(due) == 0 {
			return sent, err
		}
		progress := false
		for _, r := range due {
			e, ok := events[r.EventID]
			if !ok {
				if e, err = d.Store.Event(ctx, r.EventID); err != nil {
					return sent, fmt.Errorf("event %s: %w", r.EventID, err)
				}
				events[r.EventID] = e
			}
			done, err := d.Store.MarkReminded(ctx, r, m.For(e))
			if err != nil {
				return sent, err
			}
			if done {
				sent++
				progress = true
			}
		}
		if !progress {
			return sent, nil
		}
	}
}
