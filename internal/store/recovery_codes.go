package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hearme-project/hearme/internal/audit"
)

// Second-factor recovery codes (auth.NewRecoveryCodes): the store keeps
// their keyed hashes only, each usable once.

// ErrRecoveryCodeUsed means the code was right but has been used before.
var ErrRecoveryCodeUsed = errors.New("recovery code already used")

// EnrolTOTPWithCodes stores a sealed second-factor secret, the step of
// the code that confirmed it, and the hashes of the account's first
// recovery codes, in one transaction.
func (s *Store) EnrolTOTPWithCodes(ctx context.Context, id, sealedSecret string, step int64, hashes []string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.updateUser(ctx, tx, id, "totp_secret = ?, totp_last_step = ?", sealedSecret, step); err != nil {
			return err
		}
		if err := s.appendAudit(ctx, tx, id, audit.SecondFactorSetUp, id, ""); err != nil {
			return err
		}
		return s.replaceRecoveryCodes(ctx, tx, id, id, hashes)
	})
}

// ReplaceRecoveryCodes makes new recovery codes for an account that has
// a second factor: the old ones stop working.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, id string, hashes []string) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.replaceRecoveryCodes(ctx, tx, id, id, hashes) })
}

func (s *Store) replaceRecoveryCodes(ctx context.Context, tx *sql.Tx, actorID, id string, hashes []string) error {
	if _, err := tx.ExecContext(ctx, s.q("DELETE FROM recovery_codes WHERE user_id = ?"), id); err != nil {
		return err
	}
	now := s.now()
	for _, h := range hashes {
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)"), id, h, now); err != nil {
			return s.conflict(err)
		}
	}
	return s.appendAudit(ctx, tx, actorID, audit.RecoveryCodesIssued, id, audit.Detail(map[string]string{"codes": fmt.Sprint(len(hashes))}))
}

// UseRecoveryCode spends the account's code with this hash: once. A code
// used before is ErrRecoveryCodeUsed; one the account never had is
// ErrNotFound. Each outcome is audited (never the code).
func (s *Store) UseRecoveryCode(ctx context.Context, id, hash string) error {
	var outcome error
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL"), s.now(), id, hash)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			return s.appendAudit(ctx, tx, id, audit.RecoveryCodeUsed, id, "")
		}
		var used int
		if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND code_hash = ?"), id, hash).Scan(&used); err != nil {
			return err
		}
		reason := "unknown"
		outcome = ErrNotFound
		if used > 0 {
			reason, outcome = "used-before", ErrRecoveryCodeUsed
		}
		return s.appendAudit(ctx, tx, "anonymous", audit.RecoveryCodeRefused, id, audit.Detail(map[string]string{"reason": reason}))
	})
	if err != nil {
		return err
	}
	return outcome
}

// RecoveryCodesLeft counts the account's unused recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, id string) (int, error) {
	var n int
	err := s.conns.Read.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL"), id).Scan(&n)
	return n, err
}

// ResetSecondFactor clears an account's second factor and recovery
// codes and ends its sessions, leaving the password: at the next sign-in
// the person sets up a new second factor. For someone who lost their
// phone and their codes; audited with the administrator who did it.
func (s *Store) ResetSecondFactor(ctx context.Context, actorID, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.updateUser(ctx, tx, id, "totp_secret = '', totp_last_step = 0, session_epoch = session_epoch + 1"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM recovery_codes WHERE user_id = ?"), id); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, audit.SecondFactorResetAdmin, id, "")
	})
}
