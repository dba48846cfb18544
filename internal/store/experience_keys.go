package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/sealed"
)

// Each experience's free text is sealed with a data key of its own
// (sealed.DataKey), kept sealed with the keyring in experience_keys.
// Withdrawal and every deletion of the experience delete the key with it
// (crypto-shredding), so text left behind in free pages, old row
// versions, write-ahead logs or backups taken afterwards cannot be read.
// What it costs: the text cannot be searched or compared in SQL; see
// docs/security.md, "Withdrawn stories on disk".

// errOlderTransactions means EraseLeftovers must wait for transactions
// older than a deletion to end; the next run tries again.
var errOlderTransactions = errors.New("erase-leftovers: transactions older than a deletion are still open; the next run tries again")

// errNoKeys means the store was opened without the keyring (UseKeys).
var errNoKeys = errors.New("store: experiences' text needs the keyring (Store.UseKeys)")

// UseKeys gives the store the keyring that seals each experience's data
// key. Writing or reading an experience's text needs it.
func (s *Store) UseKeys(k *sealed.Keyring) { s.keys = k }

// Keys is the keyring given by UseKeys.
func (s *Store) Keys() *sealed.Keyring { return s.keys }

// storeDataKey keeps a new experience's data key, sealed with the keyring.
func (s *Store) storeDataKey(ctx context.Context, tx *sql.Tx, id string, d sealed.DataKey) error {
	if s.keys == nil {
		return errNoKeys
	}
	sk, err := s.keys.SealDataKey(d)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q("INSERT INTO experience_keys (experience_id, sealed_key, created_at) VALUES (?, ?, ?)"), id, sk, s.now())
	return err
}

// dataKey reads an experience's data key. An experience without one
// (written before sealing, not yet converted) gets the zero key, which
// reads unsealed text as it is and refuses to seal.
func (s *Store) dataKey(ctx context.Context, q querier, id string) (sealed.DataKey, error) {
	var sk string
	err := q.QueryRowContext(ctx, s.q("SELECT sealed_key FROM experience_keys WHERE experience_id = ?"), id).Scan(&sk)
	if errors.Is(err, sql.ErrNoRows) {
		return sealed.DataKey{}, nil
	}
	if err != nil {
		return sealed.DataKey{}, err
	}
	return s.openDataKey(sk)
}

// openDataKey opens a sealed data key ("" is an experience without one).
func (s *Store) openDataKey(sk string) (sealed.DataKey, error) {
	if sk == "" {
		return sealed.DataKey{}, nil
	}
	if s.keys == nil {
		return sealed.DataKey{}, errNoKeys
	}
	return s.keys.OpenDataKey(sk)
}

// openAll opens each sealed value in place.
func openAll(d sealed.DataKey, id string, vals ...*string) error {
	for _, v := range vals {
		pt, err := d.Open(id, *v)
		if err != nil {
			return fmt.Errorf("open experience text: %w", err)
		}
		*v = pt
	}
	return nil
}

// markErased records that personal records were deleted, for the
// erase-leftovers job to clear what they left in the database files.
func (s *Store) markErased(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, s.q("INSERT INTO erasures_pending (id, created_at, txn) VALUES (?, ?, "+s.d.CurrentTransaction+")"), NewID(), s.now())
	return err
}

// EraseLeftovers clears what deletions since its last run left in the
// database files, and reports whether there was anything to do. On
// SQLite, deleted content is already overwritten with zeros in the
// database file (secure_delete on every connection, see dialect); this
// checkpoints the write-ahead log into it and truncates the log, whose
// frames still held the deleted rows. On PostgreSQL, old row versions
// stay in the table files until overwritten (only superuser settings
// could change that), which is why text is sealed per experience: this
// rewrites the small key table (VACUUM FULL), so the deleted keys are no
// longer in any of its files, and the search documents (search.go),
// whose text the index must read in the clear: a rewrite of that table
// takes as long as its size and holds searches and approvals meanwhile,
// once per run that follows a deletion.
func (s *Store) EraseLeftovers(ctx context.Context) (bool, error) {
	return s.eraseLeftovers(ctx, "experience_keys", "search_documents")
}

// eraseLeftovers is EraseLeftovers rewriting the PostgreSQL tables named.
func (s *Store) eraseLeftovers(ctx context.Context, pgTables ...string) (bool, error) {
	start := s.now()
	var n int
	if err := s.conns.Write.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM erasures_pending WHERE created_at <= ?"), start).Scan(&n); err != nil {
		return false, err
	}
	if n == 0 {
		return false, nil
	}
	// A PostgreSQL table rewrite keeps a deleted row while any open
	// transaction's snapshot is older than the deletion (it might still
	// see the row): wait for those to end, trying again at the next run.
	var txn string
	if err := s.conns.Write.QueryRowContext(ctx, s.q("SELECT txn FROM erasures_pending WHERE created_at <= ? ORDER BY created_at DESC LIMIT 1"), start).Scan(&txn); err != nil {
		return false, err
	}
	older, err := s.d.SnapshotsBefore(ctx, s.conns.Write, txn)
	if err != nil {
		return false, err
	}
	if older > 0 {
		return false, errOlderTransactions
	}
	if err := s.d.ClearDeleted(ctx, s.conns.Write, pgTables...); err != nil {
		return false, err
	}
	if _, err := s.conns.Write.ExecContext(ctx, s.q("DELETE FROM erasures_pending WHERE created_at <= ?"), start); err != nil {
		return false, err
	}
	return true, nil
}

