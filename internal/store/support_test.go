package store_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
	"github.com/hearme-project/hearme/internal/support"
)

func service(name string, langs, needs []string, area string) support.Service {
	s := support.Service{Name: name, Organisation: "Org " + name, Summary: "Help for " + name, Needs: needs, Area: area,
		Languages: langs, Phone: "01632 960000"}
	s.Validate(support.Allowed{Stages: []string{"screening", "end-of-life"}, Communities: []string{"black-african"}})
	return s
}

func names(svs []support.Service) []string {
	var out []string
	for _, s := range svs {
		out = append(out, s.Name)
	}
	return out
}

func TestSupportDirectory(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		somali := service("Somali circle", []string{"so", "en"}, []string{"emotional", "peer"}, "local")
		somali.Communities = []string{"black-african"}
		somali.Summaries = map[string]string{"so": "Taageero shucuureed"}
		polish := service("Polish drop-in", []string{"pl"}, []string{"information"}, "local")
		national := service("National line", []string{"en"}, []string{"emotional", "information"}, "national")
		hospice := service("Hospice 50% care_team", []string{"en"}, []string{"end-of-life"}, "regional")
		hospice.Stages = []string{"end-of-life"}
		ids := map[string]string{}
		for _, sv := range []support.Service{somali, polish, national, hospice} {
			id, err := s.CreateSupportService(ctx, "staff-1", sv)
			if err != nil {
				t.Fatal(err)
			}
			ids[sv.Name] = id
		}
		got, err := s.SupportService(ctx, ids["Somali circle"])
		if err != nil || got.SummaryIn("so") != "Taageero shucuureed" || !slices.Equal(got.Languages, []string{"en", "so"}) || got.Phone != "01632 960000" {
			t.Fatalf("read back: %+v %v", got, err)
		}
		if _, err := s.SupportService(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing service: %v", err)
		}

		for _, c := range []struct {
			f    support.Filter
			want []string
		}{
			{support.Filter{}, []string{"Hospice 50% care_team", "National line", "Polish drop-in", "Somali circle"}},
			{support.Filter{Language: "so"}, []string{"Somali circle"}},
			{support.Filter{Need: "emotional"}, []string{"National line", "Somali circle"}},
			{support.Filter{Need: "emotional", Area: "national"}, []string{"National line"}},
			{support.Filter{Community: "black-african"}, []string{"Somali circle"}},
			{support.Filter{Stage: "screening"}, []string{"National line", "Polish drop-in", "Somali circle"}},
			{support.Filter{Text: "SHUCUUR"}, []string{"Somali circle"}},
			{support.Filter{Text: "50%"}, []string{"Hospice 50% care_team"}},
			{support.Filter{Text: "%"}, []string{"Hospice 50% care_team"}},
			{support.Filter{Text: "e_t"}, []string{"Hospice 50% care_team"}},
			{support.Filter{Text: "org polish"}, []string{"Polish drop-in"}},
			{support.Filter{Language: "so", Need: "information"}, nil},
		} {
			res, total, err := s.SearchSupport(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(names(res), c.want) || total != len(c.want) {
				t.Errorf("search %+v = %q (total %d), want %q", c.f, names(res), total, c.want)
			}
		}
		page, total, _ := s.SearchSupport(ctx, support.Filter{Limit: 2, Offset: 2})
		if total != 4 || !slices.Equal(names(page), []string{"Polish drop-in", "Somali circle"}) {
			t.Errorf("second page: %q of %d", names(page), total)
		}

		// The offer: the page's language first, then needs, then national.
		offer, err := s.SupportOffer(ctx, store.OfferQuery{Lang: "so", Needs: []string{"emotional", "information"}, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"Somali circle", "National line", "Polish drop-in"}; !slices.Equal(names(offer), want) {
			t.Errorf("offer in Somali = %q, want %q", names(offer), want)
		}
		offer, _ = s.SupportOffer(ctx, store.OfferQuery{Lang: "pl", Needs: []string{"emotional"}, Stage: "end-of-life", Limit: 4})
		if want := []string{"Polish drop-in", "National line", "Somali circle", "Hospice 50% care_team"}; !slices.Equal(names(offer), want) {
			t.Errorf("offer in Polish at the end of life = %q, want %q", names(offer), want)
		}
		offer, _ = s.SupportOffer(ctx, store.OfferQuery{Lang: "pl", Stage: "screening", Limit: 4})
		if names(offer)[3] != "Hospice 50% care_team" {
			t.Errorf("a service for another stage should come last: %q", names(offer))
		}

		// Update keeps the check; the unchecked filter.
		if err := s.MarkSupportChecked(ctx, "staff-2", ids["Polish drop-in"]); err != nil {
			t.Fatal(err)
		}
		polish.ID = ids["Polish drop-in"]
		polish.Hours = "Mondays 10-12"
		if err := s.UpdateSupportService(ctx, "staff-1", polish); err != nil {
			t.Fatal(err)
		}
		got, _ = s.SupportService(ctx, polish.ID)
		if got.Hours != "Mondays 10-12" || got.CheckedAt.IsZero() || got.CheckedBy != "staff-2" {
			t.Fatalf("after update: %+v", got)
		}
		res, _, _ := s.SearchSupport(ctx, support.Filter{UncheckedBefore: time.Now().Add(-time.Hour)})
		if slices.Contains(names(res), "Polish drop-in") || len(res) != 3 {
			t.Errorf("unchecked list: %q", names(res))
		}
		res, _, _ = s.SearchSupport(ctx, support.Filter{UncheckedBefore: time.Now().Add(time.Hour)})
		if len(res) != 4 {
			t.Errorf("checked before a later cut-off: %q", names(res))
		}
		if err := s.UpdateSupportService(ctx, "x", support.Service{ID: "missing"}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update missing: %v", err)
		}
		if err := s.MarkSupportChecked(ctx, "x", "missing"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("check missing: %v", err)
		}
		if err := s.DeleteSupportService(ctx, "staff-1", ids["Hospice 50% care_team"]); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSupportService(ctx, "staff-1", ids["Hospice 50% care_team"]); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
		if langs, _ := s.SupportLanguages(ctx); !slices.Equal(langs, []string{"en", "pl", "so"}) {
			t.Errorf("languages offered: %q", langs)
		}
	})
}

func TestSupportImportIsAllOrNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		existing, err := s.CreateSupportService(ctx, "staff-1", service("Existing", []string{"en"}, []string{"emotional"}, "local"))
		if err != nil {
			t.Fatal(err)
		}
		upd := service("Existing renamed", []string{"en", "ur"}, []string{"carers"}, "regional")
		upd.ID = existing
		given := service("Given id", []string{"ro"}, []string{"practical"}, "local")
		given.ID = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
		given.CheckedAt = time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
		created, updated, err := s.ImportSupportServices(ctx, "staff-1", []support.Service{upd, given, service("New", []string{"bn"}, []string{"peer"}, "local")})
		if err != nil || created != 2 || updated != 1 {
			t.Fatalf("import: %d created, %d updated, %v", created, updated, err)
		}
		all, _ := s.AllSupportServices(ctx)
		if !slices.Equal(names(all), []string{"Existing renamed", "Given id", "New"}) {
			t.Fatalf("after import: %q", names(all))
		}
		if res, _, _ := s.SearchSupport(ctx, support.Filter{Language: "ur"}); len(res) != 1 || res[0].ID != existing {
			t.Fatalf("tags not replaced on update: %q", names(res))
		}
		if g, _ := s.SupportService(ctx, given.ID); !g.CheckedAt.Equal(given.CheckedAt) {
			t.Fatalf("last checked not imported: %v", g.CheckedAt)
		}
		// A failure half-way (here a row too long for nothing but the
		// database to refuse: two rows with one id inserted twice is
		// fine, so use a broken tag) leaves everything as it was.
		bad := service("Should not stay", []string{"en"}, []string{"emotional"}, "local")
		broken := service("Broken", []string{"en"}, []string{"emotional", "emotional"}, "local") // a duplicate tag breaks the primary key
		broken.Needs = []string{"emotional", "emotional"}
		if _, _, err := s.ImportSupportServices(ctx, "staff-1", []support.Service{bad, broken}); err == nil {
			t.Fatal("an import with a broken row succeeded")
		}
		all, _ = s.AllSupportServices(ctx)
		if len(all) != 3 || slices.Contains(names(all), "Should not stay") {
			t.Fatalf("a failed import left rows behind: %q", names(all))
		}
	})
}

