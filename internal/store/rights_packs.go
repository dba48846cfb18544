package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/hearme-project/hearme/internal/rights"
)

// Audit actions of response packs.
const (
	AuditPackPrepared   = "rights.pack_prepared"
	AuditPackDownloaded = "rights.pack_downloaded"
	AuditPackSent       = "rights.pack_sent"
)

// Pack is a response pack prepared for a rights request.
type Pack struct {
	ID, RequestID, Format, Lang, PreparedBy string
	CreatedAt, ExpiresAt                    time.Time
	DownloadedAt                            *time.Time
	Summary                                 map[string]int // records disclosed per table
	SentOn, SentHow                         string
}

// PreparePack records a pack for request id, downloadable once by
// actorID until now+ttl with the token whose hash is tokenHash.
func (s *Store) PreparePack(ctx context.Context, actorID, requestID, format, lang, tokenHash string, ttl time.Duration) (string, error) {
	id := NewID()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO rights_packs (id, request_id, token_hash, format, lang, prepared_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), id, requestID, tokenHash, format, lang, actorID, now, now.Add(ttl)); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditPackPrepared, requestID, `{"format":"`+format+`","lang":"`+lang+`"}`)
	})
	return id, err
}

// TakePack marks the pack with tokenHash downloaded, with what it
// disclosed, if it is request id's, was prepared by actorID, has not
// expired and was not downloaded before; otherwise rights.ErrPackGone.
func (s *Store) TakePack(ctx context.Context, actorID, requestID, tokenHash string, summary map[string]int) (Pack, error) {
	var p Pack
	err := s.tx(ctx, func(tx *sql.Tx) error {
		b, _ := json.Marshal(summary)
		now := s.now()
		res, err := tx.ExecContext(ctx, s.q(`UPDATE rights_packs SET downloaded_at = ?, summary = ? WHERE token_hash = ? AND request_id = ?
			AND prepared_by = ? AND downloaded_at IS NULL AND expires_at > ?`), now, string(b), tokenHash, requestID, actorID, now)
		if err != nil {
			return err
		}
		if err := requireRow(res, rights.ErrPackGone); err != nil {
			return err
		}
		if p, err = scanPack(tx.QueryRowContext(ctx, s.q("SELECT "+packColumns+" FROM rights_packs WHERE token_hash = ?"), tokenHash)); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditPackDownloaded, requestID, string(b))
	})
	return p, err
}

// PackLang returns the language of the undownloaded pack with tokenHash
// (rights.ErrPackGone when there is none to take).
func (s *Store) PackLang(ctx context.Context, requestID, tokenHash string) (string, string, error) {
	var lang, format string
	err := s.conns.Read.QueryRowContext(ctx, s.q(`SELECT lang, format FROM rights_packs WHERE token_hash = ? AND request_id = ? AND downloaded_at IS NULL AND expires_at > ?`),
		tokenHash, requestID, s.now()).Scan(&lang, &format)
	if err == sql.ErrNoRows {
		return "", "", rights.ErrPackGone
	}
	return lang, format, err
}

// MarkPackSent records the date and the way a downloaded pack reached
// the person.
func (s *Store) MarkPackSent(ctx context.Context, actorID, requestID, packID string, on time.Time, how string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE rights_packs SET sent_on = ?, sent_how = ? WHERE id = ? AND request_id = ? AND downloaded_at IS NOT NULL`),
			on.Format(time.DateOnly), how, packID, requestID)
		if err != nil {
			return err
		}
		if err := requireRow(res, rights.ErrPackNotDownloaded); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditPackSent, requestID, `{"pack":"`+packID+`","how":"`+how+`","on":"`+on.Format(time.DateOnly)+`"}`)
	})
}

const packColumns = "id, request_id, format, lang, prepared_by, created_at, expires_at, downloaded_at, summary, COALESCE(sent_on, ''), sent_how"

func scanPack(row rowScanner) (Pack, error) {
	var p Pack
	var downloaded sql.NullTime
	var summary string
	err := row.Scan(&p.ID, &p.RequestID, &p.Format, &p.Lang, &p.PreparedBy, &p.CreatedAt, &p.ExpiresAt, &downloaded, &summary, &p.SentOn, &p.SentHow)
	if downloaded.Valid {
		t := downloaded.Time
		p.DownloadedAt = &t
	}
	if summary != "" {
		json.Unmarshal([]byte(summary), &p.Summary)
	}
	return p, err
}

// Packs lists a request's packs, oldest first.
func (s *Store) Packs(ctx context.Context, requestID string) ([]Pack, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT "+packColumns+" FROM rights_packs WHERE request_id = ? ORDER BY created_at, id"), requestID)
	return collect(rows, err, scanPack)
}

// OpenDuplicate returns an open request of the same kind already logged
// for the same reference or contact detail ("" when there is none).
func (s *Store) OpenDuplicate(ctx context.Context, n rights.New) (string, error) {
	var conds []string
	var args = []any{string(n.Kind)}
	if n.Reference != "" {
		conds, args = append(conds, "reference = ?"), append(args, n.Reference)
	}
	if k := s.contactKey(n.Contact); n.Contact != "" && k != "" {
		conds, args = append(conds, "contact_key = ?"), append(args, k)
	}
	if len(conds) == 0 {
		return "", nil
	}
	where := conds[0]
	if len(conds) == 2 {
		where = conds[0] + " OR " + conds[1]
	}
	var id string
	err := s.conns.Read.QueryRowContext(ctx, s.q("SELECT id FROM rights_requests WHERE kind = ? AND closed_on IS NULL AND ("+where+") ORDER BY received_on LIMIT 1"), args...).Scan(&id)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return id, err
}
