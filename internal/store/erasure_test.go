package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/dialect"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// A withdrawn story cannot be recovered from the database files: after
// the withdrawal and the erase-leftovers job, a marker written in every
// free-text place of the story (narrative, cancer type, equality answer
// in the person's own words, correction, moderation original, rejection
// reason, English rendering, memo), the
// story's sealed data key and, on SQLite, its reference are in none of
// the files: on SQLite the database, its WAL and shared memory, and
// sessions.db; on PostgreSQL every table, index and TOAST file of the
// store's schema, read after a CHECKPOINT. Positive controls: the same
// search finds the plain reference and the sealed key of a story that
// was not withdrawn, and that story's sealed text, found in the files,
// opens to its marker with its key: the search would find the text if it
// were there, and what is there is the text under a key.
func TestWithdrawnStoryLeavesNothingOnDisk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		withdrawn, kept := "zqxgone"+randomHex(), "zqxkept"+randomHex()
		wrc, wsub := submitMarked(t, s, withdrawn)
		krc, _ := submitMarked(t, s, kept)
		if err := s.AddCorrection(ctx, wrc.Reference, wrc.Secret, "correction "+withdrawn); err != nil {
			t.Fatal(err)
		}
		redacted := wsub
		redacted.WhatHappened = "[redacted]"
		held, err := s.ExperienceByReference(ctx, wrc.Reference, wrc.Secret)
		if err != nil || len(held.Corrections) != 1 {
			t.Fatalf("corrections: %+v %v", held.Corrections, err)
		}
		held.Corrections[0].Text = "redacted correction " + withdrawn
		if err := s.RedactExperience(ctx, "moderator", wrc.ID, redacted, held.Corrections, "original "+withdrawn); err != nil {
			t.Fatal(err)
		}
		if err := s.DecideExperience(ctx, "moderator", wrc.ID, experience.StatusApproved, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveTranslation(ctx, "coder", wrc.ID, "could_be_better", "translation "+withdrawn); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveMemo(ctx, "coder", "", wrc.ID, "", "memo "+withdrawn); err != nil {
			t.Fatal(err)
		}
		if err := s.DecideExperience(ctx, "moderator", wrc.ID, experience.StatusRejected, "reason "+withdrawn); err != nil {
			t.Fatal(err)
		}
		wKey, kKey := sealedKeyOf(t, s, wrc.ID), sealedKeyOf(t, s, krc.ID)
		kCipher := columnOf(t, s, "SELECT what_happened FROM experiences WHERE id = ?", krc.ID)

		if err := s.WithdrawExperience(ctx, wrc.Reference, wrc.Secret); err != nil {
			t.Fatal(err)
		}
		eraseLeftovers(t, s)
		files := databaseFiles(t, s)

		// Positive controls first: the search sees what is there.
		for what, v := range map[string]string{"the kept story's reference": krc.Reference, "the kept story's sealed key": kKey, "the kept story's sealed text": kCipher} {
			if !anyHolds(files, v) {
				t.Fatalf("control: %s is not found in the files, so the search proves nothing", what)
			}
		}
		if h, err := s.ExperienceByReference(ctx, krc.Reference, krc.Secret); err != nil || h.Submission.WhatHappened != "what "+kept {
			t.Fatalf("control: the kept story's sealed text does not open to its marker: %q %v", h.Submission.WhatHappened, err)
		}

		gone := map[string]string{"the withdrawn story's marker": withdrawn, "the withdrawn story's sealed key": wKey}
		if s.Dialect() == dialect.SQLite {
			// PostgreSQL keeps old row versions until overwritten; there
			// only the sealed text and its destroyed key are the defence.
			gone["the withdrawn story's reference"] = wrc.Reference
		}
		for what, v := range gone {
			for name, b := range files {
				if bytes.Contains(b, []byte(v)) {
					t.Errorf("%s is still in %s after withdrawal and erase-leftovers", what, name)
				}
			}
		}
		if did, err := s.EraseLeftovers(ctx); err != nil || did {
			t.Fatalf("a second run with nothing deleted: did %v, %v", did, err)
		}
	})
}

