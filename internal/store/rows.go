package store

import (
	"database/sql"
	"fmt"
)

// rowScanner is what *sql.Row and *sql.Rows share, so that one scan
// function reads a row from either. It is an alias, so the scan
// functions written against the literal interface fit it too.
type rowScanner = interface{ Scan(dest ...any) error }

// collect reads every row of a query with scan and closes rows,
// returning the first error of the query (err, as QueryContext returned
// it), of a scan, of the iteration (rows.Err) or of closing:
//
//	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT ..."), args...)
//	return collect(rows, err, scanThing)
func collect[T any](rows *sql.Rows, err error, scan func(rowScanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("close rows: %w", err)
	}
	return out, nil
}

// closeRows closes rows read by hand (a loop that fills a map or groups
// rows), returning the iteration's error (rows.Err) or closing's.
func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close rows: %w", cerr)
	}
	return err
}

// scanValue reads a row of one column.
func scanValue[T any](r rowScanner) (T, error) {
	var v T
	err := r.Scan(&v)
	return v, err
}
