package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// seedSealed writes n experiences with sealed contact details (and so n
// sealed data keys), a user with a sealed second factor and n sealed
// outbox payloads: values in four of the rotated tables.
func seedSealed(t *testing.T, s *store.Store, k *sealed.Keyring, n int) (contacts []string, first experience.Receipt) {
	t.Helper()
	for i := range n {
		sub := submission()
		sub.Consent.Contact = true
		name, _ := k.Seal(fmt.Sprintf("Person %d", i))
		email, _ := k.Seal(fmt.Sprintf("p%d@example.org", i))
		rc, err := s.SubmitExperience(ctx, sub, experience.Contact{Name: name, Email: email})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = rc
		}
		contacts = append(contacts, fmt.Sprintf("p%d@example.org", i))
	}
	u := newUser(t, s, "totp@example.org", account.Admin)
	secret, _ := k.Seal("JBSWY3DPEHPK3PXPJBSWY3DP")
	if err := s.EnrolTOTP(ctx, u.ID, secret, 1); err != nil {
		t.Fatal(err)
	}
	var qs []mail.Queued
	for i := range n {
		p, _ := k.Seal(fmt.Sprintf("mail %d", i))
		qs = append(qs, mail.Queued{Kind: "test", Payload: p})
	}
	if err := s.EnqueueMail(ctx, qs...); err != nil {
		t.Fatal(err)
	}
	return contacts, first
}

// sealedEmails opens every contact email with k.
func sealedEmails(t *testing.T, s *store.Store, k *sealed.Keyring) (emails []string, keys map[string]int) {
	t.Helper()
	keys = map[string]int{}
	rows, err := s.ReadDB().QueryContext(ctx, "SELECT email_sealed FROM contact_details ORDER BY email_sealed")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		pt, err := k.Open(v)
		if err != nil {
			t.Fatalf("open %s: %v", v[:12], err)
		}
		emails = append(emails, pt)
		keys[sealed.KeyOf(v)]++
	}
	slices.Sort(emails)
	return emails, keys
}

func TestRotationInterruptedAndResumed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		path := filepath.Join(t.TempDir(), "keys.txt")
		server, err := sealed.LoadOrCreate(path) // the running server's keyring
		if err != nil {
			t.Fatal(err)
		}
		s.UseKeys(server)
		oldKey := server.Active()
		want, rc := seedSealed(t, s, server, 30)
		slices.Sort(want)
		total, _ := s.SealedUnder(ctx, oldKey)
		if total != 30*2+30+1+30 { // name+email, data key, second factor, outbox
			t.Fatalf("sealed under the old key: %d", total)
		}

		newKey, err := sealed.AddKey(path)
		if err != nil {
			t.Fatal(err)
		}
		rot, err := sealed.LoadOrCreate(path) // `hearme keys rotate`'s keyring
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.StartRotation(ctx, "cli", newKey)
		if err != nil {
			t.Fatal(err)
		}
		// Interrupted half way: the context ends after the second batch.
		cctx, cancel := context.WithCancel(ctx)
		done, err := s.Reseal(cctx, rot, r.ID, 7, func(n int64) {
			if n >= total/2 {
				cancel()
			}
		})
		if !errors.Is(err, context.Canceled) || done < total/2 || done >= total {
			t.Fatalf("interrupted run: %d values, %v", done, err)
		}
		left, _ := s.SealedNotUnder(ctx, newKey)
		if left != total-done {
			t.Fatalf("left after the interruption: %d, want %d", left, total-done)
		}
		if _, err := s.FinishRotation(ctx, "cli", r); !errors.Is(err, store.ErrRotationPending) {
			t.Fatalf("finishing a half-done rotation: %v", err)
		}
		// Half way, everything is readable by the server, under either key.
		got, keys := sealedEmails(t, s, server)
		if !slices.Equal(got, want) || keys[oldKey] == 0 || keys[newKey] == 0 {
			t.Fatalf("half way: %d emails, keys %v", len(got), keys)
		}
		// A write by the server now uses the new key (it reloaded).
		if v, _ := server.Seal("new"); sealed.KeyOf(v) != newKey {
			t.Fatal("the server still seals with the old key")
		}

		// Resumed: the same rotation carries on.
		again, err := s.StartRotation(ctx, "cli", newKey)
		if err != nil || again.ID != r.ID || again.Resealed != done {
			t.Fatalf("resumed rotation: %+v %v", again, err)
		}
		rest, err := s.Reseal(ctx, rot, r.ID, 7, nil)
		if err != nil || rest != total-done {
			t.Fatalf("resumed run: %d %v", rest, err)
		}
		if n, _ := s.SealedUnder(ctx, oldKey); n != 0 {
			t.Fatalf("%d values left under the old key", n)
		}
		fin, err := s.FinishRotation(ctx, "cli", again)
		if err != nil || fin.FinishedAt == nil || fin.Resealed != total {
			t.Fatalf("finish: %+v %v", fin, err)
		}
		got, keys = sealedEmails(t, s, server)
		if !slices.Equal(got, want) || len(keys) != 1 || keys[newKey] != 30 {
			t.Fatalf("after: keys %v", keys)
		}
		// Every experience's text still opens (its data key was moved).
		if err := sealed.RetireKeys(path, []string{oldKey}); err != nil {
			t.Fatal(err)
		}
		if _, err := server.Reload(); err != nil {
			t.Fatal(err)
		}
		got, _ = sealedEmails(t, s, server)
		if !slices.Equal(got, want) {
			t.Fatal("contact details unreadable after the old key was retired")
		}
		if h, err := s.ExperienceByReference(ctx, rc.Reference, rc.Secret); err != nil || h.Submission.WhatHappened != submission().WhatHappened {
			t.Fatalf("experience text after retiring the old key: %v", err)
		}
		last, err := s.LastRotation(ctx)
		if err != nil || last.ID != r.ID || last.FinishedAt == nil {
			t.Fatalf("last rotation: %+v %v", last, err)
		}
	})
}

