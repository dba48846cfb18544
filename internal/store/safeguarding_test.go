package store_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// TestSafeguardingFlags: a submission or a correction that suggests a
// risk of harm raises a flag (audited), which stays open, whatever the
// story's moderation status, until a moderator records how they
// escalated it (once, audited); withdrawal removes it with the story.
func TestSafeguardingFlags(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clean, err := s.SubmitExperience(ctx, submission(), experience.Contact{})
		if err != nil {
			t.Fatal(err)
		}
		if fs, err := s.SafeguardingFlags(ctx, clean.ID); err != nil || len(fs) != 0 {
			t.Fatalf("a story without risk has flags: %+v %v", fs, err)
		}
		sub := submission()
		sub.CouldBeBetter = "Nie chcę już żyć. Nobody asked how I was."
		rc, err := s.SubmitExperience(ctx, sub, experience.Contact{})
		if err != nil {
			t.Fatal(err)
		}
		fs, err := s.SafeguardingFlags(ctx, rc.ID)
		if err != nil || len(fs) != 1 || !fs[0].Open() || fs[0].Source != store.FlagFromSubmission || !slices.Contains(fs[0].Phrases, "pl: nie chce juz zyc") {
			t.Fatalf("flag after a risky submission: %+v %v", fs, err)
		}
		entries, _ := s.RecentAudit(ctx, 5)
		if !slices.ContainsFunc(entries, func(e audit.Entry) bool { return e.Action == audit.SafeguardingRaised && e.Subject == rc.ID }) {
			t.Fatalf("raising the flag was not audited: %+v", entries)
		}
		open, err := s.OpenSafeguardingFlags(ctx, 10)
		if err != nil || len(open) != 1 || open[0].ExperienceID != rc.ID || open[0].Reference != rc.Reference {
			t.Fatalf("open flags: %+v %v", open, err)
		}

		if err := s.RecordEscalation(ctx, "connector-1", clean.ID, "x", "y"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("escalating a story without a flag: %v", err)
		}
		if err := s.RecordEscalation(ctx, "connector-1", rc.ID, "Safeguarding lead (phone)", "Lead will call the person back today"); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordEscalation(ctx, "connector-2", rc.ID, "someone", "else"); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("recording twice: %v", err)
		}
		fs, _ = s.SafeguardingFlags(ctx, rc.ID)
		if fs[0].Open() || fs[0].EscalatedBy != "connector-1" || fs[0].EscalatedTo != "Safeguarding lead (phone)" || fs[0].Action != "Lead will call the person back today" {
			t.Fatalf("after recording: %+v", fs[0])
		}
		entries, _ = s.RecentAudit(ctx, 1)
		if entries[0].Action != audit.SafeguardingEscalated || entries[0].ActorID != "connector-1" || entries[0].Subject != rc.ID {
			t.Fatalf("escalation not audited: %+v", entries[0])
		}
		if open, _ := s.OpenSafeguardingFlags(ctx, 10); len(open) != 0 {
			t.Fatalf("recorded flag still open: %+v", open)
		}

		// A correction to an approved story raises a new flag.
		if err := s.DecideExperience(ctx, "connector-1", rc.ID, experience.StatusApproved, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.AddCorrection(ctx, rc.Reference, rc.Secret, "I have thought about suicide since."); err != nil {
			t.Fatal(err)
		}
		fs, _ = s.SafeguardingFlags(ctx, rc.ID)
		if len(fs) != 2 || !fs[1].Open() || fs[1].Source != store.FlagFromCorrection {
			t.Fatalf("after a risky correction: %+v", fs)
		}
		if open, _ := s.OpenSafeguardingFlags(ctx, 10); len(open) != 1 {
			t.Fatalf("correction flag not open: %+v", open)
		}

		if err := s.WithdrawExperience(ctx, rc.Reference, rc.Secret); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Held(ctx, "safeguarding_flags"); err != nil || n != 0 {
			t.Fatalf("%d flags left after withdrawal", n)
		}
	})
}

// TestSafeguardingEscalationPath: the programme's escalation path is
// stored with the configuration and survives an edit of the settings.
func TestSafeguardingEscalationPath(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		want := demo.Luton()
		if !want.Safeguarding.Configured() || !want.Safeguarding.Example {
			t.Fatalf("the demo has no example escalation path: %+v", want.Safeguarding)
		}
		if err := s.ReplaceProgramme(ctx, "test", want); err != nil {
			t.Fatal(err)
		}
		got, err := s.Programme(ctx)
		if err != nil || got.Safeguarding != want.Safeguarding {
			t.Fatalf("escalation path %+v, want %+v (%v)", got.Safeguarding, want.Safeguarding, err)
		}
		set := got.Settings
		set.Name = "Renamed"
		if err := s.UpdateSettings(ctx, "admin", set); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Programme(ctx)
		if got.Settings.Name != "Renamed" || got.Safeguarding != want.Safeguarding {
			t.Fatalf("after a settings edit: %+v, %+v", got.Settings.Name, got.Safeguarding)
		}
	})
}
