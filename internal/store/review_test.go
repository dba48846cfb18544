package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/retention"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// TestCommunityReview: drafts opened for review take one ranking per
// browser and comments that wait for moderation; a closed review or a
// published draft takes none; a listening event's result is stored;
// opening, closing and recording are audited; comments follow their
// retention rule and the rankings stay.
func TestCommunityReview(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
		clock := t0
		s.SetClock(func() time.Time { return clock })
		draft := func(title string) accountability.Recommendation {
			r, err := s.SaveRecommendation(ctx, "analyst", accountability.Recommendation{Title: title, Text: title + ".", Organisations: []string{"blmk-icb"}})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		a, b, c := draft("Interpreters"), draft("Transport"), draft("Not in review")
		figs := []accountability.Figure{{ThemeID: "t1", ThemeName: "Language", Value: "15"}, {ThemeID: "t1", ThemeName: "Language", Community: "somali", Value: "*"}}
		if err := s.OpenReview(ctx, "connector", a.ID, figs); err != nil {
			t.Fatal(err)
		}
		if err := s.OpenReview(ctx, "connector", a.ID, figs); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("opened twice: %v", err)
		}
		if err := s.OpenReview(ctx, "connector", b.ID, nil); err != nil {
			t.Fatal(err)
		}
		if open, err := s.AnyReviewOpen(ctx); err != nil || !open {
			t.Fatalf("open: %v %v", open, err)
		}
		list, err := s.DraftsInReview(ctx)
		if err != nil || len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID || list[0].Organisations[0] != "blmk-icb" {
			t.Fatalf("drafts in review: %+v %v", list, err)
		}
		if got, err := s.ReviewFigures(ctx, a.ID); err != nil || len(got) != 2 || got[1].Value != "*" || got[1].Community != "somali" {
			t.Fatalf("figures: %+v %v", got, err)
		}

		ballot := accountability.Ballot{Lang: "so", Places: map[string]int{a.ID: 2, b.ID: 1}, Comments: map[string]string{a.ID: "Turjumaan ayaa muhiim ah"}}
		if err := s.SaveBallot(ctx, "browser-1", ballot); err != nil {
			t.Fatal(err)
		}
		if ranked, _ := s.Ranked(ctx, "browser-1"); !ranked {
			t.Error("browser-1 has not ranked")
		}
		if ranked, _ := s.Ranked(ctx, "browser-2"); ranked {
			t.Error("browser-2 has ranked")
		}
		if err := s.SaveBallot(ctx, "browser-1", ballot); !errors.Is(err, accountability.ErrAlreadyRanked) {
			t.Fatalf("second ranking from one browser: %v", err)
		}
		if err := s.SaveBallot(ctx, "browser-2", accountability.Ballot{Lang: "pl", Places: map[string]int{a.ID: 1, c.ID: 2}}); !errors.Is(err, accountability.ErrNotInReview) {
			t.Fatalf("a draft not in review was ranked: %v", err)
		}
		if err := s.SaveBallot(ctx, "browser-2", accountability.Ballot{Lang: "pl", Places: map[string]int{a.ID: 1, b.ID: 2}}); err != nil {
			t.Fatal(err)
		}
		ranks, err := s.ReviewRanks(ctx)
		if err != nil || len(ranks) != 4 {
			t.Fatalf("ranks: %+v %v", ranks, err)
		}
		if !slices.Contains(ranks, accountability.Rank{RecommendationID: b.ID, Place: 1, Of: 2, Count: 1}) {
			t.Errorf("ranks: %+v", ranks)
		}

		ev := accountability.EventResult{Place: "Somali centre", Community: "somali", Method: accountability.MethodDots, Participants: 14,
			HeldOn: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Values: map[string]int{a.ID: 9, b.ID: 5}}
		if _, err := s.RecordEventResult(ctx, "connector", ev); err != nil {
			t.Fatal(err)
		}
		bad := ev
		bad.Values = map[string]int{c.ID: 1}
		if _, err := s.RecordEventResult(ctx, "connector", bad); !errors.Is(err, accountability.ErrNotInReview) {
			t.Fatalf("event on a draft not in review: %v", err)
		}
		events, err := s.ReviewEvents(ctx)
		if err != nil || len(events) != 1 || events[0].Values[a.ID] != 9 || events[0].Participants != 14 || events[0].HeldOn.Day() != 1 {
			t.Fatalf("events: %+v %v", events, err)
		}

		pending, err := s.PendingReviewComments(ctx, 10)
		if err != nil || len(pending) != 1 || pending[0].Lang != "so" || pending[0].Reference != a.Reference {
			t.Fatalf("pending: %+v %v", pending, err)
		}
		if got, _ := s.ApprovedReviewComments(ctx, a.ID); len(got) != 0 {
			t.Fatal("a comment was public before moderation")
		}
		if err := s.ModerateReviewComment(ctx, "connector", pending[0].ID, store.CommentApproved, "Turjumaan [name]"); err != nil {
			t.Fatal(err)
		}
		if err := s.ModerateReviewComment(ctx, "connector", pending[0].ID, store.CommentRejected, "x"); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("moderated twice: %v", err)
		}
		if got, _ := s.ApprovedReviewComments(ctx, a.ID); len(got) != 1 || got[0].Text != "Turjumaan [name]" {
			t.Fatalf("approved: %+v", got)
		}

		clock = t0.Add(time.Hour)
		if err := s.CloseReview(ctx, "analyst", a.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.CloseReview(ctx, "analyst", a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("closed twice: %v", err)
		}
		if rv, err := s.ReviewOf(ctx, a.ID); err != nil || rv.Open() || rv.ClosedAt.IsZero() {
			t.Fatalf("review of a: %+v %v", rv, err)
		}
		if err := s.SaveBallot(ctx, "browser-3", accountability.Ballot{Places: map[string]int{a.ID: 1}}); !errors.Is(err, accountability.ErrNotInReview) {
			t.Fatalf("ranked a closed review: %v", err)
		}
		// A closed review can be opened again.
		if err := s.OpenReview(ctx, "analyst", a.ID, nil); err != nil {
			t.Fatal(err)
		}

		trail, err := s.RecentAudit(ctx, 50)
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, e := range trail {
			count[e.Action]++
		}
		if count[store.AuditReviewOpened] != 3 || count[store.AuditReviewClosed] != 1 || count[store.AuditReviewEventRecorded] != 1 || count[store.AuditReviewComment] != 1 {
			t.Errorf("audit: %v", count)
		}

		// Retention: comments go after 180 days, the ranks stay.
		if err := s.SaveBallot(ctx, "browser-4", accountability.Ballot{Lang: "en", Places: map[string]int{a.ID: 1, b.ID: 2}, Comments: map[string]string{b.ID: "later"}}); err != nil {
			t.Fatal(err)
		}
		rules := retention.DefaultRules()
		plan, err := rules.Plan(ctx, s, t0.Add(retention.ReviewComments-time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range plan.Counts {
			if c.Rule == store.RuleReviewComments && c.Records != 0 {
				t.Errorf("comments due too early: %+v", c)
			}
		}
		res, err := rules.Apply(ctx, s, t0.Add(retention.ReviewComments+30*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Counts {
			if c.Rule == store.RuleReviewComments && c.Records != 1 {
				t.Errorf("comments removed: %+v, want the first one only", c)
			}
		}
		if got, _ := s.ApprovedReviewComments(ctx, a.ID); len(got) != 0 {
			t.Error("an approved comment outlived its retention")
		}
		if got, _ := s.PendingReviewComments(ctx, 10); len(got) != 1 || got[0].Text != "later" {
			t.Errorf("the newer comment went: %+v", got)
		}
		// browser-4 gave a place 1 and b place 2, as browser-2 did: counted together.
		if ranks, _ := s.ReviewRanks(ctx); len(ranks) != 4 || !slices.Contains(ranks, accountability.Rank{RecommendationID: a.ID, Place: 1, Of: 2, Count: 2}) {
			t.Errorf("ranks after retention: %+v", ranks)
		}

		// A published draft leaves the review.
		if err := s.PublishRecommendation(ctx, "admin", b.ID, b.Version, figs, nil, func(string) string { return "Language" }); err != nil {
			t.Fatal(err)
		}
		if list, _ := s.DraftsInReview(ctx); len(list) != 1 || list[0].ID != a.ID {
			t.Errorf("after publication: %+v", list)
		}
		if err := s.OpenReview(ctx, "analyst", b.ID, nil); !errors.Is(err, store.ErrNotDraft) {
			t.Errorf("opened a published recommendation: %v", err)
		}
		if brk, _, err := s.VerifyAudit(ctx); err != nil || brk != nil {
			t.Fatalf("audit chain: %+v %v", brk, err)
		}
	})
}
