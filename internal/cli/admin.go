package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web"
)

// runAdmin manages staff accounts from the command line, for the first
// administrator and for recovery. Changes are audited as "cli".
func runAdmin(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: hearme admin create|reset|disable|enable|list [flags]", errUsage)
	}
	action := args[0]
	var email, name, role, org string
	cfg, _, err := loadConfig(env, "admin "+action, args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the account's email address")
		fs.StringVar(&name, "name", "", "the person's name (create)")
		fs.StringVar(&role, "role", "", "admin, connector, analyst, stakeholder or champion (create)")
		fs.StringVar(&org, "org", "", "organisation slug, for stakeholders (create)")
	})
	if err != nil {
		return err
	}
	st, err := app.OpenStore(ctx, cfg, logger(env, cfg))
	if err != nil {
		return err
	}
	defer st.Close()
	base := cfg.PublicURL()
	link := func(userID string) error {
		token := auth.RandomToken(32)
		if err := st.CreateSetupToken(ctx, auth.HashToken(token), userID, store.PurposeSetPassword, web.SetupLinkTTL); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "One-time set-up link (valid 72 hours):\n  %s/setup/%s\n", base, token)
		return nil
	}
	find := func() (account.User, error) {
		e, err := account.NormaliseEmail(email)
		if err != nil {
			return account.User{}, fmt.Errorf("%w: --email is missing or not an email address", errUsage)
		}
		u, err := st.UserByEmail(ctx, e)
		if errors.Is(err, store.ErrNotFound) {
			return u, fmt.Errorf("no account with that email address")
		}
		return u, err
	}
	switch action {
	case "create":
		n := account.NewUser{Email: email, DisplayName: name, Role: account.Role(role)}
		if org != "" {
			p, err := st.Programme(ctx)
			if err != nil {
				return err
			}
			for _, o := range p.Organisations {
				if o.Slug == org {
					n.OrganisationID = o.ID
				}
			}
			if n.OrganisationID == "" {
				return fmt.Errorf("%w: no organisation with slug %q", errUsage, org)
			}
		}
		if errs := n.Validate(); len(errs) > 0 {
			return fmt.Errorf("%w: --%s: %v", errUsage, errs[0].Field, errs[0].Key)
		}
		u, err := st.CreateUser(ctx, "cli", n)
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("an account with that email address already exists")
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "created %s (%s)\n", u.Email, u.Role)
		return link(u.ID)
	case "reset":
		u, err := find()
		if err != nil {
			return err
		}
		if err := st.ResetSignIn(ctx, "cli", u.ID); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "password and security code cleared for %s; all sessions ended\n", u.Email)
		return link(u.ID)
	case "disable", "enable":
		u, err := find()
		if err != nil {
			return err
		}
		if err := st.SetDisabled(ctx, "cli", u.ID, action == "disable"); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%sd %s\n", action, u.Email)
		return nil
	case "list":
		users, err := st.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tSTATUS")
		for _, u := range users {
			status := "active"
			if u.Disabled {
				status = "disabled"
			} else if !u.HasPassword() {
				status = "not set up"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Email, u.DisplayName, u.Role, status)
		}
		return tw.Flush()
	}
	return fmt.Errorf("%w: unknown admin action %q (create, reset, disable, enable, list)", errUsage, action)
}
