package dialect_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoBranchOnDialectName keeps the seam tight: outside this package,
// the code that runs (tests may do as they need) asks the dialect for
// what differs instead of testing which database it is. A comparison
// with dialect.SQLite or dialect.Postgres, or with the store's
// Dialect(), fails this test.
func TestNoBranchOnDialectName(t *testing.T) {
	dirs := []string{"..", "../../app", "../../cli", "../../jobs", "../../web"}
	fset := token.NewFileSet()
	checked := 0
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(fset, path, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			checked++
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.SelectorExpr:
					if id, ok := n.X.(*ast.Ident); ok && id.Name == "dialect" && (n.Sel.Name == "SQLite" || n.Sel.Name == "Postgres") {
						t.Errorf("%s: uses dialect.%s; ask the dialect for what differs instead", fset.Position(n.Pos()), n.Sel.Name)
					}
				case *ast.BinaryExpr:
					if n.Op != token.EQL && n.Op != token.NEQ {
						return true
					}
					for _, side := range []ast.Expr{n.X, n.Y} {
						if namesDialect(side) {
							t.Errorf("%s: compares the dialect's name; ask the dialect for what differs instead", fset.Position(n.Pos()))
						}
					}
				}
				return true
			})
		}
	}
	if checked < 20 {
		t.Fatalf("checked only %d files; has the layout moved?", checked)
	}
}

// namesDialect reports whether e is x.Dialect() or x.d.Name / x.Dialect.Name.
func namesDialect(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.CallExpr:
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Dialect" {
			return true
		}
	case *ast.SelectorExpr:
		if e.Sel.Name != "Name" {
			return false
		}
		if inner, ok := e.X.(*ast.SelectorExpr); ok && (inner.Sel.Name == "d" || inner.Sel.Name == "Dialect") {
			return true
		}
	}
	return false
}
