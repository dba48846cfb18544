package store

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hearme-project/hearme/internal/experience"
)

// Offline capture (docs/offline.md): each record captured on a phone
// carries an id the phone made, and is accepted once.

// CaptureRecord is what the phone says about a record besides its answers.
type CaptureRecord struct {
	ClientID   string    // made on the phone (a UUID)
	CapturedAt time.Time // by the server's clock (experience.CaptureTime); zero when unknown
	ClockNote  string    // experience.Clock*
}

// errCapturedAlready rolls back a second write of the same record.
var errCapturedAlready = errors.New("capture record already stored")

// SubmitCapture stores a captured experience once per client id. A repeat
// (a retry, a second tab, a double tap), even one racing the first,
// returns the first write's receipt with replay true. A client id that
// another account used is ErrConflict.
func (s *Store) SubmitCapture(ctx context.Context, rec CaptureRecord, sub experience.Submission, contact experience.Contact) (rc experience.Receipt, replay bool, err error) {
	if rc, ok, err := s.capturedAlready(ctx, rec.ClientID, sub.RecordedBy); err != nil || ok {
		return rc, ok, err
	}
	now := s.now()
	rc = experience.Receipt{ID: NewID(), Secret: experience.NewSecret(), CreatedAt: now}
	var capturedAt any
	if !rec.CapturedAt.IsZero() {
		capturedAt = rec.CapturedAt.UTC()
	}
	for attempt := 0; attempt < 5; attempt++ {
		rc.Reference = experience.NewReference()
		err := s.durably(ctx, func(ctx context.Context, tx *sql.Tx) error {
			d, err := s.insertExperience(ctx, tx, rc, sub, contact)
			if err != nil {
				return err
			}
			// Last, so that a racing write of the same id waits here for
			// the first one's commit (PostgreSQL) or sees it in the same
			// group (SQLite), then gives way.
			res, err := tx.ExecContext(ctx, s.q(`INSERT INTO capture_records (client_id, experience_id, recorded_by, secret_sealed, captured_at, clock_note, arrived_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (client_id) DO NOTHING`),
				rec.ClientID, rc.ID, sub.RecordedBy, d.Seal(rc.ID, rc.Secret), capturedAt, rec.ClockNote, now)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return cmpErr(err, errCapturedAlready)
			}
			return nil
		})
		if errors.Is(err, errCapturedAlready) {
			rc, ok, err := s.capturedAlready(ctx, rec.ClientID, sub.RecordedBy)
			if err == nil && !ok {
				err = fmt.Errorf("capture record %s gave way and then was not found", rec.ClientID)
			}
			return rc, true, err
		}
		if errors.Is(err, ErrConflict) {
			continue // the reference was taken: draw another
		}
		if err != nil {
			return experience.Receipt{}, false, err
		}
		return rc, false, nil
	}
	return experience.Receipt{}, false, fmt.Errorf("no free reference after 5 tries")
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// CaptureReceipt returns the receipt of a record already stored (ok
// false when none); ErrConflict when another account stored it.
func (s *Store) CaptureReceipt(ctx context.Context, clientID, recordedBy string) (experience.Receipt, bool, error) {
	return s.capturedAlready(ctx, clientID, recordedBy)
}

// capturedAlready returns the receipt of a record already stored.
func (s *Store) capturedAlready(ctx context.Context, clientID, recordedBy string) (experience.Receipt, bool, error) {
	var rc experience.Receipt
	var by, secret string
	err := s.conns.Read.QueryRowContext(ctx, s.q(`SELECT e.id, e.reference, e.created_at, c.recorded_by, c.secret_sealed
		FROM capture_records c JOIN experiences e ON e.id = c.experience_id WHERE c.client_id = ?`), clientID).
		Scan(&rc.ID, &rc.Reference, &rc.CreatedAt, &by, &secret)
	if errors.Is(err, sql.ErrNoRows) {
		return rc, false, nil
	}
	if err != nil {
		return rc, false, err
	}
	if by != recordedBy {
		return experience.Receipt{}, false, ErrConflict
	}
	d, err := s.dataKey(ctx, s.conns.Read, rc.ID)
	if err != nil {
		return rc, false, err
	}
	if rc.Secret, err = d.Open(rc.ID, secret); err != nil {
		return rc, false, fmt.Errorf("open capture secret: %w", err)
	}
	return rc, true, nil
}

