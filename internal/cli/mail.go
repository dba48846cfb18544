package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	netmail "net/mail"
	"path/filepath"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web"
)

const mailUsage = "hearme mail test ADDRESS [--lang en] [--queue-only] | hearme mail send | hearme mail status"

// runMail checks and drives the outbox: queue a test email (and send it
// at once, to check the SMTP settings), send what is due, or count the
// outbox by state with the messages given up.
func runMail(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, mailUsage)
	}
	action, rest := args[0], args[1:]
	var to string
	if action == "test" {
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			return fmt.Errorf("%w: hearme mail test ADDRESS", errUsage)
		}
		to, rest = rest[0], rest[1:]
		if _, err := netmail.ParseAddress(to); err != nil {
			return fmt.Errorf("%w: %q is not an email address", errUsage, to)
		}
	} else if action != "send" && action != "status" {
		return fmt.Errorf("%w: %s", errUsage, mailUsage)
	}
	var lang string
	var queueOnly bool
	cfg, _, err := loadConfig(env, "mail "+action, rest, func(fs *flag.FlagSet) {
		if action == "test" {
			fs.StringVar(&lang, "lang", "en", "the language of the test email")
			fs.BoolVar(&queueOnly, "queue-only", false, "only queue the email, for a running server to send")
		}
	})
	if err != nil {
		return err
	}
	log := logger(env, cfg)
	st, err := app.OpenStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := sealed.LoadOrCreate(cfg.KeyPath())
	if err != nil {
		return err
	}
	switch action {
	case "test":
		if err := queueTestMail(ctx, cfg, st, keys, lang, to); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "test email queued for %s\n", to)
		if queueOnly {
			return nil
		}
		return sendMail(ctx, env, cfg, st, keys)
	case "send":
		return sendMail(ctx, env, cfg, st, keys)
	}
	return printMailStatus(ctx, env, cfg, st)
}

func queueTestMail(ctx context.Context, cfg config.Config, st *store.Store, keys *sealed.Keyring, lang, to string) error {
	cat, err := web.Catalogue()
	if err != nil {
		return err
	}
	if !cat.Has(lang) {
		return fmt.Errorf("%w: no translations for language %q", errUsage, lang)
	}
	p, err := st.Programme(ctx)
	if err != nil {
		return err
	}
	site := mail.Site{Name: p.Settings.Name, BaseURL: cfg.PublicURL()}
	if site.Name == "" {
		site.Name = "hearme"
	}
	for _, l := range p.Languages {
		if l.RTL {
			site.RTL = append(site.RTL, l.Code)
		}
	}
	c, err := mail.NewComposer(cat, keys, func() mail.Site { return site })
	if err != nil {
		return err
	}
	q, err := c.Compose(lang, to, "test", nil)
	if err != nil {
		return err
	}
	return st.EnqueueMail(ctx, q)
}

// sendMail sends everything due once, as the server's sender would.
func sendMail(ctx context.Context, env Env, cfg config.Config, st *store.Store, keys *sealed.Keyring) error {
	snd := app.NewMailSender(app.JobDeps{Config: cfg, Store: st, Log: logger(env, cfg), Keys: keys}, nil)
	res, err := snd.RunOnce(ctx)
	if err != nil {
		return err
	}
	where := "accepted by " + cfg.Mail.SMTPHost
	if snd.DevMode() {
		where = "written to " + filepath.Join(cfg.DataDir, "outbox-dev") + " (development mode: no --smtp-host)"
	}
	fmt.Fprintf(env.Stdout, "sent %d (%s), to retry %d, given up %d\n", res.Sent, where, res.Retrying, res.GaveUp)
	if res.Retrying+res.GaveUp > 0 {
		s, err := st.MailStatus(ctx)
		if err == nil && s.LastError != "" {
			fmt.Fprintf(env.Stdout, "last error: %s\n", s.LastError)
		}
		return errors.New("some email could not be sent (see hearme mail status)")
	}
	return nil
}

func printMailStatus(ctx context.Context, env Env, cfg config.Config, st *store.Store) error {
	s, err := st.MailStatus(ctx)
	if err != nil {
		return err
	}
	w := env.Stdout
	fmt.Fprintf(w, "queued  %d", s.Queued)
	if s.Queued > 0 {
		fmt.Fprintf(w, " (%d being retried; oldest queued %s)", s.Retrying, s.Oldest.Format(time.RFC3339))
	}
	fmt.Fprintf(w, "\nfailed  %d\nsent    %d (kept %d days without their contents)\n", s.Failed, s.Sent, int(app.KeepSentMail.Hours()/24))
	if cfg.Mail.SMTPHost == "" {
		fmt.Fprintf(w, "development mode (no --smtp-host): email is written to %s\n", filepath.Join(cfg.DataDir, "outbox-dev"))
	}
	if s.LastError != "" {
		fmt.Fprintf(w, "last error: %s\n", s.LastError)
	}
	failed, err := st.FailedMail(ctx, 50)
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		fmt.Fprintln(w, "\ngiven up (send again from /staff/mail):")
		for _, f := range failed {
			fmt.Fprintf(w, "  %s  %-24s attempts %-3d failed %s  %s\n", f.ID, f.Kind, f.Attempts, f.FailedAt.Format(time.RFC3339), f.LastError)
		}
	}
	return nil
}
