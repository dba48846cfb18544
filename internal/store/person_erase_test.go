package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/rights"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/dialect"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// An erased person leaves nothing behind: a marker planted in every
// free-text place of every table the finder reads (and in their email
// address) is, after ErasePerson and the erase-leftovers job, in none of
// the SQLite files (database, WAL, shared memory, sessions) and in no
// text column of any table on either database; the erased story's data
// key and reference are gone from the SQLite files too. Positive
// controls: the same scans find the marker before erasure, and the
// other person planted beside them is untouched. The schema walk: the
// finder then finds nothing in any table but the rights request's own
// (kept by law), and the tombstone counts what went.
func TestErasePersonLeavesNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		keys := storetest.Keys(t)
		marker := "zqxerase" + randomHex()
		p := plantPerson(t, s, keys, marker)
		kept := plantPerson(t, s, keys, "zqxkept"+randomHex())
		q := store.PersonQuery{Reference: p.Reference, Email: p.Email, Phone: p.Phone}
		keptQ := store.PersonQuery{Reference: kept.Reference, Email: kept.Email, Phone: kept.Phone}
		keptBefore, err := s.FindPerson(ctx, keptQ)
		if err != nil {
			t.Fatal(err)
		}
		key := sealedKeyOf(t, s, p.Experience.ID)

		// Positive controls: before erasure the scans find the marker.
		if cols := columnsHolding(t, s, marker); len(cols) < 5 {
			t.Fatalf("control: the marker is in only %v before erasure", cols)
		}
		if s.Dialect() == dialect.SQLite {
			if !anyHolds(databaseFiles(t, s), marker) {
				t.Fatal("control: the marker is not in the database files before erasure, so the search proves nothing")
			}
		}

		erased, keptKinds, err := s.ErasePerson(ctx, "dpo", p.RequestID, q)
		if err != nil {
			t.Fatal(err)
		}
		if erased["experiences"] != 1 || erased["registrations"] != 1 || erased["invitations"] != 1 || erased["champions"] != 1 || erased["emails"] < 1 ||
			keptKinds[store.KeptRightsRequests] != 1 {
			t.Fatalf("erased %v, kept %v", erased, keptKinds)
		}
		if s.Dialect() == dialect.SQLite {
			// The WAL checkpoint that clears the files. (On PostgreSQL the
			// job rewrites the key and search tables, once transactions
			// older than the erasure end; the check there is of every
			// column of every live row.)
			eraseLeftovers(t, s)
		}

		if cols := columnsHolding(t, s, marker); len(cols) > 0 {
			t.Errorf("after erasure the marker is still in %v", cols)
		}
		if s.Dialect() == dialect.SQLite {
			files := databaseFiles(t, s)
			for what, v := range map[string]string{"marker": marker, "the story's sealed key": key, "the story's reference": p.Reference} {
				for name, b := range files {
					if strings.Contains(string(b), v) {
						t.Errorf("%s is still in %s after erasure", what, name)
					}
				}
			}
			if !anyHolds(files, kept.Reference) {
				t.Error("control: the other person's reference is not in the files")
			}
		}
		after, err := s.FindPerson(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range store.PersonTableNames() {
			if strings.HasPrefix(table, "rights_") {
				continue
			}
			if after.Found[table] != 0 {
				t.Errorf("after erasure the finder still finds %d in %s", after.Found[table], table)
			}
		}
		if after.Found["rights_requests"] != 1 {
			t.Errorf("the rights request itself is kept: found %d", after.Found["rights_requests"])
		}
		keptAfter, err := s.FindPerson(ctx, keptQ)
		if err != nil {
			t.Fatal(err)
		}
		for table, n := range keptBefore.Found {
			if keptAfter.Found[table] != n {
				t.Errorf("the other person's %s: %d before, %d after", table, n, keptAfter.Found[table])
			}
		}
		counts, err := s.ErasureCounts(ctx)
		if err != nil || counts["experiences"] != 1 || counts["registrations"] != 1 || counts["champions"] != 1 {
			t.Errorf("tombstone %v, %v", counts, err)
		}
		// Again: nothing left to erase is a clear answer, not a success.
		if _, _, err := s.ErasePerson(ctx, "dpo", p.RequestID, q); !errors.Is(err, rights.ErrNothingFound) {
			t.Errorf("second erasure: %v, want rights.ErrNothingFound", err)
		}
	})
}

// columnsHolding lists the table.column pairs whose text holds v, over
// every column of every table of the schema.
func columnsHolding(t *testing.T, s *store.Store, v string) []string {
	t.Helper()
	var out []string
	for table, cols := range schemaColumns(t, s) {
		for _, c := range cols {
			var n int
			query := `SELECT COUNT(*) FROM "` + table + `" WHERE CAST("` + c + `" AS TEXT) LIKE ?`
			if err := s.ReadDB().QueryRowContext(ctx, rebind(s, query), "%"+v+"%").Scan(&n); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			if n > 0 {
				out = append(out, table+"."+c)
			}
		}
	}
	return out
}

