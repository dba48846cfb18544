package app

import (
	"context"
	"time"

	"github.com/hearme-project/hearme/internal/jobs"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/rights"
)

// rightsJobs remind the data protection officer and the administrators
// of rights requests due within a week and of those overdue.
func rightsJobs(d JobDeps) []jobs.Job {
	return []jobs.Job{{Name: "rights-reminders", Every: time.Hour, Run: func(ctx context.Context) error {
		n, err := SendRightsReminders(ctx, d, time.Now())
		if n > 0 {
			d.Log.Info("rights request reminders written to the outbox", "requests", n)
		}
		return err
	}}}
}

// reminderData is what a rights reminder says: the kind of request and
// its dates, never who asked or what about.
type reminderData struct {
	Overdue             bool
	Kind, Received, Due string
	Days                int
	URL                 string
}

// SendRightsReminders writes, for each open request due within
// rights.DueSoonDays or overdue on today (in the programme's time
// zone), one email to every active administrator and data protection
// officer. Each request is reminded once per stage and due date
// (rights_reminders, written in the transaction that queues the email),
// so a second run, or a second instance, sends nothing more; an
// extension's new due date gets reminders of its own. It returns how
// many requests were reminded of.
func SendRightsReminders(ctx context.Context, d JobDeps, now time.Time) (int, error) {
	prog, err := d.Store.Programme(ctx)
	if err != nil {
		return 0, err
	}
	loc, err := time.LoadLocation(prog.Settings.TimeZone)
	if err != nil || prog.Settings.TimeZone == "" {
		loc = time.UTC
	}
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	open, err := d.Store.OpenRightsRequests(ctx)
	if err != nil || len(open) == 0 {
		return 0, err
	}
	staff, err := d.Store.Protectors(ctx)
	if err != nil || len(staff) == 0 {
		return 0, err
	}
	lang := "en"
	if len(prog.Languages) > 0 {
		lang = prog.Languages[0].Code
	}
	site := mail.Site{Name: prog.Settings.Name, BaseURL: d.Config.PublicURL()}
	composer, err := mail.NewComposer(d.Catalog, d.Keys, func() mail.Site { return site })
	if err != nil {
		return 0, err
	}
	l := d.Catalog.Localizer(lang)
	sent := 0
	for _, r := range open {
		stage, ok := rights.ReminderStage(r, today)
		if !ok {
			continue
		}
		data := reminderData{Overdue: stage == rights.StageOverdue, Kind: l.T("rights.kind_" + string(r.Kind)),
			Received: r.ReceivedOn.Format(time.DateOnly), Due: r.Due().Format(time.DateOnly), Days: r.DaysLeft(today),
			URL: d.Config.PublicURL() + "/staff/rights/" + r.ID}
		if data.Days < 0 {
			data.Days = -data.Days
		}
		var ms []mail.Queued
		for _, u := range staff {
			m, err := composer.Compose(lang, u.Email, "rights_reminder", data)
			if err != nil {
				return sent, err
			}
			ms = append(ms, m)
		}
		done, err := d.Store.RemindRightsRequest(ctx, r.ID, stage, r.Due(), ms...)
		if err != nil {
			return sent, err
		}
		if done {
			sent++
		}
	}
	return sent, nil
}