// TestEverySealedColumnRotates walks the schema of both databases (on
// SQLite, the sessions file too): a column whose name says it holds a
// sealed value, or that holds encoded bytes (web sessions' data, where
// drafts are sealed), must be rotated (listed in keyringSealed, or the
// sessions) or be listed here as sealed with something else.
func TestEverySealedColumnRotates(t *testing.T) {
	t.Parallel()
	notKeyring := map[string]string{
		"experience_originals.sealed":   "sealed with the experience's own data key (d1:), whose key is rotated in experience_keys",
		"experiences.secret_hash":       "a hash of the reference code's secret, not sealed",
		"key_rotations.resealed":        "a count of values sealed again",
		"capture_records.secret_sealed": "sealed with the experience's own data key (d1:), as experience_originals",
		"search_index_data.block":       "SQLite's full-text index of shared text (fts5's own encoding), never keyring-sealed",
		"search_index_docsize.sz":       "SQLite's full-text index: the size of each indexed text",
	}
	looksSealed := regexp.MustCompile(`seal|secret|payload`)
	holdsBytes := regexp.MustCompile(`(?i)^(blob|bytea)$`)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		type column struct{ table, name, typ string }
		var cols []column
		walk := func(db interface {
			QueryContext(context.Context, string, ...any) (*sql.Rows, error)
		}, query string) {
			rows, err := db.QueryContext(ctx, query)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var c column
				if err := rows.Scan(&c.table, &c.name, &c.typ); err != nil {
					t.Fatal(err)
				}
				cols = append(cols, c)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
		}
		if s.Dialect() == "sqlite" {
			const q = "SELECT m.name, p.name, p.type FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
			walk(s.ReadDB(), q)
			walk(s.SessionsDB(), q) // sessions.db beside the database
		} else {
			walk(s.ReadDB(), "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema()")
		}
		rotated := store.RotatedColumns()
		seen := 0
		for _, c := range cols {
			name := c.table + "." + c.name
			if !looksSealed.MatchString(c.name) && !holdsBytes.MatchString(c.typ) {
				continue
			}
			seen++
			if slices.Contains(rotated, name) || notKeyring[name] != "" {
				continue
			}
			t.Errorf("%s (%s) may hold sealed values but `hearme keys rotate` does not rotate it (add it to keyringSealed in internal/store/keys.go)", name, c.typ)
		}
		if seen < len(rotated) {
			t.Fatalf("saw %d sealed-looking columns, fewer than the %d rotated: the walk is broken", seen, len(rotated))
		}
		for _, r := range rotated {
			if !slices.ContainsFunc(cols, func(c column) bool { return c.table+"."+c.name == r }) {
				t.Errorf("%s is rotated but is not in the schema", r)
			}
		}
	})
}
