// Command submitceiling is the ceiling for hearme's submission write: a
// bare database/sql program that inserts the same rows as
// (*store.Store).SubmitExperience (one experience, two stages, equality
// answers, consent, sealed contact) in one transaction per submission,
// with the same drivers and the same durability, at the same concurrency,
// for a fixed time. It prints submissions per second and the latency
// distribution. docs/performance.md, "Submissions", compares it with
// BenchmarkSubmitExperience.
//
// The tables come from hearme's own migrations (store.Open + Migrate on a
// fresh SQLite file or a fresh PostgreSQL schema, dropped afterwards);
// after that the program uses only database/sql and prepared statements.
//
//	go run ./scripts/submitceiling -db sqlite -dur 10s -conc 16
//	go run ./scripts/submitceiling -db postgres -dsn 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//
// Loopback PostgreSQL only; the run is bounded by -dur (at most 10m).
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // "pgx"
	_ "modernc.org/sqlite"             // "sqlite"

	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
)

func main() {
	kind := flag.String("db", "sqlite", "sqlite or postgres")
	dur := flag.Duration("dur", 10*time.Second, "measurement length (after a 1s warm-up)")
	conc := flag.Int("conc", 16, "concurrent submitters (BenchmarkSubmitExperience uses 8 x GOMAXPROCS)")
	dsn := flag.String("dsn", os.Getenv("HEARME_TEST_POSTGRES"), "PostgreSQL base DSN (loopback only); default $HEARME_TEST_POSTGRES")
	flag.Parse()
	if *dur <= 0 || *dur > 10*time.Minute || *conc <= 0 {
		fail("-dur in (0, 10m], -conc above 0")
	}
	ctx := context.Background()

	var db *sql.DB
	var pg bool
	switch *kind {
	case "sqlite":
		dir, err := os.MkdirTemp("", "submitceiling-")
		if err != nil {
			fail("%v", err)
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "ceiling.db")
		migrate(ctx, path)
		// The pragmas of internal/store/dialect: WAL, synchronous=FULL,
		// busy_timeout, foreign keys, BEGIN IMMEDIATE, one writer connection.
		u := url.URL{Scheme: "file", Opaque: path}
		db, err = sql.Open("sqlite", u.String()+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"+
			"&_time_format=sqlite&_pragma=journal_mode(WAL)&_txlock=immediate")
		if err != nil {
			fail("%v", err)
		}
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
	case "postgres":
		pg = true
		base, err := url.Parse(*dsn)
		if err != nil || base.Hostname() == "" {
			fail("-dsn or HEARME_TEST_POSTGRES: a postgres:// URL is needed")
		}
		if h := base.Hostname(); h != "localhost" {
			if ip := net.ParseIP(h); ip == nil || !ip.IsLoopback() {
				fail("-dsn must name a loopback host, got %q", h)
			}
		}
		schema := fmt.Sprintf("ceiling_%d", time.Now().UnixNano())
		admin, err := sql.Open("pgx", *dsn)
		if err != nil {
			fail("%v", err)
		}
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			fail("create schema: %v", err)
		}
		defer admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		q := base.Query()
		q.Set("search_path", schema)
		base.RawQuery = q.Encode()
		migrate(ctx, base.String())
		db, err = sql.Open("pgx", base.String()) // synchronous_commit as the server has it (on)
		if err != nil {
			fail("%v", err)
		}
		db.SetMaxOpenConns(20) // as internal/store/dialect
		db.SetMaxIdleConns(20)
		var sc string
		if err := db.QueryRowContext(ctx, "SHOW synchronous_commit").Scan(&sc); err != nil || sc != "on" {
			fail("synchronous_commit = %q (%v); the comparison needs on", sc, err)
		}
	default:
		fail("-db sqlite|postgres")
	}
	defer db.Close()

	ins := prepare(ctx, db, pg)
	run(ctx, db, ins, *conc, time.Second) // warm-up: connections, statements, caches
	lat, elapsed, errs := run(ctx, db, ins, *conc, *dur)
	slices.Sort(lat)
	q := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[int(p*float64(len(lat)-1))]) / float64(time.Millisecond)
	}
	fmt.Printf("db=%s conc=%d dur=%s subs=%d errors=%d subs/s=%.0f p50-ms=%.2f p90-ms=%.2f p99-ms=%.2f max-ms=%.2f\n",
		*kind, *conc, elapsed.Round(time.Millisecond), len(lat), errs, float64(len(lat))/elapsed.Seconds(), q(0.5), q(0.9), q(0.99), q(1))
}

