package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/sealed"
)

// Synthetic programmes (`hearme synthetic seed`, internal/synthetic):
// invented experiences loaded in bulk for measuring at scale, every row
// marked synthetic. Loading is refused on a database that holds a real
// experience or event.

// ErrRealData means the database holds real experiences or events, so
// no synthetic programme may be added to it.
var ErrRealData = errors.New("this database holds real experiences or events: a synthetic programme is only loaded into an empty or synthetic one")

// SyntheticEvent is an invented event experiences were heard at.
type SyntheticEvent struct {
	ID, Community string
	Start         time.Time
}

// SyntheticExperience is an invented, approved experience with its
// stages, equality answers (question -> answer), consent to be quoted,
// the codes coded on its whole first answer, and whether an analyst marked
// the first of those codings as a quote.
type SyntheticExperience struct {
	ID, Lang, Role, Source, EventID       string
	WhatHappened, WentWell, CouldBeBetter string
	Stages                                []string
	Equality                              map[string]string
	Quote                                 bool
	Codes                                 []string
	Quoted                                bool // the first coding is marked as a quote
	CreatedAt                             time.Time
}

// SyntheticAllowed says whether a synthetic programme may be loaded:
// ErrRealData if any experience or event is neither synthetic nor demo.
func (s *Store) SyntheticAllowed(ctx context.Context) error {
	for _, t := range []string{"experiences", "events"} {
		var n int
		if err := s.conns.Read.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t+" WHERE NOT synthetic AND NOT demo").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w (%d %s)", ErrRealData, n, t)
		}
	}
	return nil
}

// CountSynthetic counts the synthetic experiences and their codings.
func (s *Store) CountSynthetic(ctx context.Context) (experiences, codings int, err error) {
	if err = s.conns.Read.QueryRowContext(ctx, "SELECT COUNT(*) FROM experiences WHERE synthetic").Scan(&experiences); err != nil {
		return
	}
	err = s.conns.Read.QueryRowContext(ctx, "SELECT COUNT(*) FROM codings c JOIN experiences e ON e.id = c.experience_id WHERE e.synthetic").Scan(&codings)
	return
}

// syntheticTables are the tables a batch fills, with their columns.
var syntheticTables = []struct {
	table string
	cols  []string
}{
	{"experiences", []string{"id", "reference", "secret_hash", "kind", "status", "lang", "role", "what_happened", "went_well", "could_be_better",
		"source", "event_id", "created_at", "updated_at", "moderated_by", "moderated_at", "synthetic"}},
	{"experience_keys", []string{"experience_id", "sealed_key", "created_at"}},
	{"experience_stages", []string{"experience_id", "stage"}},
	{"equality_answers", []string{"experience_id", "community", "ethnic_group", "age_band", "sex", "disability", "religion", "main_language"}},
	{"consents", []string{"experience_id", "version", "evidence", "quote", "contact", "named", "verbal", "given_at", "updated_at"}},
	{"codings", []string{"id", "experience_id", "code_id", "field", "start_pos", "end_pos", "whole", "quote", "sample_id", "coder_id", "created_at"}},
	{"search_documents", []string{"experience_id", "body", "lang", "updated_at"}},
}

