package store_test

import (
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

func TestRopaVersionsAndAudit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		n, err := s.SaveRopa(ctx, "dpo-1", map[string]string{"processors": "Hosting: Example Ltd (UK)", "transfers": ""}, "First record")
		if err != nil || n != 1 {
			t.Fatalf("first save: %d %v", n, err)
		}
		if a, sub := lastAudit(t, s); a != store.AuditRopaChanged || sub != "ropa" {
			t.Fatalf("audit %s %s", a, sub)
		}
		if n, err := s.SaveRopa(ctx, "dpo-1", map[string]string{"processors": "Hosting: Example Ltd (UK)"}, "nothing new"); err != nil || n != 0 {
			t.Fatalf("unchanged save: %d %v", n, err)
		}
		if _, err := s.SaveRopa(ctx, "dpo-2", map[string]string{"processors": "Hosting: Other Ltd (UK)", "transfers": "None"}, "Moved host"); err != nil {
			t.Fatal(err)
		}
		w, err := s.RopaWritten(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if p := w["processors"]; p.Value != "Hosting: Other Ltd (UK)" || p.Version != 2 || p.By != "dpo-2" {
			t.Fatalf("current processors: %+v", p)
		}
		if w["transfers"].Value != "None" || w["transfers"].Version != 1 {
			t.Fatalf("transfers: %+v", w["transfers"])
		}
		h, _ := s.RopaHistory(ctx, "processors")
		if len(h) != 2 || h[1].Value != "Hosting: Example Ltd (UK)" {
			t.Fatalf("history: %+v", h)
		}
		r, _ := s.RopaHistory(ctx, store.RopaReasonField)
		if len(r) != 2 || !strings.Contains(r[0].Value, "Moved host") || !strings.Contains(r[0].Value, "processors,transfers") {
			t.Fatalf("reasons: %+v", r)
		}
		es, _ := s.RecentAudit(ctx, 1)
		if strings.Contains(es[0].Detail, "Moved host") || strings.Contains(es[0].Detail, "Other Ltd") {
			t.Fatal("free text in the audit trail")
		}
	})
}