// migrate creates hearme's tables with hearme's own migrations.
func migrate(ctx context.Context, dsn string) {
	s, err := store.Open(ctx, dsn)
	if err != nil {
		fail("open for migration: %v", err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		fail("migrate: %v", err)
	}
	s.Close()
}

type stmts struct{ exp, stage, eq, consent, contact *sql.Stmt }

func prepare(ctx context.Context, db *sql.DB, pg bool) stmts {
	p := func(q string) *sql.Stmt {
		if pg {
			q = dollar(q)
		}
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			fail("prepare: %v", err)
		}
		return st
	}
	return stmts{
		exp: p(`INSERT INTO experiences (id, reference, secret_hash, kind, status, lang, role, what_happened, went_well,
			could_be_better, idea, cancer_type, services, year, source, recorded_by, event_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		stage: p("INSERT INTO experience_stages (experience_id, stage) VALUES (?, ?)"),
		eq: p(`INSERT INTO equality_answers (experience_id, ethnic_group, ethnic_other, age_band, sex,
			gender_same_as_birth, gender_other, disability, disability_impact, religion, religion_other, main_language, language_other,
			community, postcode_district) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		consent: p(`INSERT INTO consents (experience_id, version, evidence, quote, contact, named, verbal, recorded_by, given_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		contact: p(`INSERT INTO contact_details (experience_id, name_sealed, email_sealed, phone_sealed, created_at, last_contact_at)
			VALUES (?, ?, ?, ?, ?, ?)`),
	}
}

// submit inserts the rows of BenchmarkSubmitExperience's submission
// (internal/store/experiences_test.go, with contact consent) in one
// transaction; Commit returns once the database reports it durable.
func submit(ctx context.Context, db *sql.DB, s stmts) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	id, now := uuid.Must(uuid.NewV7()).String(), time.Now().UTC()
	if _, err := tx.StmtContext(ctx, s.exp).ExecContext(ctx, id, experience.NewReference(), experience.HashSecret(experience.NewSecret()),
		"experience", "pending", "pl", "family-or-carer", "Czekaliśmy długo na wyniki.", "", "An interpreter at every appointment.",
		"", "", "hospital,gp-practice", 2025, "online", "", "", now, now); err != nil {
		return err
	}
	for _, st := range []string{"screening", "treatment"} {
		if _, err := tx.StmtContext(ctx, s.stage).ExecContext(ctx, id, st); err != nil {
			return err
		}
	}
	if _, err := tx.StmtContext(ctx, s.eq).ExecContext(ctx, id, "white-other", "", "55-64", "", "", "", "", "", "prefer-not-to-say",
		"", "", "", "", "LU4"); err != nil {
		return err
	}
	if _, err := tx.StmtContext(ctx, s.consent).ExecContext(ctx, id, "2026-11", true, true, true, false, false, "", now, now); err != nil {
		return err
	}
	if _, err := tx.StmtContext(ctx, s.contact).ExecContext(ctx, id, "v1:k:sealed-name", "v1:k:sealed-email", "", now, now); err != nil {
		return err
	}
	return tx.Commit()
}

func run(ctx context.Context, db *sql.DB, s stmts, conc int, dur time.Duration) ([]time.Duration, time.Duration, int) {
	var (
		mu   sync.Mutex
		all  []time.Duration
		errs int
		wg   sync.WaitGroup
	)
	start := time.Now()
	stop := start.Add(dur)
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 4096)
			bad := 0
			for time.Now().Before(stop) {
				t0 := time.Now()
				if err := submit(ctx, db, s); err != nil {
					if bad == 0 {
						fmt.Fprintln(os.Stderr, "submit:", err)
					}
					bad++
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all, errs = append(all, lat...), errs+bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all, time.Since(start), errs
}

// dollar turns ? placeholders into $1, $2... for PostgreSQL.
func dollar(q string) string {
	out, n := make([]byte, 0, len(q)+16), 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			out = fmt.Appendf(out, "$%d", n)
			continue
		}
		out = append(out, q[i])
	}
	return string(out)
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "submitceiling: "+format+"\n", args...)
	os.Exit(1)
}