// Every connection to the main SQLite database overwrites deleted
// content, and any full-text (FTS5) table does too, with its own option.
func TestSQLiteSecureDelete(t *testing.T) {
	s := storetest.SQLite(t)
	for name, db := range map[string]*sql.DB{"writer": s.WriteDB(), "reader": s.ReadDB()} {
		var on int
		if err := db.QueryRowContext(ctx, "PRAGMA secure_delete").Scan(&on); err != nil || on != 1 {
			t.Errorf("%s: secure_delete = %d, %v (want 1)", name, on, err)
		}
	}
	rows, err := s.ReadDB().QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'")
	if err != nil {
		t.Fatal(err)
	}
	var fts []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		fts = append(fts, n)
	}
	rows.Close()
	for _, n := range fts {
		var v int
		if err := s.ReadDB().QueryRowContext(ctx, "SELECT v FROM "+n+"_config WHERE k = 'secure-delete'").Scan(&v); err != nil || v != 1 {
			t.Errorf("full-text table %s: secure-delete = %d, %v (want 1: INSERT INTO %s(%s, rank) VALUES ('secure-delete', 1))", n, v, err, n, n)
		}
	}
}

// eraseLeftovers runs the job as its schedule would, until it has done
// its work: on PostgreSQL it waits for transactions older than the
// deletion (other tests' here) to end.
func eraseLeftovers(t *testing.T, s *store.Store) {
	t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	for {
		did, err := s.EraseLeftovers(ctx)
		if err == nil && did {
			return
		}
		if err == nil || !strings.Contains(err.Error(), "older than a deletion") || time.Now().After(deadline) {
			t.Fatalf("erase-leftovers after a deletion: did %v, %v", did, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func randomHex() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func submitMarked(t *testing.T, s *store.Store, marker string) (experience.Receipt, experience.Submission) {
	t.Helper()
	sub := submission()
	sub.WhatHappened, sub.CouldBeBetter, sub.CancerType = "what "+marker, "better "+marker, "type "+marker
	sub.Equality.EthnicGroup, sub.Equality.EthnicOther = "other-ethnic-group", "ethnic "+marker
	rc, err := s.SubmitExperience(ctx, sub, experience.Contact{})
	if err != nil {
		t.Fatal(err)
	}
	return rc, sub
}

func sealedKeyOf(t *testing.T, s *store.Store, id string) string {
	t.Helper()
	return columnOf(t, s, "SELECT sealed_key FROM experience_keys WHERE experience_id = ?", id)
}

func columnOf(t *testing.T, s *store.Store, query, id string) string {
	t.Helper()
	var v string
	query = rebind(s, query)
	if err := s.ReadDB().QueryRowContext(ctx, query, id).Scan(&v); err != nil || v == "" {
		t.Fatalf("%s: %q %v", query, v, err)
	}
	return v
}

func anyHolds(files map[string][]byte, v string) bool {
	for _, b := range files {
		if bytes.Contains(b, []byte(v)) {
			return true
		}
	}
	return false
}

// databaseFiles reads every file the database keeps its data in.
func databaseFiles(t *testing.T, s *store.Store) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	if s.Dialect() == dialect.SQLite {
		var main string
		if err := s.ReadDB().QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&main); err != nil {
			t.Fatal(err)
		}
		entries, err := os.ReadDir(filepath.Dir(main))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(filepath.Dir(main), e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			files[e.Name()] = b
		}
		for _, want := range []string{"hearme.db", "hearme.db-wal", "sessions.db"} {
			if _, ok := files[want]; !ok {
				t.Fatalf("no %s among %d files", want, len(files))
			}
		}
		return files
	}
	// PostgreSQL: write every dirty page out, then read each relation of
	// the schema (tables, indexes, TOAST) from the data directory, or
	// through the server when the directory is not readable here.
	db := s.WriteDB()
	if _, err := db.ExecContext(ctx, "CHECKPOINT"); err != nil {
		t.Fatalf("CHECKPOINT (the test needs a superuser): %v", err)
	}
	var dataDir string
	if err := db.QueryRowContext(ctx, "SHOW data_directory").Scan(&dataDir); err != nil {
		t.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, `SELECT c.relname, pg_relation_filepath(c.oid) FROM pg_class c
		WHERE pg_relation_filepath(c.oid) IS NOT NULL AND (c.relnamespace = current_schema()::regnamespace
		OR c.oid IN (SELECT reltoastrelid FROM pg_class WHERE relnamespace = current_schema()::regnamespace)
		OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT reltoastrelid FROM pg_class WHERE relnamespace = current_schema()::regnamespace)))`)
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]string{}
	for rows.Next() {
		var name, path string
		if err := rows.Scan(&name, &path); err != nil {
			t.Fatal(err)
		}
		paths[name] = path
	}
	rows.Close()
	for name, path := range paths {
		b, err := os.ReadFile(filepath.Join(dataDir, path))
		if err != nil {
			b, err = readThroughServer(ctx, db, path)
		}
		if err != nil {
			t.Fatalf("read %s (%s): %v", name, path, err)
		}
		files[name] = b
	}
	if len(paths) < 10 {
		t.Fatalf("only %d relations found in the schema", len(paths))
	}
	return files
}

// readThroughServer reads a relation's file (and its 1 GB segments, of
// which a test store has one) with pg_read_binary_file.
func readThroughServer(ctx context.Context, db *sql.DB, path string) ([]byte, error) {
	var b []byte
	err := db.QueryRowContext(ctx, "SELECT pg_read_binary_file($1)", path).Scan(&b)
	return b, err
}

// Experiences stored before sealing existed are sealed at start-up: the
// text reads the same, the columns hold only sealed text, and a second
// run finds nothing to do.
func TestSealExistingExperiences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		rc, _ := submitMarked(t, s, "zqxold")
		q := func(query string, args ...any) {
			t.Helper()
			query = rebind(s, query)
			if _, err := s.WriteDB().ExecContext(ctx, query, args...); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		}
		// Put it back as the code before sealing wrote it.
		q("DELETE FROM experience_keys WHERE experience_id = ?", rc.ID)
		q("UPDATE experiences SET what_happened = ?, cancer_type = ?, could_be_better = '' WHERE id = ?", "plain story zqxold", "plain type", rc.ID)
		q("UPDATE equality_answers SET ethnic_other = ? WHERE experience_id = ?", "plain ethnic", rc.ID)
		q("INSERT INTO experience_corrections (id, experience_id, text, created_at) VALUES (?, ?, ?, ?)", store.NewID(), rc.ID, "plain correction", time.Now().UTC())
		q("INSERT INTO translations (experience_id, field, text, source_hash, translator_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)", rc.ID, "what_happened", "plain rendering", "x", "coder", time.Now().UTC())
		q("INSERT INTO memos (id, experience_id, text, author_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)", store.NewID(), rc.ID, "plain memo", "coder", time.Now().UTC(), time.Now().UTC())
		if h, err := s.ExperienceByReference(ctx, rc.Reference, rc.Secret); err != nil || h.Submission.WhatHappened != "plain story zqxold" {
			t.Fatalf("an unsealed experience must still read: %q %v", h.Submission.WhatHappened, err)
		}
		n, err := s.SealExistingExperiences(ctx)
		if err != nil || n != 1 {
			t.Fatalf("sealed %d, %v (want 1)", n, err)
		}
		for _, query := range []string{"SELECT what_happened FROM experiences WHERE id = ?", "SELECT cancer_type FROM experiences WHERE id = ?",
			"SELECT ethnic_other FROM equality_answers WHERE experience_id = ?", "SELECT text FROM experience_corrections WHERE experience_id = ?",
			"SELECT text FROM translations WHERE experience_id = ?", "SELECT text FROM memos WHERE experience_id = ?"} {
			if v := columnOf(t, s, query, rc.ID); !sealed.IsDataSealed(v) {
				t.Errorf("%s: still in the clear: %q", query, v)
			}
		}
		h, err := s.ExperienceByReference(ctx, rc.Reference, rc.Secret)
		if err != nil || h.Submission.WhatHappened != "plain story zqxold" || h.Submission.CancerType != "plain type" || len(h.Corrections) != 1 || h.Corrections[0].Text != "plain correction" {
			t.Fatalf("after sealing: %+v %v", h, err)
		}
		if a, err := s.EqualityAnswers(ctx, rc.ID); err != nil || a.EthnicOther != "plain ethnic" {
			t.Fatalf("equality after sealing: %q %v", a.EthnicOther, err)
		}
		if n, err := s.SealExistingExperiences(ctx); err != nil || n != 0 {
			t.Fatalf("second run sealed %d, %v (want 0)", n, err)
		}
		if files := databaseFiles(t, s); anyHolds(files, "plain story zqxold") {
			t.Error("the plain text from before sealing is still in the database files")
		}
	})
}