// LoadSynthetic writes events and then the experiences next makes, a
// batch per transaction (pgx's COPY on PostgreSQL, many-row INSERTs on
// SQLite), sealed with the keyring as the store seals every story, each
// with its search document; then counts the breakdowns from scratch.
// progress, if not nil, hears how many experiences are written so far.
// It refuses (ErrRealData) a database with real experiences or events.
func (s *Store) LoadSynthetic(ctx context.Context, events []SyntheticEvent, next func() (SyntheticExperience, bool), batch int, progress func(int)) error {
	if s.keys == nil {
		return errNoKeys
	}
	if err := s.SyntheticAllowed(ctx); err != nil {
		return err
	}
	if batch < 1 {
		batch = 10000
	}
	now := s.now()
	if err := s.tx(ctx, func(tx *sql.Tx) error {
		ins := newBulkInsert(s, tx, "events", []string{"id", "kind", "community", "starts_at", "ends_at", "venue_name", "capacity", "created_by", "created_at", "updated_at", "synthetic"})
		for _, e := range events {
			if err := ins.add(ctx, e.ID, "listening", e.Community, e.Start.UTC(), e.Start.Add(2*time.Hour).UTC(), "Synthetic venue (not real)", 40, "synthetic", now, now, true); err != nil {
				return err
			}
		}
		return ins.flush(ctx)
	}); err != nil {
		return fmt.Errorf("synthetic events: %w", err)
	}
	if s.d.BulkCopy {
		// The search indexes are built once after the load rather than
		// row by row (their definitions are the migrations' 0020 and
		// 0022; a load that stops half way leaves them to the next).
		for _, ix := range searchIndexes {
			if _, err := s.conns.Write.ExecContext(ctx, "DROP INDEX IF EXISTS "+ix[0]); err != nil {
				return err
			}
		}
	}
	// References go on from the synthetic experiences already there.
	var base int
	if err := s.conns.Read.QueryRowContext(ctx, "SELECT COUNT(*) FROM experiences WHERE synthetic").Scan(&base); err != nil {
		return err
	}
	done := 0
	for {
		rows := map[string][][]any{}
		n := 0
		for n < batch {
			e, ok := next()
			if !ok {
				break
			}
			if err := s.syntheticRows(e, fmt.Sprintf("SY-%08d", base+done+n+1), rows); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			break
		}
		if err := s.writeSynthetic(ctx, rows); err != nil {
			return fmt.Errorf("synthetic experiences: %w", err)
		}
		done += n
		if progress != nil {
			progress(done)
		}
	}
	return s.FinishSynthetic(ctx)
}

// FinishSynthetic does what follows a load (and what a load that was
// stopped half way left undone): PostgreSQL's search indexes, the
// breakdown counts from scratch, and the planner's statistics.
func (s *Store) FinishSynthetic(ctx context.Context) error {
	// What search filters on, for the documents loaded in bulk (before
	// their indexes are built: cheaper).
	if err := s.refreshSearchFacets(ctx, s.conns.Write, "d.created_at = '-infinity'"); err != nil {
		return fmt.Errorf("search documents: %w", err)
	}
	if err := s.CreateSearchIndexes(ctx); err != nil {
		return err
	}
	// From scratch, unless every approved experience is counted already
	// (opening the store counts them all when none is: CountUncounted).
	var uncounted int
	if err := s.conns.Read.QueryRowContext(ctx, `SELECT CASE WHEN EXISTS (SELECT 1 FROM experiences e WHERE e.status = 'approved'
		AND NOT EXISTS (SELECT 1 FROM breakdown_facts f WHERE f.experience_id = e.id)) THEN 1 ELSE 0 END`).Scan(&uncounted); err != nil {
		return err
	}
	if uncounted == 1 {
		if _, err := s.RecountBreakdowns(ctx); err != nil {
			return fmt.Errorf("count breakdowns: %w", err)
		}
	}
	// The statistics the planner needs for tables that grew at once.
	_, err := s.conns.Write.ExecContext(ctx, "ANALYZE")
	return err
}

// searchIndexes are PostgreSQL's search indexes as migrations 0020, 0022,
// 0030 and 0037 create them.
var searchIndexes = [][2]string{
	{"search_documents_words", "CREATE INDEX IF NOT EXISTS search_documents_words ON search_documents USING GIN (words)"},
	{"search_documents_stems", "CREATE INDEX IF NOT EXISTS search_documents_stems ON search_documents USING GIN (stems)"},
	{"search_documents_trigrams", "CREATE INDEX IF NOT EXISTS search_documents_trigrams ON search_documents USING GIN (body gin_trgm_ops) WHERE lang <> 'en'"},
	{"search_documents_newest", "CREATE INDEX IF NOT EXISTS search_documents_newest ON search_documents (created_at DESC, experience_id DESC)"},
	{"search_documents_by_community", "CREATE INDEX IF NOT EXISTS search_documents_by_community ON search_documents (community, created_at DESC, experience_id DESC)"},
	{"search_documents_by_lang", "CREATE INDEX IF NOT EXISTS search_documents_by_lang ON search_documents (lang, created_at DESC, experience_id DESC)"},
	{"search_documents_by_source", "CREATE INDEX IF NOT EXISTS search_documents_by_source ON search_documents (source, created_at DESC, experience_id DESC)"},
	{"search_documents_by_event", "CREATE INDEX IF NOT EXISTS search_documents_by_event ON search_documents (event_id, created_at DESC, experience_id DESC)"},
}

