package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/awareness"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

func awarenessText(lang, title, reviewed string) awareness.Text {
	d, _ := awareness.ParseDate(reviewed)
	body := "## " + title + "\n\nSee [the NHS](https://www.nhs.uk/).\n\n<script>alert(1)</script>"
	return awareness.Text{Lang: lang, Title: title, Summary: "About " + title, Markdown: body, HTML: awareness.Render(body),
		ReviewedOn: d, Reviewer: "Screening lead"}
}

func TestAwarenessPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if has, err := s.HasAwarenessPages(ctx); err != nil || has {
			t.Fatalf("fresh store has pages: %v %v", has, err)
		}
		if _, err := s.CreateAwarenessPage(ctx, "staff-1", "bowel-screening", 2); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateAwarenessPage(ctx, "staff-1", "breast-screening", 1); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateAwarenessPage(ctx, "staff-1", "bowel-screening", 5); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("a second page with the same slug: %v, want ErrConflict", err)
		}
		// Publishing needs an English text.
		if err := s.SetAwarenessPublished(ctx, "staff-1", "bowel-screening", "en", true); !errors.Is(err, awareness.ErrNoEnglish) {
			t.Fatalf("publish without English: %v", err)
		}
		if err := s.SaveAwarenessText(ctx, "staff-1", "bowel-screening", awarenessText("en", "Bowel screening", "2025-05-01")); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveAwarenessText(ctx, "staff-2", "bowel-screening", awarenessText("pl", "Badania jelita", "2025-04-01")); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveAwarenessText(ctx, "staff-1", "no-such-page", awarenessText("en", "X", "2025-05-01")); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("text for an unknown page: %v", err)
		}
		if err := s.SetAwarenessPublished(ctx, "staff-1", "bowel-screening", "en", true); err != nil {
			t.Fatal(err)
		}
		if err := s.SetAwarenessPublished(ctx, "staff-1", "nope", "en", true); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("publish an unknown page: %v", err)
		}

		all, err := s.AwarenessPages(ctx, false)
		if err != nil || len(all) != 2 {
			t.Fatalf("all pages: %+v %v", all, err)
		}
		if all[0].Slug != "breast-screening" || all[1].Slug != "bowel-screening" {
			t.Fatalf("not in position order: %s, %s", all[0].Slug, all[1].Slug)
		}
		if len(all[0].Texts) != 0 || len(all[1].Texts) != 2 || !all[1].Published || all[0].Published {
			t.Fatalf("overview: %+v", all)
		}
		if pl, ok := all[1].Text("pl"); !ok || pl.Title != "Badania jelita" || pl.UpdatedBy != "staff-2" || pl.Markdown != "" ||
			pl.ReviewedOn.Format(awareness.DateLayout) != "2025-04-01" {
			t.Fatalf("overview text: %+v", pl)
		}
		pub, err := s.AwarenessPages(ctx, true)
		if err != nil || len(pub) != 1 || pub[0].Slug != "bowel-screening" {
			t.Fatalf("published pages: %+v %v", pub, err)
		}

		// Replacing a text keeps the earlier version.
		second := awarenessText("en", "Bowel cancer screening", "2025-06-01")
		if err := s.SaveAwarenessText(ctx, "staff-3", "bowel-screening", second); err != nil {
			t.Fatal(err)
		}
		p, err := s.AwarenessPage(ctx, "bowel-screening")
		if err != nil {
			t.Fatal(err)
		}
		en, _ := p.Text("en")
		if en.Title != "Bowel cancer screening" || en.Markdown != second.Markdown || en.HTML != second.HTML || en.UpdatedBy != "staff-3" ||
			!en.ReviewedOn.Equal(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)) || en.Reviewer != "Screening lead" {
			t.Fatalf("page text: %+v", en)
		}
		if strings.Contains(en.HTML, "<script") || !strings.Contains(en.HTML, `rel="noopener noreferrer"`) {
			t.Fatalf("stored rendering: %s", en.HTML)
		}
		if p.StatusOf("pl", "en", time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)) != awareness.StatusOutdated {
			t.Fatalf("Polish reviewed before the English: %s", p.StatusOf("pl", "en", time.Now()))
		}
		if n, err := s.AwarenessHistory(ctx, "bowel-screening", "en"); err != nil || n != 1 {
			t.Fatalf("history: %d %v", n, err)
		}
		if n, _ := s.AwarenessHistory(ctx, "bowel-screening", "pl"); n != 0 {
			t.Fatalf("Polish history: %d", n)
		}
		if _, err := s.AwarenessPage(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown page: %v", err)
		}

		if err := s.SetAwarenessPublished(ctx, "staff-1", "bowel-screening", "en", false); err != nil {
			t.Fatal(err)
		}
		if pub, _ := s.AwarenessPages(ctx, true); len(pub) != 0 {
			t.Fatalf("unpublished page still listed: %+v", pub)
		}
		entries, _ := s.RecentAudit(ctx, 1)
		if entries[0].Action != awareness.ActionUnpublished || entries[0].ActorID != "staff-1" || entries[0].Subject != p.ID {
			t.Fatalf("unpublish not audited: %+v", entries[0])
		}
		if has, _ := s.HasAwarenessPages(ctx); !has {
			t.Fatal("HasAwarenessPages is false with pages")
		}
	})
}
