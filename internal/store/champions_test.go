package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/champion"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

func apply(t *testing.T, s *store.Store, name string) string {
	t.Helper()
	id, err := s.SubmitChampionApplication(ctx, store.NewChampionApplication{Lang: "bn", NameSealed: "v1:k:" + name, EmailSealed: "v1:k:email",
		DetailsSealed: "v1:k:details", ConsentVersion: champion.ConsentVersion}, mail.Queued{Kind: "champion_received", Payload: "v1:k:mail"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func outboxKinds(t *testing.T, s *store.Store) map[string]int {
	t.Helper()
	queued, err := s.OutboxMail(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, m := range queued {
		out[m.Kind]++
	}
	return out
}

func activation(email string) *store.Activation {
	return &store.Activation{Email: email, DisplayName: "Rina", TokenHash: "hash-" + email, TTL: time.Hour,
		Welcome: mail.Queued{Kind: "champion_welcome", Payload: "v1:k:welcome"}}
}

func TestChampionPipeline(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		connector, err := s.CreateUser(ctx, "test", account.NewUser{Email: "c@example.org", DisplayName: "Connie", Role: account.Connector})
		if err != nil {
			t.Fatal(err)
		}
		id := apply(t, s, "rina")
		if k := outboxKinds(t, s); k["champion_received"] != 1 {
			t.Fatalf("acknowledgement not queued with the application: %v", k)
		}
		c, err := s.ChampionByID(ctx, id)
		if err != nil || c.Stage != champion.Applied || c.NameSealed != "v1:k:rina" || c.Lang != "bn" || c.ConsentVersion != champion.ConsentVersion {
			t.Fatalf("stored: %+v %v", c, err)
		}
		// Illegal moves are refused and change nothing.
		for _, to := range []champion.Stage{champion.Active, champion.Training, champion.Paused, "nonsense"} {
			if err := s.MoveChampion(ctx, connector.ID, id, to, "", activation("x@example.org")); !errors.Is(err, champion.ErrIllegalMove) {
				t.Fatalf("applied -> %s: %v", to, err)
			}
		}
		if n, _ := s.CountUsers(ctx, account.Champion); n != 0 {
			t.Fatal("an illegal move made an account")
		}
		if err := s.MoveChampion(ctx, connector.ID, "missing", champion.Contacted, "", nil); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing champion: %v", err)
		}
		if err := s.SetChampionOwner(ctx, connector.ID, id, connector.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.SetChampionOwner(ctx, connector.ID, id, "not-staff"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("owner who is nobody: %v", err)
		}
		if err := s.MoveChampion(ctx, connector.ID, id, champion.Contacted, "v1:k:called her", nil); err != nil {
			t.Fatal(err)
		}
		if err := s.MoveChampion(ctx, connector.ID, id, champion.Training, "", nil); err != nil {
			t.Fatal(err)
		}
		if err := s.AddChampionNote(ctx, connector.ID, id, "v1:k:note"); err != nil {
			t.Fatal(err)
		}
		notes, _ := s.ChampionNotes(ctx, id)
		if len(notes) != 3 || notes[0].BodySealed != "v1:k:note" || notes[2].Stage != champion.Contacted || notes[2].AuthorName != "Connie" {
			t.Fatalf("notes: %+v", notes)
		}
		if p, _ := s.ChampionPipeline(ctx, store.ChampionFilter{Stage: champion.Training, OwnerID: connector.ID}); len(p) != 1 || p[0].OwnerName != "Connie" || !p[0].Proceeded {
			t.Fatalf("pipeline filtered: %+v", p)
		}
		if p, _ := s.ChampionPipeline(ctx, store.ChampionFilter{OwnerID: "none"}); len(p) != 0 {
			t.Fatalf("no owner filter: %+v", p)
		}

		// Training.
		mod, err := s.SaveTrainingModule(ctx, connector.ID, champion.Module{Title: "Safeguarding", Required: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RecordTraining(ctx, connector.ID, id, mod, time.Now().AddDate(0, 0, 2).Format("2006-01-02")); !errors.Is(err, champion.ErrInvalidDate) {
			t.Fatalf("future training date: %v", err)
		}
		if err := s.RecordTraining(ctx, connector.ID, id, "nope", "2026-01-02"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown module: %v", err)
		}
		if err := s.RecordTraining(ctx, connector.ID, id, mod, "2026-01-02"); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordTraining(ctx, connector.ID, id, mod, "2026-01-03"); err != nil {
			t.Fatal(err)
		}
		if tr, _ := s.TrainingRecords(ctx, id); len(tr) != 1 || tr[0].CompletedOn != "2026-01-03" || tr[0].RecordedBy != "Connie" || tr[0].Title != "Safeguarding" {
			t.Fatalf("training record: %+v", tr)
		}

		// Outreach is refused before they are active.
		o := champion.Outreach{Date: "2026-01-10", Community: "bangladeshi", Place: "Mosque hall", PeopleReached: 12, Minutes: 90, FollowUp: "Call Mrs A"}
		if _, err := s.LogOutreach(ctx, id, o); !errors.Is(err, champion.ErrIllegalMove) {
			t.Fatalf("outreach before active: %v", err)
		}

		// Active without account details is refused; with an email
		// already in use, nothing at all happens (no account, no mail).
		if err := s.MoveChampion(ctx, connector.ID, id, champion.Active, "", nil); !errors.Is(err, champion.ErrNoActivation) {
			t.Fatalf("active without activation: %v", err)
		}
		if err := s.MoveChampion(ctx, connector.ID, id, champion.Active, "", activation("c@example.org")); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("email taken: %v", err)
		}
		if c, _ := s.ChampionByID(ctx, id); c.Stage != champion.Training || c.UserID != "" {
			t.Fatalf("failed activation changed the record: %+v", c)
		}
		if k := outboxKinds(t, s); k["champion_welcome"] != 0 {
			t.Fatal("a failed activation queued the welcome email")
		}
		// Activation: account, set-up link and welcome email together.
		if err := s.MoveChampion(ctx, connector.ID, id, champion.Active, "", activation("rina@example.org")); err != nil {
			t.Fatal(err)
		}
		c, _ = s.ChampionByID(ctx, id)
		u, err := s.UserByEmail(ctx, "rina@example.org")
		if err != nil || c.UserID != u.ID || u.Role != account.Champion || u.HasPassword() {
			t.Fatalf("account: %+v %v (champion %+v)", u, err, c)
		}
		if tok, err := s.SetupTokenByHash(ctx, "hash-rina@example.org"); err != nil || tok.UserID != u.ID {
			t.Fatalf("set-up link: %+v %v", tok, err)
		}
		if k := outboxKinds(t, s); k["champion_welcome"] != 1 {
			t.Fatalf("welcome email: %v", k)
		}
		if byUser, err := s.ChampionByUser(ctx, u.ID); err != nil || byUser.ID != id {
			t.Fatalf("by user: %+v %v", byUser, err)
		}
		entries, _ := s.RecentAudit(ctx, 3)
		if entries[0].Action != store.AuditChampionMoved || entries[1].Action != "user.created" {
			t.Fatalf("activation not audited: %+v", entries)
		}

		// Outreach and totals.
		if _, err := s.LogOutreach(ctx, id, o); err != nil {
			t.Fatal(err)
		}
		o2 := o
		o2.Community, o2.PeopleReached, o2.Minutes = "pakistani", 30, 60
		s.LogOutreach(ctx, id, o2)
		sub := submission()
		sub.Source, sub.RecordedBy = experience.SourceChampion, u.ID
		sub.Equality.Community = "bangladeshi"
		if _, err := s.SubmitExperience(ctx, sub, experience.Contact{}); err != nil {
			t.Fatal(err)
		}
		mine, _ := s.OutreachOf(ctx, id, 10)
		if len(mine) != 2 || mine[0].FollowUp != "Call Mrs A" {
			t.Fatalf("my outreach: %+v", mine)
		}
		// A mistaken entry can be deleted by its champion only.
		wrong, _ := s.LogOutreach(ctx, id, o)
		if err := s.DeleteOutreach(ctx, "someone-else", wrong); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleting another's entry: %v", err)
		}
		if err := s.DeleteOutreach(ctx, id, wrong); err != nil {
			t.Fatal(err)
		}
		tot, err := s.ChampionTotals(ctx)
		if err != nil || len(tot) != 1 || tot[0].Sessions != 2 || tot[0].PeopleReached != 42 || tot[0].Minutes != 150 || tot[0].Experiences != 1 {
			t.Fatalf("by champion: %+v %v", tot, err)
		}
		byCom, err := s.CommunityTotals(ctx)
		if err != nil || len(byCom) != 2 || byCom[0].Key != "pakistani" || byCom[0].PeopleReached != 30 || byCom[1].Key != "bangladeshi" || byCom[1].Experiences != 1 || byCom[1].Sessions != 1 {
			t.Fatalf("by community: %+v %v", byCom, err)
		}
		pc, _ := s.PublicChampionCounts(ctx)
		if pc != (store.ChampionPublicCounts{Active: 1, Sessions: 2, PeopleReached: 42}) {
			t.Fatalf("public counts: %+v", pc)
		}

		// Leaving disables the account at once; paused -> active again.
		if err := s.MoveChampion(ctx, connector.ID, id, champion.Paused, "", nil); err != nil {
			t.Fatal(err)
		}
		if err := s.MoveChampion(ctx, connector.ID, id, champion.Active, "", nil); err != nil {
			t.Fatalf("back to active reuses the account: %v", err)
		}
		if n, _ := s.CountUsers(ctx, account.Champion); n != 1 {
			t.Fatalf("%d champion accounts", n)
		}
		if err := s.MoveChampion(ctx, connector.ID, id, champion.Left, "", nil); err != nil {
			t.Fatal(err)
		}
		if u, _ := s.UserByID(ctx, u.ID); !u.Disabled {
			t.Fatal("the account of a champion who left still works")
		}
		if err := s.MoveChampion(ctx, connector.ID, id, champion.Active, "", nil); !errors.Is(err, champion.ErrIllegalMove) {
			t.Fatalf("left is the end: %v", err)
		}
	})
}

func TestChampionRetention(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		start := time.Now().UTC()
		s.SetClock(func() time.Time { return start })
		stale := apply(t, s, "stale")       // never contacted
		declined := apply(t, s, "declined") // contacted, then turned down
		s.MoveChampion(ctx, "c", declined, champion.Contacted, "v1:k:n", nil)
		s.MoveChampion(ctx, "c", declined, champion.Left, "", nil)
		left := apply(t, s, "left") // trained, active, then left
		for _, st := range []champion.Stage{champion.Contacted, champion.Training} {
			if err := s.MoveChampion(ctx, "c", left, st, "v1:k:note", nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.MoveChampion(ctx, "c", left, champion.Active, "", activation("left@example.org")); err != nil {
			t.Fatal(err)
		}
		mod, _ := s.SaveTrainingModule(ctx, "c", champion.Module{Title: "Intro"})
		s.RecordTraining(ctx, "c", left, mod, start.Format("2006-01-02"))
		if _, err := s.LogOutreach(ctx, left, champion.Outreach{Date: "2026-01-10", Community: "somali", Place: "Library", PeopleReached: 9, Minutes: 120, Topics: "screening", FollowUp: "Ring Amina"}); err != nil {
			t.Fatal(err)
		}
		s.MoveChampion(ctx, "c", left, champion.Left, "", nil)
		stays := apply(t, s, "stays") // recent application

		later := start.Add(200 * 24 * time.Hour)
		s.SetClock(func() time.Time { return later })
		// Touch the recent one so only the others are old.
		s.MoveChampion(ctx, "c", stays, champion.Contacted, "", nil)
		cut := later.Add(-180 * 24 * time.Hour)
		if n, err := s.RetentionDue(ctx, "champion-applications", cut); err != nil || n != 2 {
			t.Fatalf("applications due: %d %v", n, err)
		}
		if n, _ := s.RetentionDue(ctx, "champions-left", cut); n != 1 {
			t.Fatalf("left due: %d", n)
		}
		if n, err := s.RetentionPurge(ctx, "champion-applications", cut, 10); err != nil || n != 2 {
			t.Fatalf("applications purge: %d %v", n, err)
		}
		for _, id := range []string{stale, declined} {
			if _, err := s.ChampionByID(ctx, id); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("never-proceeded application %s kept: %v", id, err)
			}
		}
		if notes := count(t, s, "SELECT COUNT(*) FROM champion_notes WHERE champion_id = ?", declined); notes != 0 {
			t.Fatal("the notes of a deleted application stayed")
		}
		if n, err := s.RetentionPurge(ctx, "champions-left", cut, 10); err != nil || n != 1 {
			t.Fatalf("left purge: %d %v", n, err)
		}
		c, err := s.ChampionByID(ctx, left)
		if err != nil || !c.CountsOnly || c.NameSealed != "" || c.EmailSealed != "" || c.DetailsSealed != "" {
			t.Fatalf("after retention: %+v %v", c, err)
		}
		if n, _ := s.ChampionNotes(ctx, left); len(n) != 0 {
			t.Fatalf("notes kept: %+v", n)
		}
		if tr, _ := s.TrainingRecords(ctx, left); len(tr) != 0 {
			t.Fatalf("training record kept: %+v", tr)
		}
		out, _ := s.OutreachOf(ctx, left, 10)
		if len(out) != 1 || out[0].PeopleReached != 9 || out[0].Minutes != 120 || out[0].Community != "somali" || out[0].Date != "2026-01-10" ||
			out[0].Place != "" || out[0].Topics != "" || out[0].FollowUp != "" {
			t.Fatalf("outreach after retention: %+v", out)
		}
		u, err := s.UserByID(ctx, c.UserID)
		if err != nil || !u.Disabled || u.DisplayName != "" || u.Email == "left@example.org" || u.PasswordHash != "" {
			t.Fatalf("account after retention: %+v %v", u, err)
		}
		if tot, _ := s.ChampionTotals(ctx); len(tot) != 1 || tot[0].PeopleReached != 9 {
			t.Fatalf("counts not kept: %+v", tot)
		}
		for _, rule := range []string{"champion-applications", "champions-left"} {
			if n, _ := s.RetentionDue(ctx, rule, cut); n != 0 {
				t.Fatalf("%s still due after purge: %d", rule, n)
			}
		}
		if p, _ := s.ChampionPipeline(ctx, store.ChampionFilter{}); len(p) != 1 || p[0].ID != stays {
			t.Fatalf("pipeline after retention: %+v", p)
		}
		entries, _ := s.RecentAudit(ctx, 2)
		if entries[0].Action != "retention.champions_left_counts_only" || entries[1].Action != "retention.champion_applications_deleted" {
			t.Fatalf("retention not audited: %+v", entries)
		}
	})
}
