package store_test

import (
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/champion"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// Demo content is marked when the demo loads it, and RemoveDemo takes
// all of it out in one step, with the registrations for demo events,
// and nothing else.
func TestRemoveDemoTakesOutOnlyDemoContent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		// The demo's records, loaded on first start and then marked.
		demoEvent := newTestEvent(t, s, 10, time.Now().Add(48*time.Hour))
		if _, err := s.CreateSupportService(ctx, "system", service("Example group (example)", []string{"en"}, []string{"peer"}, "local")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateAwarenessPage(ctx, "system", "demo-page", 1); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveTrainingModule(ctx, "demo", champion.Module{Title: "Example: welcome", Summary: "Example module.", Required: true}); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkDemo(ctx); err != nil {
			t.Fatal(err)
		}
		demoStory, err := s.SubmitExperience(ctx, submission(), experience.Contact{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MarkDemoExperience(ctx, demoStory.ID); err != nil {
			t.Fatal(err)
		}
		realStory, err := s.SubmitExperience(ctx, submission(), experience.Contact{})
		if err != nil {
			t.Fatal(err)
		}
		// A resident registers for a demo event before anyone notices.
		reg := store.NewRegistration{Registration: event.Registration{ID: store.NewID(), EventID: demoEvent.ID, Places: 1, Lang: "en"}}
		if _, err := s.Register(ctx, reg, nil); err != nil {
			t.Fatal(err)
		}
		// The council's own records, added afterwards.
		real := newTestEvent(t, s, 10, time.Now().Add(72*time.Hour))
		realService, err := s.CreateSupportService(ctx, "staff-1", service("Luton carers centre", []string{"en"}, []string{"carers"}, "local"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateAwarenessPage(ctx, "staff-1", "our-page", 2); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveTrainingModule(ctx, "staff-1", champion.Module{Title: "Our induction", Summary: "Induction.", Required: true}); err != nil {
			t.Fatal(err)
		}

		if c, err := s.CountDemo(ctx); err != nil || c != (store.DemoCounts{Events: 1, SupportServices: 1, AwarenessPages: 1, TrainingModules: 1, Experiences: 1}) {
			t.Fatalf("CountDemo = %+v, %v", c, err)
		}
		c, err := s.RemoveDemo(ctx, "admin-1")
		if err != nil || c.Total() != 5 {
			t.Fatalf("RemoveDemo = %+v, %v", c, err)
		}
		if c, _ := s.CountDemo(ctx); c.Total() != 0 {
			t.Fatalf("demo content left: %+v", c)
		}
		if _, err := s.Event(ctx, demoEvent.ID); err == nil {
			t.Errorf("the demo event is still there")
		}
		if regs := count(t, s, `SELECT COUNT(*) FROM registrations WHERE event_id = ?`, demoEvent.ID); regs != 0 {
			t.Errorf("%d registrations for the removed demo event left", regs)
		}
		if _, err := s.Event(ctx, real.ID); err != nil {
			t.Errorf("the council's event was removed: %v", err)
		}
		if _, err := s.SupportService(ctx, realService); err != nil {
			t.Errorf("the council's service was removed: %v", err)
		}
		if _, err := s.AwarenessPage(ctx, "our-page"); err != nil {
			t.Errorf("the council's awareness page was removed: %v", err)
		}
		if _, err := s.AwarenessPage(ctx, "demo-page"); err == nil {
			t.Errorf("the demo awareness page is still there")
		}
		if mods, _ := s.TrainingModules(ctx, true); len(mods) != 1 || mods[0].Title != "Our induction" {
			t.Errorf("training modules after removing the demo: %+v", mods)
		}
		if n, err := s.Held(ctx, "experiences"); err != nil || n != 1 {
			t.Errorf("experiences after removing the demo: %d, %v; want only the real one", n, err)
		} else if held, err := s.ExperienceByReference(ctx, realStory.Reference, realStory.Secret); err != nil || held.ID != realStory.ID {
			t.Errorf("the real experience after removing the demo: %v", err)
		}
		if audited := count(t, s, `SELECT COUNT(*) FROM audit_log WHERE action = 'demo.removed' AND actor_id = 'admin-1'`); audited != 1 {
			t.Errorf("demo removal audited %d times", audited)
		}
	})
}