func TestSignpostCounts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		id, _ := s.CreateSupportService(ctx, "staff-1", service("Line", []string{"en"}, []string{"emotional"}, "national"))
		for i := 0; i < 3; i++ {
			if err := s.AddSignposts(ctx, []store.Signpost{
				{ServiceID: id, Month: "2026-05", Place: "experience", Shown: 1},
				{ServiceID: id, Month: "2026-05", Place: "event", EventID: "ev-1", Shown: 2, Opened: 1},
			}); err != nil {
				t.Fatal(err)
			}
		}
		s.AddSignposts(ctx, []store.Signpost{{ServiceID: id, Month: "2026-06", Place: "directory", Opened: 4}})
		rows, err := s.SignpostReport(ctx, "2026-01")
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(rows)
		want := fmt.Sprint([]store.SignpostRow{{id, "Line", "2026-06", "directory", 0, 4}, {id, "Line", "2026-05", "event", 6, 3}, {id, "Line", "2026-05", "experience", 3, 0}})
		if got != want {
			t.Fatalf("report:\n%s\nwant\n%s", got, want)
		}
		if rows, _ := s.SignpostReport(ctx, "2026-06"); len(rows) != 1 {
			t.Fatalf("from June: %v", rows)
		}
		shown, opened, err := s.SignpostsForEvent(ctx, "ev-1")
		if err != nil || shown != 6 || opened != 3 {
			t.Fatalf("event counts: %d %d %v", shown, opened, err)
		}
		if shown, opened, _ := s.SignpostsForEvent(ctx, "ev-2"); shown != 0 || opened != 0 {
			t.Fatal("another event has counts")
		}
		// Counts outlive a deleted service, under no name.
		s.DeleteSupportService(ctx, "staff-1", id)
		if rows, _ := s.SignpostReport(ctx, "2026-01"); len(rows) != 3 || rows[0].Name != "" {
			t.Fatalf("after delete: %v", rows)
		}
	})
}

// Importing one file twice updates its services instead of adding them
// again: rows with an id by id, rows without one by name and
// organisation.
func TestSupportImportTwiceAddsNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		withID := service("With id", []string{"en"}, []string{"emotional"}, "local")
		withID.ID = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
		file := []support.Service{withID, service("Without id", []string{"ur"}, []string{"carers"}, "local")}
		if created, updated, err := s.ImportSupportServices(ctx, "staff-1", file); err != nil || created != 2 || updated != 0 {
			t.Fatalf("first import: %d created, %d updated, %v", created, updated, err)
		}
		again := slices.Clone(file)
		again[1].Summary = "Changed summary"
		again[1].Name = "WITHOUT ID " // case and spaces do not make it another service
		if created, updated, err := s.ImportSupportServices(ctx, "staff-1", again); err != nil || created != 0 || updated != 2 {
			t.Fatalf("second import: %d created, %d updated, %v", created, updated, err)
		}
		all, _ := s.AllSupportServices(ctx)
		if len(all) != 2 {
			t.Fatalf("the second import added services: %q", names(all))
		}
		for _, sv := range all {
			if sv.ID != withID.ID && sv.Summary != "Changed summary" {
				t.Fatalf("the row without an id did not update its service: %+v", sv)
			}
		}
	})
}
