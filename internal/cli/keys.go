package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
)

// sessionsOutlive is how long after a rotation finishes a web session
// (a resident's draft lasts at most a day, a staff session its
// configured lifetime) may still hold a value sealed with the old key:
// `hearme keys retire` waits that long unless told not to.
func sessionsOutlive(cfg config.Config) time.Duration {
	return max(24*time.Hour, cfg.SessionLifetime)
}

// runKeys rotates the keyring's keys (docs/keys.md):
//
//	hearme keys status        which keys seal what, and what may be retired
//	hearme keys rotate        add a key and seal every value again with it (resumes an interrupted one;
//	                          promotes a key staged with --stage)
//	hearme keys retire [ID]   remove keys no value needs any more
func runKeys(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: hearme keys status | rotate [--stage] [--batch N] [--pause D] [--ratio R] | retire [KEYID...] [--now]", errUsage)
	}
	switch args[0] {
	case "status":
		return keysStatus(ctx, env, args[1:])
	case "rotate":
		return keysRotate(ctx, env, args[1:])
	case "retire":
		return keysRetire(ctx, env, args[1:])
	}
	return fmt.Errorf("%w: unknown keys command %q (status, rotate, retire)", errUsage, args[0])
}

// openForKeys opens and migrates the store, with the audit key (rotation
// is audited) and the keyring file, which must already exist: a rotation
// never makes a first keyring.
func openForKeys(ctx context.Context, env Env, cfg config.Config) (*store.Store, *sealed.Keyring, error) {
	if _, err := os.Stat(cfg.KeyPath()); err != nil {
		return nil, nil, fmt.Errorf("no keyring at %s (start hearme once, or restore your copy, first): %w", cfg.KeyPath(), err)
	}
	keys, err := sealed.LoadOrCreate(cfg.KeyPath())
	if err != nil {
		return nil, nil, err
	}
	st, err := store.Open(ctx, cfg.DatabaseDSN())
	if err != nil {
		return nil, nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, nil, err
	}
	if err := app.UseAuditTrust(ctx, cfg, st, logger(env, cfg), true); err != nil {
		st.Close()
		return nil, nil, err
	}
	st.UseKeys(keys)
	return st, keys, nil
}

