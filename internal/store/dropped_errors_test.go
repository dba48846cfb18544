package store_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// A service whose stored summaries cannot be read is an error, not a
// service shown without its translations.
func TestSupportServiceUnreadableSummariesIsAnError(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sv := service("Somali circle", []string{"so", "en"}, []string{"emotional"}, "local")
		sv.Summaries = map[string]string{"so": "Taageero shucuureed"}
		id, err := s.CreateSupportService(ctx, "staff-1", sv)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SupportService(ctx, id); err != nil {
			t.Fatalf("readable service: %v", err)
		}
		if _, err := s.WriteDB().ExecContext(ctx, rebind(s, "UPDATE support_services SET summaries = 'not json' WHERE id = ?"), id); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SupportService(ctx, id); err == nil {
			t.Fatal("a service with unreadable summaries was read without an error")
		}
	})
}

// The store drops no error from the calls whose error means something:
// a blank identifier on the left of RowsAffected, Rollback, Commit,
// Exec, Scan, Close or Unmarshal fails this test.
func TestStoreDropsNoError(t *testing.T) {
	watched := map[string]bool{"RowsAffected": true, "Rollback": true, "Commit": true, "ExecContext": true, "Exec": true,
		"Scan": true, "Close": true, "Unmarshal": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			as, ok := n.(*ast.AssignStmt)
			if !ok || len(as.Rhs) != 1 {
				return true
			}
			call, ok := as.Rhs[0].(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !watched[sel.Sel.Name] {
				return true
			}
			// The error is the last result.
			if id, ok := as.Lhs[len(as.Lhs)-1].(*ast.Ident); ok && id.Name == "_" {
				t.Errorf("%s: the error of %s is dropped", fset.Position(as.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
	if checked < 20 {
		t.Fatalf("checked only %d files", checked)
	}
}
