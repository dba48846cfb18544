package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/rights"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// A response pack is taken once, by the member of staff who prepared
// it, before it expires; only a downloaded pack can be marked sent; and
// an open request of the same kind for the same person is found as a
// duplicate (by reference or by contact, typed differently), a closed
// one or another kind is not.
func TestResponsePackOnceAndDuplicates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		s.UseKeys(storetest.Keys(t))
		today := time.Now().UTC().Truncate(24 * time.Hour)
		n := rights.New{Kind: rights.KindAccess, Channel: rights.ChannelEmail, ReceivedOn: today.Format(time.DateOnly), Reference: "HM-AAAA-BBBB", Contact: "Ola@Example.org"}
		if errs := n.Validate(today); len(errs) > 0 {
			t.Fatal(errs)
		}
		req, err := s.LogRightsRequest(ctx, "dpo", n, "sealed")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.PreparePack(ctx, "dpo", req, "json", "pl", "hash-late", -time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TakePack(ctx, "dpo", req, "hash-late", nil); !errors.Is(err, rights.ErrPackGone) {
			t.Errorf("an expired pack: %v", err)
		}
		id, err := s.PreparePack(ctx, "dpo", req, "html", "pl", "hash-1", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MarkPackSent(ctx, "dpo", req, id, today, "post"); !errors.Is(err, rights.ErrPackNotDownloaded) {
			t.Errorf("marking sent before the download: %v", err)
		}
		if _, err := s.TakePack(ctx, "someone-else", req, "hash-1", nil); !errors.Is(err, rights.ErrPackGone) {
			t.Errorf("another's download: %v", err)
		}
		p, err := s.TakePack(ctx, "dpo", req, "hash-1", map[string]int{"experiences": 2})
		if err != nil || p.ID != id || p.DownloadedAt == nil || p.Summary["experiences"] != 2 || p.Lang != "pl" {
			t.Fatalf("take: %+v %v", p, err)
		}
		if _, err := s.TakePack(ctx, "dpo", req, "hash-1", nil); !errors.Is(err, rights.ErrPackGone) {
			t.Errorf("a second download: %v", err)
		}
		if err := s.MarkPackSent(ctx, "dpo", req, id, today, "post"); err != nil {
			t.Fatal(err)
		}
		packs, err := s.Packs(ctx, req)
		if err != nil || len(packs) != 2 || packs[1].SentHow != "post" || packs[1].SentOn != today.Format(time.DateOnly) {
			t.Fatalf("packs: %+v %v", packs, err)
		}

		for name, c := range map[string]struct {
			n    rights.New
			want bool
		}{
			"same reference":                {rights.New{Kind: rights.KindAccess, Reference: "HM-AAAA-BBBB"}, true},
			"same contact, typed":           {rights.New{Kind: rights.KindAccess, Contact: " ola@example.ORG"}, true},
			"another kind":                  {rights.New{Kind: rights.KindErasure, Reference: "HM-AAAA-BBBB"}, false},
			"someone else":                  {rights.New{Kind: rights.KindAccess, Contact: "sam@example.org"}, false},
			"neither reference nor contact": {rights.New{Kind: rights.KindAccess}, false},
		} {
			dup, err := s.OpenDuplicate(ctx, c.n)
			if err != nil || (dup == req) != c.want {
				t.Errorf("%s: %q %v, want duplicate %v", name, dup, err, c.want)
			}
		}
		if err := s.CloseRightsRequest(ctx, "dpo", req, today, "sent"); err != nil {
			t.Fatal(err)
		}
		if dup, _ := s.OpenDuplicate(ctx, rights.New{Kind: rights.KindAccess, Reference: "HM-AAAA-BBBB"}); dup != "" {
			t.Errorf("a closed request counted as a duplicate")
		}
	})
}
