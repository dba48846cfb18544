package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// instance is one hearme process's view: its store and its keyring.
type instance struct {
	st   *store.Store
	keys *sealed.Keyring
}

func openInstance(t *testing.T, cfg config.Config) instance {
	t.Helper()
	st, err := app.OpenStore(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return instance{st, st.Keys()}
}

// readsEverything opens every contact detail and every story (its data
// key sealed with the keyring) the way that instance's server would.
func (in instance) readsEverything(t *testing.T, refs []experience.Receipt) error {
	t.Helper()
	ctx := context.Background()
	rows, err := in.st.ReadDB().QueryContext(ctx, "SELECT email_sealed FROM contact_details")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		if _, err := in.keys.Open(v); err != nil {
			return fmt.Errorf("contact under %s: %w", sealed.KeyOf(v), err)
		}
		n++
	}
	if n < len(refs) {
		t.Fatalf("%d contacts, want at least %d", n, len(refs))
	}
	for _, rc := range refs {
		if _, err := in.st.ExperienceByReference(ctx, rc.Reference, rc.Secret); err != nil {
			return fmt.Errorf("story %s: %w", rc.Reference, err)
		}
	}
	return nil
}

func (in instance) submit(t *testing.T, i int) experience.Receipt {
	t.Helper()
	sub := testSubmission(i)
	sub.Consent.Contact = true
	email, _ := in.keys.Seal(fmt.Sprintf("p%d@example.org", i))
	rc, err := in.st.SubmitExperience(context.Background(), sub, experience.Contact{Email: email})
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	tmp := to + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, to); err != nil {
		t.Fatal(err)
	}
}

// Two instances of hearme on one database, while `hearme keys rotate`
// runs from a third process (docs/keys.md, "Several instances"):
//
//   - sharing one keyring file: the instance that has never looked at the
//     file since it started (no watcher) opens every value sealed with the
//     new key, and then seals with it;
//   - each with its own copy: the key is staged first, the copy made
//     then opens every value the rotation seals, before and after the
//     promoted keyring reaches it; a copy made before the key was staged
//     cannot (the reason staging exists).
func TestTwoInstancesShareARotation(t *testing.T) {
	t.Parallel()
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			data := newDataDir(t)
			cfg := config.Config{DataDir: data}
			dbArgs := []string{"--data", data}
			if db == "postgres" {
				cfg.Database = storetest.PostgresDSN(t)
				dbArgs = append(dbArgs, "--database", cfg.Database)
			}
			a := openInstance(t, cfg)
			// B shares A's keyring file (one machine, or one file mounted on
			// both).
			b := openInstance(t, cfg)
			// C has a copy of the keyring, made before any rotation.
			cfgC := cfg
			cfgC.KeyFile = filepath.Join(t.TempDir(), "keys.txt")
			copyFile(t, cfg.KeyPath(), cfgC.KeyFile)
			c := openInstance(t, cfgC)
			// D will have a copy made once the next key is staged.
			cfgD := cfg
			cfgD.KeyFile = filepath.Join(t.TempDir(), "keys.txt")
			copyFile(t, cfg.KeyPath(), cfgD.KeyFile)
			d := openInstance(t, cfgD)
			first := a.keys.Active()
			var refs []experience.Receipt
			for i := range 12 {
				refs = append(refs, a.submit(t, i))
			}

			// One shared file: a rotation; B never reloaded.
			if code, out, errs := run(t, append([]string{"keys", "rotate", "--batch", "5"}, dbArgs...)...); code != 0 {
				t.Fatalf("rotate: %d %s %s", code, out, errs)
			}
			second := b.keys.Active() // not reloaded yet: still the first key
			if second != first {
				t.Fatalf("B reloaded on its own: %s", second)
			}
			if err := b.readsEverything(t, refs); err != nil {
				t.Fatalf("B, sharing the file, after the rotation: %v", err)
			}
			second = b.keys.Active()
			if second == first {
				t.Fatal("B, having met the new key, still seals with the old one")
			}
			refs = append(refs, b.submit(t, 100))
			if err := a.readsEverything(t, refs); err != nil {
				t.Fatalf("A, after B wrote: %v", err)
			}
			// C, with a copy made before the rotation, cannot: the reason
			// for staging (and nothing it reads is lost: it gets an error).
			if err := c.readsEverything(t, refs); !errors.Is(err, sealed.ErrUnknownKey) {
				t.Fatalf("C, with an old copy, read values under a key it never had: %v", err)
			}

			// Copies: stage, copy to D, rotate (promote and seal again).
			code, out, errs := run(t, append([]string{"keys", "rotate", "--stage"}, dbArgs...)...)
			if code != 0 || !strings.Contains(out, "staged key") {
				t.Fatalf("stage: %d %s %s", code, out, errs)
			}
			copyFile(t, cfg.KeyPath(), cfgD.KeyFile)
			copyFile(t, cfg.KeyPath(), cfgC.KeyFile) // C catches up too
			if err := d.readsEverything(t, refs); err != nil {
				t.Fatalf("D with the staged copy, before the promotion: %v", err)
			}
			staged := d.keys.Staged()
			if staged == "" || d.keys.Active() != second {
				t.Fatalf("D after the copy: active %s staged %q", d.keys.Active(), staged)
			}
			if v, _ := a.keys.Seal("x"); sealed.KeyOf(v) != second {
				t.Fatal("a staged key seals values")
			}
			code, out, errs = run(t, append([]string{"keys", "rotate", "--batch", "5"}, dbArgs...)...)
			if code != 0 || !strings.Contains(out, "the staged key "+staged) || !strings.Contains(out, "rotation finished") {
				t.Fatalf("promote: %d %s %s", code, out, errs)
			}
			if n, _ := a.st.SealedUnder(context.Background(), staged); n == 0 {
				t.Fatal("nothing was sealed again with the promoted key")
			}
			// D has not been given the promoted file: it opens everything,
			// and goes on sealing with the key it had.
			if err := d.readsEverything(t, refs); err != nil {
				t.Fatalf("D after the promotion: %v", err)
			}
			if v, _ := d.keys.Seal("y"); sealed.KeyOf(v) != second {
				t.Fatalf("D seals with %s before it has the promoted file", sealed.KeyOf(v))
			}
			if err := c.readsEverything(t, refs); err != nil {
				t.Fatalf("C with the staged copy: %v", err)
			}
			// Given the promoted file, D seals with the new key.
			copyFile(t, cfg.KeyPath(), cfgD.KeyFile)
			if _, err := d.keys.Reload(); err != nil {
				t.Fatal(err)
			}
			if v, _ := d.keys.Seal("z"); sealed.KeyOf(v) != staged {
				t.Fatalf("D with the promoted file seals with %s", sealed.KeyOf(v))
			}
		})
	}
}