func keysStatus(ctx context.Context, env Env, args []string) error {
	cfg, _, err := loadConfig(env, "keys status", args, nil)
	if err != nil {
		return err
	}
	st, keys, err := openForKeys(ctx, env, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	return printKeyStatus(ctx, env, cfg, st, keys)
}

func printKeyStatus(ctx context.Context, env Env, cfg config.Config, st *store.Store, keys *sealed.Keyring) error {
	active := keys.Active()
	fmt.Fprintf(env.Stdout, "keyring %s: %d key(s); %s seals new values\n", cfg.KeyPath(), len(keys.IDs()), active)
	for _, id := range keys.IDs() {
		n, err := st.SealedUnder(ctx, id)
		if err != nil {
			return err
		}
		role := "older"
		switch id {
		case active:
			role = "active"
		case keys.Staged():
			role = "staged"
		}
		fmt.Fprintf(env.Stdout, "  %-12s %-6s %d sealed value(s)\n", id, role, n)
	}
	left, err := st.SealedNotUnder(ctx, active)
	if err != nil {
		return err
	}
	r, err := st.LastRotation(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if left > 0 {
			fmt.Fprintf(env.Stdout, "%d value(s) are under older keys and no rotation is recorded: run `hearme keys rotate` to move them to %s\n", left, active)
		} else {
			fmt.Fprintln(env.Stdout, "no rotation recorded")
		}
		return nil
	case err != nil:
		return err
	}
	if r.FinishedAt == nil || left > 0 {
		fmt.Fprintf(env.Stdout, "rotation to %s started %s, NOT FINISHED: %d value(s) sealed again so far, %d still under older keys.\n", r.ToKey, r.StartedAt.Format(time.RFC3339), r.Resealed, left)
		fmt.Fprintln(env.Stdout, "Everything stays readable meanwhile (the keyring holds both keys). Run `hearme keys rotate` to carry on.")
		return nil
	}
	retireAfter := r.FinishedAt.Add(sessionsOutlive(cfg))
	fmt.Fprintf(env.Stdout, "rotation to %s finished %s: %d value(s) sealed again\n", r.ToKey, r.FinishedAt.Format(time.RFC3339), r.Resealed)
	if staged := keys.Staged(); staged != "" {
		fmt.Fprintf(env.Stdout, "%s is staged: once every instance has this keyring, `hearme keys rotate` starts sealing with it\n", staged)
	}
	var unused []string
	for _, id := range keys.IDs() {
		if id == active || id == keys.Staged() {
			continue
		}
		if n, err := st.SealedUnder(ctx, id); err != nil {
			return err
		} else if n == 0 {
			unused = append(unused, id)
		}
	}
	if len(unused) == 0 {
		fmt.Fprintln(env.Stdout, "no older key to retire")
		return nil
	}
	if time.Now().Before(retireAfter) {
		fmt.Fprintf(env.Stdout, "%s can be retired from %s (web sessions started before the rotation may still hold values sealed with it): `hearme keys retire`\n", strings.Join(unused, ", "), retireAfter.Format(time.RFC3339))
	} else {
		fmt.Fprintf(env.Stdout, "%s can be retired now: `hearme keys retire`\n", strings.Join(unused, ", "))
	}
	return nil
}

func keysRotate(ctx context.Context, env Env, args []string) error {
	var batch int
	var pause time.Duration
	var ratio float64
	var stage bool
	cfg, _, err := loadConfig(env, "keys rotate", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&stage, "stage", false, "only add the new key, not sealing with it yet: copy the keyring to every instance, then run `hearme keys rotate` (several instances with copies of the keyring, docs/keys.md)")
		fs.IntVar(&batch, "batch", 200, "most rows sealed again per transaction (fewer while transactions are slow)")
		fs.DurationVar(&pause, "pause", -1, "wait at least this long after each batch, to leave the database to the server (default: 30ms on SQLite, 5ms on PostgreSQL)")
		fs.Float64Var(&ratio, "ratio", 1, "and at least this many times as long as the batch took")
	})
	if err != nil {
		return err
	}
	if batch < 1 || batch > 10000 {
		return fmt.Errorf("%w: --batch must be 1 to 10000", errUsage)
	}
	if ratio < 0 || ratio > 100 {
		return fmt.Errorf("%w: --ratio must be 0 to 100", errUsage)
	}
	st, keys, err := openForKeys(ctx, env, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	pace := st.DefaultResealPace()
	pace.Batch, pace.Ratio = batch, ratio
	if pause >= 0 {
		pace.Pause = pause
	}
	holder := fmt.Sprintf("keys-rotate-%d", os.Getpid())
	if ok, err := st.AcquireJobLock(ctx, "keys-rotate", holder, time.Hour); err != nil {
		return err
	} else if !ok {
		return errors.New("another `hearme keys rotate` is running (its lease ends within the hour if it died)")
	}
	defer st.ReleaseJobLock(context.WithoutCancel(ctx), "keys-rotate", holder)

	// Resume a rotation that values are still moving in; otherwise add a
	// key and start one.
	left, err := st.SealedNotUnder(ctx, keys.Active())
	if err != nil {
		return err
	}
	last, lerr := st.LastRotation(ctx)
	if lerr != nil && !errors.Is(lerr, store.ErrNotFound) {
		return lerr
	}
	resuming := left > 0 || (lerr == nil && last.FinishedAt == nil && last.ToKey == keys.Active())
	if stage {
		if resuming {
			return fmt.Errorf("the rotation to %s has not finished (%d value(s) still under older keys): run `hearme keys rotate` to finish it before staging another key; nothing was added", keys.Active(), left)
		}
		id, err := sealed.StageKey(cfg.KeyPath())
		if err != nil {
			return err
		}
		if err := st.AppendAudit(ctx, "cli", audit.KeysStaged, id, ""); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "staged key %s in %s: it opens values but seals none yet.\n", id, cfg.KeyPath())
		fmt.Fprintln(env.Stdout, "Copy this keyring to every instance of hearme that shares the database (each picks it up within seconds), then run `hearme keys rotate` to start sealing with it (docs/keys.md).")
		return nil
	}
	if resuming {
		fmt.Fprintf(env.Stdout, "resuming the rotation to %s: %d value(s) still under older keys\n", keys.Active(), left)
	} else if staged := keys.Staged(); staged != "" {
		id, err := sealed.PromoteStaged(cfg.KeyPath())
		if err != nil {
			return err
		}
		if _, err := keys.Reload(); err != nil {
			return err
		}
		if id != staged || keys.Active() != id {
			return fmt.Errorf("the keyring did not take the staged key %s", staged)
		}
		fmt.Fprintf(env.Stdout, "the staged key %s seals every new value from now on (a running server picks it up within seconds)\n", id)
		fmt.Fprintln(env.Stdout, "Instances with a copy of the keyring made while it was staged open everything; copy the keyring to them again so that they seal with it too.")
		if left, err = st.SealedNotUnder(ctx, id); err != nil {
			return err
		}
	} else {
		id, err := sealed.AddKey(cfg.KeyPath())
		if err != nil {
			return err
		}
		if _, err := keys.Reload(); err != nil {
			return err
		}
		if keys.Active() != id {
			return fmt.Errorf("the keyring did not take the new key %s", id)
		}
		fmt.Fprintf(env.Stdout, "added key %s to %s: it seals every new value from now on (a running server picks it up within seconds)\n", id, cfg.KeyPath())
		fmt.Fprintln(env.Stdout, "Several instances with copies of the keyring (not one shared file)? They cannot open values sealed with it until they have it: next time, stage the key first (`hearme keys rotate --stage`, docs/keys.md); now, copy the keyring to each of them at once.")
		if left, err = st.SealedNotUnder(ctx, id); err != nil {
			return err
		}
	}
	rot, err := st.StartRotation(ctx, "cli", keys.Active())
	if err != nil {
		return err
	}
	start := time.Now()
	lastPrint := start
	var done int64
	progress := func(n int64) {
		if time.Since(lastPrint) >= 2*time.Second {
			lastPrint = time.Now()
			fmt.Fprintf(env.Stdout, "  %d of %d sealed again (%.0f/s)\n", n, left, float64(n)/time.Since(start).Seconds())
			st.AcquireJobLock(ctx, "keys-rotate", holder, time.Hour) // renew
		}
	}
	// A server that has not reloaded yet may still seal a value or two
	// with the old key: passes go on until none is left.
	for pass := 1; ; pass++ {
		n, err := st.ResealPaced(ctx, keys, rot.ID, pace, func(n int64) { progress(done + n) })
		done += n
		if err != nil {
			rest, _ := st.SealedNotUnder(context.WithoutCancel(ctx), keys.Active())
			fmt.Fprintf(env.Stdout, "rotation interrupted after %d value(s): %d still under older keys. Nothing is lost and everything stays readable; run `hearme keys rotate` again to carry on.\n", done, rest)
			return fmt.Errorf("keys rotate: %w", err)
		}
		rest, err := st.SealedNotUnder(ctx, keys.Active())
		if err != nil {
			return err
		}
		if rest == 0 {
			break
		}
		if pass >= 10 {
			return fmt.Errorf("keys rotate: %d value(s) still under older keys after %d passes (is a server still sealing with an old keyring? see docs/keys.md); run it again", rest, pass)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
	rot, err = st.FinishRotation(ctx, "cli", rot)
	if err != nil {
		return err
	}
	took := time.Since(start)
	rate := float64(done) / max(took.Seconds(), 1e-9)
	fmt.Fprintf(env.Stdout, "rotation finished: %d value(s) sealed again in this run in %s (%.0f/s); %d in all\n", done, took.Round(time.Millisecond), rate, rot.Resealed)
	return printKeyStatus(ctx, env, cfg, st, keys)
}

func keysRetire(ctx context.Context, env Env, args []string) error {
	var now bool
	cfg, fs, err := loadConfig(env, "keys retire", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&now, "now", false, "do not wait for web sessions started before the rotation to end (their drafts may be lost)")
	})
	if err != nil {
		return err
	}
	st, keys, err := openForKeys(ctx, env, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	active := keys.Active()
	ids := fs.Args()
	if len(ids) == 0 {
		for _, id := range keys.IDs() {
			if id != active && id != keys.Staged() {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			fmt.Fprintln(env.Stdout, "the keyring has only the active key: nothing to retire")
			return nil
		}
	}
	if slices.Contains(ids, active) {
		return fmt.Errorf("%s is the active key: it cannot be retired (rotate first)", active)
	}
	for _, id := range ids {
		if !keys.Has(id) {
			return fmt.Errorf("the keyring has no key %q", id)
		}
		n, err := st.SealedUnder(ctx, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%d value(s) are still sealed with %s: run `hearme keys rotate` to finish the rotation first; nothing was retired", n, id)
		}
	}
	r, err := st.LastRotation(ctx)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err == nil && r.FinishedAt == nil {
		return fmt.Errorf("the rotation to %s has not finished: run `hearme keys rotate` first; nothing was retired", r.ToKey)
	}
	if err == nil && !now {
		if until := r.FinishedAt.Add(sessionsOutlive(cfg)); time.Now().Before(until) {
			return fmt.Errorf("web sessions started before the rotation finished may hold values sealed with the old key until %s: retire then, or now with --now; nothing was retired", until.Format(time.RFC3339))
		}
	}
	if err := sealed.RetireKeys(cfg.KeyPath(), ids); err != nil {
		return err
	}
	for _, id := range ids {
		if err := st.AppendAudit(ctx, "cli", audit.KeysRetired, id, ""); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stdout, "retired %s from %s; running servers drop it within seconds.\n", strings.Join(ids, ", "), cfg.KeyPath())
	fmt.Fprintln(env.Stdout, "Backups taken before the rotation finished still need the retired key: keep your earlier copy of the keyring with your other key copies until the last of those backups is deleted (docs/keys.md). Replace your kept copy of the keyring with the new file.")
	return nil
}
