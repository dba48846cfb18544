package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/breach"
	"github.com/hearme-project/hearme/internal/retention"
)

func init() {
	// A breach record and its versions go once unchanged for
	// retention.Breaches (internal/retention/breaches.go).
	registerRetentionRule(retention.RuleBreaches, retentionRule{
		table: "breaches", key: "id",
		due:    "SELECT id FROM breaches WHERE updated_at < ? ORDER BY updated_at, id",
		action: "retention.breach_records_deleted",
	})
	retentionFirst[retention.RuleBreaches] = "DELETE FROM breach_versions WHERE breach_id"
}

// Audit actions of the breach register; the detail names the version
// and which facts changed, never what they say.
const (
	AuditBreachRecorded = "breach.recorded"
	AuditBreachUpdated  = "breach.updated"
)

// ErrBreachUnchanged: an update that changes nothing adds no version.
var ErrBreachUnchanged = errors.New("breach: nothing changed")

// The register keeps each version of an entry whole, as JSON, in
// breach_versions; breaches holds what lists sort and count by.

func (s *Store) insertBreachVersion(ctx context.Context, tx *sql.Tx, b breach.Breach) error {
	entry, err := json.Marshal(b)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q("INSERT INTO breach_versions (breach_id, version, entry, changed_by, changed_at) VALUES (?, ?, ?, ?, ?)"),
		b.ID, b.Version, string(entry), b.UpdatedBy, b.UpdatedAt)
	return err
}

// RecordBreach adds an entry to the register (b from breach.Form.Parse).
func (s *Store) RecordBreach(ctx context.Context, actorID string, b breach.Breach) (string, error) {
	b.ID, b.Version, b.UpdatedBy, b.UpdatedAt = NewID(), 1, actorID, s.now()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO breaches (id, version, aware_at, reported, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)"),
			b.ID, b.Version, b.AwareAt.UTC(), string(b.Reported), b.UpdatedAt, b.UpdatedAt); err != nil {
			return err
		}
		if err := s.insertBreachVersion(ctx, tx, b); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditBreachRecorded, b.ID, audit.Detail(map[string]string{"version": "1"}))
	})
	return b.ID, err
}

// UpdateBreach adds a new version of an entry. version is the one the
// change was made from: if another change landed since, it returns
// ErrConflict and nothing is lost (the person sees the newer facts).
func (s *Store) UpdateBreach(ctx context.Context, actorID, id string, version int, b breach.Breach) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.breachIn(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Version != version {
			return ErrConflict
		}
		changed := breach.Changed(cur, b)
		if len(changed) == 0 {
			return ErrBreachUnchanged
		}
		b.ID, b.Version, b.UpdatedBy, b.UpdatedAt = id, cur.Version+1, actorID, s.now()
		res, err := tx.ExecContext(ctx, s.q("UPDATE breaches SET version = ?, aware_at = ?, reported = ?, updated_at = ? WHERE id = ? AND version = ?"),
			b.Version, b.AwareAt.UTC(), string(b.Reported), b.UpdatedAt, id, version)
		if err != nil {
			return err
		}
		if err := requireRow(res, ErrConflict); err != nil {
			return err
		}
		if err := s.insertBreachVersion(ctx, tx, b); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditBreachUpdated, id, audit.Detail(map[string]string{
			"version": strconv.Itoa(b.Version), "changed": strings.Join(changed, ",")}))
	})
}

func (s *Store) breachIn(ctx context.Context, tx *sql.Tx, id string) (breach.Breach, error) {
	var entry string
	err := tx.QueryRowContext(ctx, s.q(s.d.ForUpdate(`SELECT v.entry FROM breaches b JOIN breach_versions v ON v.breach_id = b.id AND v.version = b.version WHERE b.id = ?`)), id).Scan(&entry)
	if err != nil {
		return breach.Breach{}, notFound(err)
	}
	return decodeBreach(entry)
}

func decodeBreach(entry string) (breach.Breach, error) {
	var b breach.Breach
	err := json.Unmarshal([]byte(entry), &b)
	return b, err
}

func scanBreachEntry(row rowScanner) (breach.Breach, error) {
	var entry string
	if err := row.Scan(&entry); err != nil {
		return breach.Breach{}, err
	}
	return decodeBreach(entry)
}

// Breach returns an entry as it stands.
func (s *Store) Breach(ctx context.Context, id string) (breach.Breach, error) {
	b, err := scanBreachEntry(s.conns.Read.QueryRowContext(ctx, s.q(`SELECT v.entry FROM breaches b
		JOIN breach_versions v ON v.breach_id = b.id AND v.version = b.version WHERE b.id = ?`), id))
	return b, notFound(err)
}

// Breaches lists the register as it stands, newest awareness first.
func (s *Store) Breaches(ctx context.Context) ([]breach.Breach, error) {
	rows, err := s.conns.Read.QueryContext(ctx, `SELECT v.entry FROM breaches b
		JOIN breach_versions v ON v.breach_id = b.id AND v.version = b.version ORDER BY b.aware_at DESC, b.id`)
	return collect(rows, err, scanBreachEntry)
}

// BreachHistory lists every version of an entry, newest first.
func (s *Store) BreachHistory(ctx context.Context, id string) ([]breach.Breach, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT entry FROM breach_versions WHERE breach_id = ? ORDER BY version DESC"), id)
	return collect(rows, err, scanBreachEntry)
}