// writeKey returns an experience's data key for writing more of its
// text. An experience written before sealing existed is sealed first
// (sealExperienceTx), so an experience with a key never keeps any text
// unsealed.
func (s *Store) writeKey(ctx context.Context, tx *sql.Tx, id string) (sealed.DataKey, error) {
	var sk string
	err := tx.QueryRowContext(ctx, s.q("SELECT sealed_key FROM experience_keys WHERE experience_id = ?"), id).Scan(&sk)
	if errors.Is(err, sql.ErrNoRows) {
		return s.sealExperienceTx(ctx, tx, id)
	}
	if err != nil {
		return sealed.DataKey{}, err
	}
	return s.openDataKey(sk)
}

// sealExperienceTx gives an experience written before sealing existed
// its data key, and seals every text of it still in the clear.
func (s *Store) sealExperienceTx(ctx context.Context, tx *sql.Tx, id string) (sealed.DataKey, error) {
	if s.keys == nil {
		return sealed.DataKey{}, errNoKeys
	}
	d := sealed.NewDataKey()
	seal := func(v string) string {
		if sealed.IsDataSealed(v) {
			return v
		}
		return d.Seal(id, v)
	}
	// Each table holding the experience's text: the key of a row among
	// the experience's rows, and its text columns.
	for _, t := range []struct{ table, key, cols string }{
		{"experiences", "id", "what_happened, went_well, could_be_better, idea, cancer_type, reject_reason"},
		{"equality_answers", "experience_id", "ethnic_other, gender_other, religion_other, language_other"},
		{"experience_originals", "experience_id", "sealed"},
		{"experience_corrections", "id", "text"},
		{"translations", "field", "text"},
		{"memos", "id", "text"},
	} {
		of := "experience_id = ?"
		if t.table == "experiences" {
			of = "id = ?"
		}
		rows, err := tx.QueryContext(ctx, s.q("SELECT "+t.key+", "+t.cols+" FROM "+t.table+" WHERE "+of), id)
		if err != nil {
			return d, err
		}
		cols := strings.Split(t.cols, ", ")
		var updates [][]any
		for rows.Next() {
			vals := make([]string, len(cols)+1)
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return d, err
			}
			args := make([]any, 0, len(vals)+1)
			for _, v := range vals[1:] {
				args = append(args, seal(v))
			}
			updates = append(updates, append(args, vals[0], id))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return d, err
		}
		if t.table == "experiences" && len(updates) == 0 {
			return d, ErrNotFound
		}
		for _, args := range updates {
			if _, err := tx.ExecContext(ctx, s.q("UPDATE "+t.table+" SET "+strings.Join(cols, " = ?, ")+" = ? WHERE "+t.key+" = ? AND "+of), args...); err != nil {
				return d, err
			}
		}
	}
	return d, s.storeDataKey(ctx, tx, id, d)
}

// SealExistingExperiences seals the text of experiences written before
// sealing existed (run at start-up, once the keyring is given), then
// clears the plain text they leave behind in the database files: on
// SQLite by the erase-leftovers checkpoint, on PostgreSQL by rewriting
// the tables that held it. It reports how many it sealed.
func (s *Store) SealExistingExperiences(ctx context.Context) (int, error) {
	total := 0
	for {
		var ids []string
		rows, err := s.conns.Write.QueryContext(ctx, s.q(`SELECT id FROM experiences e
			WHERE NOT EXISTS (SELECT 1 FROM experience_keys k WHERE k.experience_id = e.id) ORDER BY id LIMIT 200`))
		if err != nil {
			return total, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return total, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if len(ids) == 0 {
			break
		}
		err = s.tx(ctx, func(tx *sql.Tx) error {
			for _, id := range ids {
				if _, err := s.sealExperienceTx(ctx, tx, id); err != nil && !errors.Is(err, ErrNotFound) {
					return err
				}
			}
			return s.markErased(ctx, tx)
		})
		if err != nil {
			return total, err
		}
		total += len(ids)
	}
	if total > 0 {
		// Clear the plain text left behind; on PostgreSQL the tables
		// that held it are rewritten too. Transactions older than the
		// sealing are given ten seconds to end; past that, start-up goes
		// on, the regular job rewrites only the key table, and the old
		// plain text stays in those tables until overwritten.
		for wait := 0; ; wait++ {
			_, err := s.eraseLeftovers(ctx, "experiences", "equality_answers", "experience_originals", "experience_corrections", "translations", "memos", "experience_keys")
			if err == nil || (errors.Is(err, errOlderTransactions) && wait >= 50) {
				break
			}
			if !errors.Is(err, errOlderTransactions) {
				return total, err
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	return total, nil
}
