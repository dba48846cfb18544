package app

import (
	"context"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hearme-project/hearme/internal/jobs"
	"github.com/hearme-project/hearme/internal/mail"
)

// MailEvery is how often the server's mail sender looks at the outbox:
// an email goes within a few seconds of the change that caused it. The
// job runner's one-minute tick is too slow for that, so the sender has
// its own loop (started by Serve).
const MailEvery = 2 * time.Second

// Sent messages (kind and times only) and given-up messages (still
// sealed, so that staff can send them again) are deleted this long after.
const (
	KeepSentMail   = 30 * 24 * time.Hour
	KeepFailedMail = 30 * 24 * time.Hour
)

// NewMailSender builds the outbox's sender from the configuration: SMTP
// when a host is set, otherwise development mode writing to
// <data>/outbox-dev. metrics may be nil.
func NewMailSender(d JobDeps, metrics *mail.Metrics) *mail.Sender {
	m := d.Config.Mail
	return mail.NewSender(mail.SenderConfig{
		Host: m.SMTPHost, Port: m.SMTPPort, Username: m.Username, Password: m.Password,
		From: m.From, TLS: m.TLS,
		DevDir: filepath.Join(d.Config.DataDir, "outbox-dev"),
	}, d.Store, d.Keys, d.Log, metrics)
}

// mailJobs are the outbox's scheduled jobs: the clean-up. (Sending has
// its own loop, see MailEvery; `hearme mail send` sends once.)
func mailJobs(d JobDeps) []jobs.Job {
	return []jobs.Job{
		{Name: "mail-clean-up", Every: time.Hour, Run: func(ctx context.Context) error {
			now := time.Now()
			n, err := d.Store.PurgeMail(ctx, now.Add(-KeepSentMail), now.Add(-KeepFailedMail))
			if n > 0 {
				d.Log.Info("mail: old outbox rows deleted", "count", n)
			}
			return err
		}},
	}
}

// newMailSenderLoop builds the server's sender with its metrics: the
// hearme_mail_* counters and a gauge of the outbox by state, read at
// each scrape.
func newMailSenderLoop(d JobDeps, reg *prometheus.Registry) *mail.Sender {
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hearme_mail_outbox_failed", Help: "Email given up and waiting for staff (/staff/mail)."},
		mailGauge(d, func(s mail.Status) int { return s.Failed })))
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hearme_mail_outbox_queued", Help: "Email waiting to be sent, including retries."},
		mailGauge(d, func(s mail.Status) int { return s.Queued })))
	return NewMailSender(d, mail.NewMetrics(reg))
}

func mailGauge(d JobDeps, pick func(mail.Status) int) func() float64 {
	return func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		st, err := d.Store.MailStatus(ctx)
		if err != nil {
			return -1
		}
		return float64(pick(st))
	}
}