const queueKeyLockKey = 0x7175657565 // "queue"

// QueueKey is a key pair that phones encrypt waiting records to.
type QueueKey struct {
	ID        string
	Private   *ecdh.PrivateKey
	PublicJWK string // {"kty":"EC","crv":"P-256","x":...,"y":...}
}

// CurrentQueueKey returns the newest queue key, making the first one
// when there is none (two instances making it at once keep one).
func (s *Store) CurrentQueueKey(ctx context.Context) (QueueKey, error) {
	k, err := s.queueKey(ctx, "")
	if !errors.Is(err, ErrNotFound) {
		return k, err
	}
	if s.keys == nil {
		return k, errNoKeys
	}
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return k, err
	}
	jwk, err := publicJWK(priv.PublicKey())
	if err != nil {
		return k, err
	}
	sealedKey, err := s.keys.Seal(base64.RawURLEncoding.EncodeToString(priv.Bytes()))
	if err != nil {
		return k, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if lock := s.d.TxLock(queueKeyLockKey); lock != "" {
			if _, err := tx.ExecContext(ctx, lock); err != nil {
				return err
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM capture_queue_keys")).Scan(&n); err != nil || n > 0 {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q("INSERT INTO capture_queue_keys (id, private_sealed, public_jwk, created_at) VALUES (?, ?, ?, ?)"),
			NewID(), sealedKey, jwk, s.now())
		return err
	})
	if err != nil {
		return k, err
	}
	return s.queueKey(ctx, "")
}

// QueueKeyByID returns the queue key with that id (ErrNotFound).
func (s *Store) QueueKeyByID(ctx context.Context, id string) (QueueKey, error) {
	if id == "" {
		return QueueKey{}, ErrNotFound
	}
	return s.queueKey(ctx, id)
}

func (s *Store) queueKey(ctx context.Context, id string) (QueueKey, error) {
	var k QueueKey
	var sealedKey string
	q := "SELECT id, private_sealed, public_jwk FROM capture_queue_keys ORDER BY created_at DESC, id DESC LIMIT 1"
	args := []any{}
	if id != "" {
		q = "SELECT id, private_sealed, public_jwk FROM capture_queue_keys WHERE id = ?"
		args = append(args, id)
	}
	if err := s.conns.Read.QueryRowContext(ctx, s.q(q), args...).Scan(&k.ID, &sealedKey, &k.PublicJWK); err != nil {
		return k, notFound(err)
	}
	if s.keys == nil {
		return k, errNoKeys
	}
	raw, err := s.keys.Open(sealedKey)
	if err != nil {
		return k, fmt.Errorf("open queue key: %w", err)
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return k, fmt.Errorf("queue key: %w", err)
	}
	if k.Private, err = ecdh.P256().NewPrivateKey(b); err != nil {
		return k, fmt.Errorf("queue key: %w", err)
	}
	return k, nil
}

// publicJWK is a P-256 public key as the JSON Web Key WebCrypto imports.
func publicJWK(pub *ecdh.PublicKey) (string, error) {
	b := pub.Bytes() // 0x04 || X || Y
	if len(b) != 65 {
		return "", fmt.Errorf("unexpected P-256 public key length %d", len(b))
	}
	j, err := json.Marshal(map[string]string{"kty": "EC", "crv": "P-256",
		"x": base64.RawURLEncoding.EncodeToString(b[1:33]), "y": base64.RawURLEncoding.EncodeToString(b[33:])})
	return string(j), err
}
