package cli

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/store"
)

// A first start with --demo loads demo events, services, awareness pages
// and training modules, all marked as demo; `hearme demo remove` takes
// every one out in one step and keeps what the council added.
func TestDemoRemove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data := t.TempDir()
	cfg := config.Config{DataDir: data, Demo: true}
	st, err := app.OpenStore(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.CountDemo(ctx)
	if err != nil || c.Events == 0 || c.SupportServices == 0 || c.AwarenessPages == 0 || c.TrainingModules == 0 {
		t.Fatalf("demo content after the first start is not all marked: %+v, %v", c, err)
	}
	all, _ := st.AllSupportServices(ctx)
	if len(all) != c.SupportServices {
		t.Fatalf("%d support services, %d marked as demo", len(all), c.SupportServices)
	}
	if c.Experiences == 0 {
		t.Logf("no demo experiences loaded on first start")
	}
	// The Account step's example: a published recommendation with the
	// ICB's answer, three commitments and two public updates.
	if rep, err := st.Report(ctx); err != nil || c.Recommendations != 1 || len(rep.Recommendations) != 1 || len(rep.Responses) != 1 || len(rep.Commitments) != 3 ||
		rep.ChangesMade[rep.Commitments[0].ID] != 0 || rep.Commitments[0].Progress != 40 || rep.Commitments[2].Progress != 20 {
		t.Fatalf("the demo's report: %d recommendations marked, %+v, %v", c.Recommendations, rep, err)
	}
	if _, err := st.CreateAwarenessPage(ctx, "staff-1", "our-own-page", 99); err != nil {
		t.Fatal(err)
	}
	st.Close()

	if code, out, errs := run(t, "demo", "remove", "--dry-run", "--data", data); code != 0 || !strings.Contains(out, "would remove") {
		t.Fatalf("demo remove --dry-run: %d %s %s", code, out, errs)
	}
	code, out, errs := run(t, "demo", "remove", "--data", data)
	if code != 0 || !strings.Contains(out, "demo content removed") {
		t.Fatalf("demo remove: %d %s %s", code, out, errs)
	}
	st, err = store.Open(ctx, cfg.DatabaseDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if c, _ := st.CountDemo(ctx); c.Total() != 0 {
		t.Fatalf("demo content left after demo remove: %+v", c)
	}
	n, err := st.Held(ctx, "events")
	if err != nil {
		t.Fatal(err)
	}
	if all, _ := st.AllSupportServices(ctx); n != 0 || len(all) != 0 {
		t.Fatalf("after demo remove: %d events, %d services", n, len(all))
	}
	if _, err := st.AwarenessPage(ctx, "our-own-page"); err != nil {
		t.Fatalf("the council's own page was removed: %v", err)
	}
	if has, _ := st.HasExperiences(ctx); has {
		t.Fatalf("experiences left after demo remove (only demo ones were loaded)")
	}
	if rep, _ := st.Report(ctx); len(rep.Recommendations)+len(rep.Commitments) != 0 {
		t.Fatalf("the demo's recommendation left after demo remove: %+v", rep)
	}
	if has, _ := st.HasProgramme(ctx); !has {
		t.Fatalf("the programme configuration was removed too")
	}
}
