package store_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
	"github.com/hearme-project/hearme/internal/support"
)

// randomDirectory is n services with names that repeat (so ties go by
// id), mixed case and letters beyond ASCII, summaries in other
// languages, and every combination of tags.
func randomDirectory(rng *rand.Rand, n int) []support.Service {
	words := []string{"Cancer", "care", "Somali", "ÉCOLE", "école", "Åsa", "help", "line", "50%", "care_team", "Hospice", "drop-in", "Bangla", "peer", "Wellbeing", "ŁÓDŹ"}
	pick := func(from []string, most int) []string {
		var out []string
		for range rng.IntN(most + 1) {
			out = append(out, from[rng.IntN(len(from))])
		}
		return out
	}
	phrase := func(k int) string { return strings.Join(pick(words, k), " ") + " " + words[rng.IntN(len(words))] }
	langs := []string{"en", "so", "ur", "bn", "pl", "ro", "pa"}
	svs := make([]support.Service, 0, n)
	for i := range n {
		sv := support.Service{
			Name:         phrase(2),
			Organisation: phrase(1),
			Summary:      phrase(6),
			Needs:        append(pick(support.Needs, 3), support.Needs[rng.IntN(len(support.Needs))]),
			Stages:       pick([]string{"screening", "diagnosis", "end-of-life"}, 2),
			Area:         support.Areas[rng.IntN(len(support.Areas))],
			Languages:    append(pick(langs, 3), langs[rng.IntN(len(langs))]),
			Communities:  pick([]string{"black-african", "south-asian", "eastern-european"}, 2),
			Phone:        "01632 960000",
		}
		if rng.IntN(3) == 0 {
			sv.Summaries = map[string]string{"so": phrase(4) + " Taageero", "ur": phrase(3) + " مدد"}
		}
		if rng.IntN(2) == 0 {
			sv.CheckedAt = time.Date(2026, 1, 1+i%28, 0, 0, 0, 0, time.UTC)
		}
		if errs := sv.Validate(support.Allowed{Stages: []string{"screening", "diagnosis", "end-of-life"},
			Communities: []string{"black-african", "south-asian", "eastern-european"}}); len(errs) > 0 {
			panic(fmt.Sprint(errs))
		}
		svs = append(svs, sv)
	}
	return svs
}

func supportIDs(svs []support.Service) []string {
	out := make([]string, len(svs))
	for i, sv := range svs {
		out[i] = sv.ID
	}
	return out
}

// The directory kept in memory answers every search and offer exactly
// as the SQL does, in the same order, on both databases.
func TestSupportDirectoryInMemoryAgreesWithStore(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		rng := rand.New(rand.NewPCG(7, 11))
		if _, _, err := s.ImportSupportServices(ctx, "staff-1", randomDirectory(rng, 300)); err != nil {
			t.Fatal(err)
		}
		// Replace some through an import with ids (old tags removed,
		// new ones written) and delete a few.
		all, err := s.AllSupportServices(ctx)
		if err != nil || len(all) != 300 {
			t.Fatalf("%d services, %v", len(all), err)
		}
		again := randomDirectory(rng, 40)
		for i := range again {
			again[i].ID = all[i*7].ID
		}
		if _, updated, err := s.ImportSupportServices(ctx, "staff-1", again); err != nil || updated != 40 {
			t.Fatalf("re-import: %d updated, %v", updated, err)
		}
		for _, sv := range all[280:] {
			if err := s.DeleteSupportService(ctx, "staff-1", sv.ID); err != nil {
				t.Fatal(err)
			}
		}
		version, err := s.SupportVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		all, err = s.AllSupportServices(ctx)
		if err != nil {
			t.Fatal(err)
		}
		d := support.NewDirectory(all, version, time.Now())
		if d.Len() != 280 {
			t.Fatalf("directory has %d services", d.Len())
		}
		if langs, _ := s.SupportLanguages(ctx); !slices.Equal(langs, d.Languages()) {
			t.Errorf("languages: store %v, memory %v", langs, d.Languages())
		}

		orNone := func(xs ...string) string {
			if rng.IntN(2) == 0 {
				return ""
			}
			return xs[rng.IntN(len(xs))]
		}
		texts := []string{"care", "CARE", " école ", "ÉCOLE", "åsa", "50%", "care_team", "_", "%", `\`, "line cancer", "taageero", "مدد", "łódź", "nothing like this", "  "}
		for i := range 400 {
			f := support.Filter{
				Need:      orNone(support.Needs...),
				Area:      orNone(support.Areas...),
				Language:  orNone("en", "so", "ur", "pa", "xx"),
				Community: orNone("black-african", "south-asian", "eastern-european"),
				Stage:     orNone("screening", "diagnosis", "end-of-life"),
				Limit:     rng.IntN(30),
				Offset:    rng.IntN(60) - 5,
			}
			if rng.IntN(2) == 0 {
				f.Text = texts[rng.IntN(len(texts))]
			}
			if rng.IntN(4) == 0 {
				f.UncheckedBefore = time.Date(2026, 1, 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
			}
			want, wantTotal, err := s.SearchSupport(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			got, total := d.Search(f)
			if total != wantTotal || !slices.Equal(supportIDs(got), supportIDs(want)) {
				t.Fatalf("search %d %+v: store %d %v, memory %d %v", i, f, wantTotal, names(want), total, names(got))
			}
		}
		for i := range 200 {
			lang := orNone("en", "so", "ur", "bn", "pa", "xx")
			needs := []string{}
			for range rng.IntN(3) {
				needs = append(needs, support.Needs[rng.IntN(len(support.Needs))])
			}
			stage := orNone("screening", "diagnosis", "end-of-life")
			limit := rng.IntN(8)
			want, err := s.SupportOffer(ctx, store.OfferQuery{Lang: lang, Needs: needs, Stage: stage, Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Offer(lang, needs, stage, limit); !slices.Equal(supportIDs(got), supportIDs(want)) {
				t.Fatalf("offer %d (%q %v %q %d): store %v, memory %v", i, lang, needs, stage, limit, names(want), names(got))
			}
		}
	})
}

// The version changes with every kind of change to the directory, so a
// copy in memory is read again after it.
func TestSupportVersion(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seen := map[string]bool{}
		step := func(what string) {
			t.Helper()
			v, err := s.SupportVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if seen[v] {
				t.Fatalf("after %s the version %q is one seen before", what, v)
			}
			seen[v] = true
		}
		step("nothing")
		id, err := s.CreateSupportService(ctx, "staff-1", service("One", []string{"en"}, []string{"emotional"}, "local"))
		if err != nil {
			t.Fatal(err)
		}
		step("create")
		time.Sleep(2 * time.Millisecond)
		sv := service("One again", []string{"so"}, []string{"peer"}, "national")
		sv.ID = id
		if err := s.UpdateSupportService(ctx, "staff-1", sv); err != nil {
			t.Fatal(err)
		}
		step("update")
		time.Sleep(2 * time.Millisecond)
		if err := s.MarkSupportChecked(ctx, "staff-1", id); err != nil {
			t.Fatal(err)
		}
		step("checked")
		if _, _, err := s.ImportSupportServices(ctx, "staff-1", []support.Service{service("Two", []string{"en"}, []string{"peer"}, "local")}); err != nil {
			t.Fatal(err)
		}
		step("import")
		if err := s.DeleteSupportService(ctx, "staff-1", id); err != nil {
			t.Fatal(err)
		}
		step("delete")
	})
}