// Erasing someone who holds a place at an event not yet over is refused
// with the events named, and nothing is erased; once the place is
// cancelled (the person told by the usual email), the erasure goes
// ahead.
func TestEraseRefusesWhileARegistrationIsOpen(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		keys := storetest.Keys(t)
		p := plantPerson(t, s, keys, "zqxopen"+randomHex())
		now := time.Now().UTC()
		ev := &event.Event{Kind: event.KindListening, Visibility: event.Public, Languages: []string{"en"}, Start: now.Add(72 * time.Hour), End: now.Add(74 * time.Hour),
			VenueName: "Hall", VenueAddress: "1 Street", Capacity: 10, Texts: map[string]event.Text{"en": {Title: "Coming"}}}
		if err := s.CreateEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
		ek, pk := s.LookupKeys(p.Email, "")
		cancel := event.Hash("open-" + randomHex())
		if _, err := s.Register(ctx, store.NewRegistration{Registration: event.Registration{EventID: ev.ID, Places: 2, Lang: "en"},
			EmailKey: ek, PhoneKey: pk, CancelHash: cancel}, nil); err != nil {
			t.Fatal(err)
		}
		q := store.PersonQuery{Email: p.Email}
		before, _ := s.FindPerson(ctx, q)
		_, _, err := s.ErasePerson(ctx, "dpo", p.RequestID, q)
		var open *store.OpenRegistrationError
		if !errors.Is(err, rights.ErrOpenRegistration) || !errors.As(err, &open) || len(open.Events) != 1 || open.Events[0].EventID != ev.ID {
			t.Fatalf("erasure with an open registration: %v", err)
		}
		if after, _ := s.FindPerson(ctx, q); after.Total() != before.Total() {
			t.Fatalf("a refused erasure changed something: %d records before, %d after", before.Total(), after.Total())
		}
		if _, _, err := s.CancelRegistration(ctx, cancel, nil); err != nil {
			t.Fatal(err)
		}
		if erased, _, err := s.ErasePerson(ctx, "dpo", p.RequestID, q); err != nil || erased["registrations"] != 2 {
			t.Fatalf("after cancelling: %v %v", erased, err)
		}
	})
}

// A restricted experience is in no output until the restriction is
// lifted: not the analysis facts (breakdowns), the consented quotes
// (evidence, reports), the coded project (exports), the search, nor a
// published snapshot's quote; moderation cannot act on it, and a
// correction waits for the lift. Lifted, it is back everywhere.
func TestRestrictionKeepsAnExperienceOutOfEveryOutput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		keys := storetest.Keys(t)
		p := plantPerson(t, s, keys, "zqxrestrict"+randomHex())
		id := p.Experience.ID
		book := analysis.NewCodebook(nil)
		query, err := analysis.ParseQuery("waited")
		if err != nil {
			t.Fatal(err)
		}
		outputs := func() map[string]bool {
			t.Helper()
			got := map[string]bool{}
			facts, err := s.AnalysisFacts(ctx, book)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range facts {
				got["facts"] = got["facts"] || f.ExperienceID == id
			}
			quotes, err := s.ConsentedQuotes(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range quotes {
				got["quotes"] = got["quotes"] || q.ExperienceID == id
			}
			project, err := s.CodedProject(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range project.Experiences {
				got["export"] = got["export"] || e.ID == id
			}
			res, _, err := s.SearchExperiences(ctx, "analyst", query, store.SearchFilters{}, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				got["search"] = got["search"] || r.ID == id
			}
			return got
		}
		all := []string{"facts", "quotes", "export", "search"}
		before := outputs()
		for _, o := range all {
			if !before[o] {
				t.Fatalf("control: the approved experience is not in %s before restriction", o)
			}
		}
		if err := s.RestrictExperience(ctx, "dpo", p.RequestID, id); err != nil {
			t.Fatal(err)
		}
		during := outputs()
		for _, o := range all {
			if during[o] {
				t.Errorf("restricted, it is still in %s", o)
			}
		}
		if err := s.DecideExperience(ctx, "moderator", id, experience.StatusApproved, ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("moderating a restricted experience: %v", err)
		}
		if err := s.AddCorrection(ctx, p.Reference, p.Experience.Secret, "later correction"); err != nil {
			t.Fatal(err)
		}
		if h, _ := s.ExperienceByReference(ctx, p.Reference, p.Experience.Secret); h.Status != experience.StatusRestricted {
			t.Errorf("a correction lifted the restriction: %s", h.Status)
		}
		if err := s.LiftRestriction(ctx, "dpo", p.RequestID, id); err != nil {
			t.Fatal(err)
		}
		if h, _ := s.ExperienceByReference(ctx, p.Reference, p.Experience.Secret); h.Status != experience.StatusPending {
			t.Errorf("lifted after a correction: %s, want pending (to moderation)", h.Status)
		}
		if err := s.DecideExperience(ctx, "moderator", id, experience.StatusApproved, ""); err != nil {
			t.Fatal(err)
		}
		lifted := outputs()
		for _, o := range all {
			if !lifted[o] {
				t.Errorf("lifted and approved, it is not back in %s", o)
			}
		}
		if err := s.LiftRestriction(ctx, "dpo", p.RequestID, id); !errors.Is(err, rights.ErrNothingFound) {
			t.Errorf("lifting twice: %v", err)
		}
	})
}
