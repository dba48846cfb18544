package app

import (
	"context"
	"time"

	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/jobs"
	"github.com/hearme-project/hearme/internal/mail"
)

// accountabilityJobs remind stakeholder organisations of answers and
// progress updates due soon or overdue.
func accountabilityJobs(d JobDeps) []jobs.Job {
	return []jobs.Job{{Name: "accountability-reminders", Every: time.Hour, Run: func(ctx context.Context) error {
		n, err := SendAccountabilityReminders(ctx, d, time.Now())
		if n > 0 {
			d.Log.Info("accountability reminders written to the outbox", "reminders", n)
		}
		return err
	}}}
}

// Kinds of accountability reminder (accountability_reminders.kind).
const (
	ReminderResponseDue     = "response-due"
	ReminderResponseOverdue = "response-overdue"
	ReminderUpdateDue       = "update-due"
	ReminderUpdateOverdue   = "update-overdue"
)

// accountabilityReminder is what a reminder says: the recommendation or
// commitment by reference, its deadline and where to answer.
type accountabilityReminder struct {
	Kind, Reference, Title, Due, URL string
}

// reminderKind says which reminder, if any, a deadline calls for today:
// the "due" one from policy.RemindBefore working days before it, the
// "overdue" one after it.
func reminderKind(p accountability.Policy, due, today time.Time, dueKind, overdueKind string) (string, bool) {
	switch {
	case today.After(due):
		return overdueKind, true
	case !today.Before(p.RemindFrom(due)):
		return dueKind, true
	}
	return "", false
}

// SendAccountabilityReminders writes reminders to the outbox, to every
// active stakeholder account of the organisation concerned: for each
// published recommendation an organisation has not answered, when its
// answer is due within the policy's RemindBefore working days and again
// when it is overdue; for each open commitment, the same for its next
// progress update (due UpdateDays working days after the last one, and
// never after the commitment's own due date). Each reminder is sent
// once per subject, kind and deadline (accountability_reminders, in the
// transaction that queues the emails), so a second run or a second
// instance sends nothing more, and an update that moves the deadline
// gets reminders of its own. Before ReminderFrom o'clock (programme time)
// it does nothing. It returns how many reminders it wrote.
func SendAccountabilityReminders(ctx context.Context, d JobDeps, now time.Time) (int, error) {
	policy, err := accountability.PolicyFrom(d.Config.ResponseWorkingDays, d.Config.UpdateWorkingDays, d.Config.CommitmentStatuses)
	if err != nil {
		return 0, err
	}
	prog, err := d.Store.Programme(ctx)
	if err != nil {
		return 0, err
	}
	loc, err := time.LoadLocation(prog.Settings.TimeZone)
	if err != nil || prog.Settings.TimeZone == "" {
		loc = time.UTC
	}
	if now.In(loc).Hour() < ReminderFrom {
		return 0, nil
	}
	today := accountability.Day(now, loc)
	rep, err := d.Store.Report(ctx)
	if err != nil || len(rep.Recommendations) == 0 {
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
	emails := map[string][]string{}
	recipients := func(org string) ([]string, error) {
		if list, ok := emails[org]; ok {
			return list, nil
		}
		list, err := d.Store.StakeholderEmails(ctx, org)
		emails[org] = list
		return list, err
	}
	sent := 0
	send := func(org, subject, kind string, due time.Time, data accountabilityReminder) error {
		to, err := recipients(org)
		if err != nil || len(to) == 0 {
			return err // nobody to tell yet: reminded once an account exists
		}
		data.Kind, data.Due = kind, due.Format(time.DateOnly)
		var ms []mail.Queued
		for _, addr := range to {
			m, err := composer.Compose(lang, addr, "accountability_reminder", data)
			if err != nil {
				return err
			}
			ms = append(ms, m)
		}
		done, err := d.Store.SendReminder(ctx, subject, kind, due, ms...)
		if done {
			sent++
		}
		return err
	}
	titles, refs := map[string]string{}, map[string]string{}
	for _, r := range rep.Recommendations {
		titles[r.ID], refs[r.ID] = r.Title, r.Reference
	}
	for _, a := range rep.Answers(policy, today, loc) {
		if a.Response != nil {
			continue
		}
		kind, ok := reminderKind(policy, a.Due, today, ReminderResponseDue, ReminderResponseOverdue)
		if !ok {
			continue
		}
		data := accountabilityReminder{Reference: refs[a.RecommendationID], Title: titles[a.RecommendationID],
			URL: d.Config.PublicURL() + "/staff/commitments/r/" + refs[a.RecommendationID]}
		if err := send(a.Organisation, a.RecommendationID+"/"+a.Organisation, kind, a.Due, data); err != nil {
			return sent, err
		}
	}
	for _, c := range rep.Commitments {
		if c.Kind.Closed() {
			continue
		}
		next := policy.NextUpdateDue(c)
		kind, ok := reminderKind(policy, next, today, ReminderUpdateDue, ReminderUpdateOverdue)
		if !ok {
			continue
		}
		data := accountabilityReminder{Reference: c.Reference, Title: titles[c.RecommendationID], URL: d.Config.PublicURL() + "/staff/commitments/c/" + c.Reference}
		if err := send(c.Organisation, c.ID, kind, next, data); err != nil {
			return sent, err
		}
	}
	return sent, nil
}
