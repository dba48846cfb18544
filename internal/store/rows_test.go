package store

import (
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
)

func TestCollect(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "rows.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// One connection: rows left open would make the next query wait for ever.
	db.SetMaxOpenConns(1)
	query := "SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3"

	rows, err := db.Query(query)
	got, err := collect(rows, err, scanValue[int])
	if err != nil || len(got) != 3 || got[0] != 1 || got[2] != 3 {
		t.Fatalf("collect = %v, %v; want [1 2 3]", got, err)
	}

	boom := errors.New("boom")
	if _, err := collect(nil, boom, scanValue[int]); !errors.Is(err, boom) {
		t.Fatalf("the query's error was not returned: %v", err)
	}

	rows, err = db.Query(query)
	n := 0
	_, err = collect(rows, err, func(r rowScanner) (int, error) {
		n++
		if n == 2 {
			return 0, boom
		}
		return scanValue[int](r)
	})
	if !errors.Is(err, boom) || n != 2 {
		t.Fatalf("a scan's error should stop the read: err %v after %d rows", err, n)
	}
	if err := db.QueryRow("SELECT 1").Scan(&n); err != nil {
		t.Fatal(err)
	}
}