// CreateSearchIndexes builds PostgreSQL's search indexes if a synthetic
// load left them out.
func (s *Store) CreateSearchIndexes(ctx context.Context) error {
	if !s.d.BulkCopy {
		return nil
	}
	conn, err := s.conns.Write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET maintenance_work_mem = '256MB'"); err != nil {
		return err
	}
	for _, ix := range searchIndexes {
		if _, err := conn.ExecContext(ctx, ix[1]); err != nil {
			return fmt.Errorf("%s: %w", ix[0], err)
		}
	}
	_, err = conn.ExecContext(ctx, "RESET maintenance_work_mem")
	return err
}

// syntheticRows adds one experience's rows to rows (table -> rows).
func (s *Store) syntheticRows(e SyntheticExperience, reference string, rows map[string][][]any) error {
	key := sealed.NewDataKey()
	sk, err := s.keys.SealDataKey(key)
	if err != nil {
		return err
	}
	at := e.CreatedAt.UTC()
	add := func(table string, vals ...any) { rows[table] = append(rows[table], vals) }
	add("experiences", e.ID, reference, "synthetic:no-secret", "experience", "approved", e.Lang, e.Role,
		key.Seal(e.ID, e.WhatHappened), key.Seal(e.ID, e.WentWell), key.Seal(e.ID, e.CouldBeBetter), e.Source, e.EventID, at, at, "synthetic", at, true)
	add("experience_keys", e.ID, sk, at)
	for _, st := range e.Stages {
		add("experience_stages", e.ID, st)
	}
	q := e.Equality
	if len(q) > 0 {
		add("equality_answers", e.ID, q["community"], q["ethnic_group"], q["age_band"], q["sex"], q["disability"], q["religion"], q["main_language"])
	}
	add("consents", e.ID, "synthetic", true, e.Quote, false, false, e.Source != "online", at, at)
	whole := analysis.WholeOf("what_happened", e.WhatHappened)
	for i, c := range e.Codes {
		add("codings", fmt.Sprintf("%s-%d", e.ID, i), e.ID, c, whole.Field, whole.Start, whole.End, true, e.Quoted && i == 0, "", "synthetic", at)
	}
	var parts []string
	for _, p := range []string{e.WhatHappened, e.WentWell, e.CouldBeBetter} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	add("search_documents", e.ID, strings.Join(parts, "\n\n"), e.Lang, at)
	return nil
}

// writeSynthetic writes a batch in one transaction.
func (s *Store) writeSynthetic(ctx context.Context, rows map[string][][]any) error {
	if s.d.BulkCopy {
		conn, err := s.conns.Write.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		return conn.Raw(func(dc any) error {
			pc := dc.(*stdlib.Conn).Conn()
			tx, err := pc.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(ctx)
			for _, t := range syntheticTables {
				if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.table}, t.cols, pgx.CopyFromRows(rows[t.table])); err != nil {
					return fmt.Errorf("copy %s: %w", t.table, err)
				}
			}
			return tx.Commit(ctx)
		})
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, t := range syntheticTables {
			cols := t.cols
			if t.table == "search_documents" {
				cols = append([]string{"doc_id"}, cols...)
			}
			ins := newBulkInsert(s, tx, t.table, cols)
			var last int64
			for _, r := range rows[t.table] {
				if t.table == "search_documents" {
					// Numbered by the time shared (reindex does the same).
					id := DocNumber(r[3].(time.Time))
					if id <= last {
						id = last + 1
					}
					last = id
					r = append([]any{id}, r...)
				}
				if err := ins.add(ctx, r...); err != nil {
					return fmt.Errorf("insert %s: %w", t.table, err)
				}
			}
			if err := ins.flush(ctx); err != nil {
				return fmt.Errorf("insert %s: %w", t.table, err)
			}
		}
		return nil
	})
}
