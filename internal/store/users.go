package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/audit"
)

const userColumns = `id, email, display_name, role, COALESCE(organisation_id, ''), password_hash, totp_secret, totp_last_step, disabled, session_epoch, created_at, updated_at, last_login_at`

func scanUser(row interface{ Scan(...any) error }) (account.User, error) {
	var u account.User
	var last sql.NullTime
	err := row.Scan(&u.ID, &u.Email, &u.DisplayName, &u.Role, &u.OrganisationID, &u.PasswordHash, &u.TOTPSecret, &u.TOTPLastStep, &u.Disabled, &u.SessionEpoch, &u.CreatedAt, &u.UpdatedAt, &last)
	if last.Valid {
		t := last.Time
		u.LastLoginAt = &t
	}
	return u, err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateUser adds an account (no password yet) and audits it.
func (s *Store) CreateUser(ctx context.Context, actorID string, n account.NewUser) (account.User, error) {
	now := s.now()
	u := account.User{ID: NewID(), Email: n.Email, DisplayName: n.DisplayName, Role: n.Role, OrganisationID: n.OrganisationID, SessionEpoch: 1, CreatedAt: now, UpdatedAt: now}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO users (id, email, display_name, role, organisation_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
			u.ID, u.Email, u.DisplayName, string(u.Role), nullable(u.OrganisationID), now, now)
		if err != nil {
			return s.conflict(err)
		}
		return s.appendAudit(ctx, tx, actorID, audit.UserCreated, u.ID, audit.Detail(map[string]string{"role": string(u.Role)}))
	})
	return u, err
}

// UserByID returns one account.
func (s *Store) UserByID(ctx context.Context, id string) (account.User, error) {
	u, err := scanUser(keptRead{s}.QueryRowContext(ctx, s.q("SELECT "+userColumns+" FROM users WHERE id = ?"), id))
	return u, notFound(err)
}

// UserByEmail returns one account by its normalised address.
func (s *Store) UserByEmail(ctx context.Context, email string) (account.User, error) {
	u, err := scanUser(s.conns.Read.QueryRowContext(ctx, s.q("SELECT "+userColumns+" FROM users WHERE email = ?"), email))
	return u, notFound(err)
}

// Users lists every account, by name.
func (s *Store) Users(ctx context.Context) ([]account.User, error) {
	rows, err := s.conns.Read.QueryContext(ctx, "SELECT "+userColumns+" FROM users ORDER BY display_name, email")
	return collect(rows, err, scanUser)
}

// CountUsers counts accounts with a role (any role when role is "").
func (s *Store) CountUsers(ctx context.Context, role account.Role) (int, error) {
	var n int
	var err error
	if role == "" {
		err = s.conns.Read.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&n)
	} else {
		err = s.conns.Read.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM users WHERE role = ? AND disabled = FALSE"), string(role)).Scan(&n)
	}
	return n, err
}

func (s *Store) updateUser(ctx context.Context, tx *sql.Tx, id, set string, args ...any) error {
	args = append(args, s.now(), id)
	res, err := tx.ExecContext(ctx, s.q("UPDATE users SET "+set+", updated_at = ? WHERE id = ?"), args...)
	if err != nil {
		return err
	}
	if err := requireRow(res, ErrNotFound); err != nil {
		return err
	}
	return nil
}

// ChangeRole changes an account's role (and organisation) and ends its
// sessions, so the new rights apply at once.
func (s *Store) ChangeRole(ctx context.Context, actorID, id string, role account.Role, orgID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.updateUser(ctx, tx, id, "role = ?, organisation_id = ?, session_epoch = session_epoch + 1", string(role), nullable(orgID)); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, audit.UserRoleChanged, id, audit.Detail(map[string]string{"role": string(role)}))
	})
}

// SetDisabled disables or re-enables an account. Disabling ends every
// session at once (the session epoch moves on).
func (s *Store) SetDisabled(ctx context.Context, actorID, id string, disabled bool) error {
	action := audit.UserEnabled
	if disabled {
		action = audit.UserDisabled
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.updateUser(ctx, tx, id, "disabled = ?, session_epoch = session_epoch + 1", disabled); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, action, id, "")
	})
}

// ResetSignIn clears the password and second factor and ends all
// sessions; the person sets both again through a new setup link.
func (s *Store) ResetSignIn(ctx context.Context, actorID, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.updateUser(ctx, tx, id, "password_hash = '', totp_secret = '', totp_last_step = 0, session_epoch = session_epoch + 1"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM recovery_codes WHERE user_id = ?"), id); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, audit.UserReset, id, "")
	})
}

// SetPassword stores a new password hash and ends other sessions.
func (s *Store) SetPassword(ctx context.Context, id, hash string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.updateUser(ctx, tx, id, "password_hash = ?, session_epoch = session_epoch + 1", hash); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, id, audit.PasswordSet, id, "")
	})
}

// RehashPassword replaces a hash made with old parameters, without
// ending sessions.
func (s *Store) RehashPassword(ctx context.Context, id, hash string) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.updateUser(ctx, tx, id, "password_hash = ?", hash) })
}

// EnrolTOTP stores a sealed second-factor secret and the step of the code
// that confirmed it (so that code cannot be replayed).
func (s *Store) EnrolTOTP(ctx context.Context, id, sealedSecret string, step int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.updateUser(ctx, tx, id, "totp_secret = ?, totp_last_step = ?", sealedSecret, step); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, id, audit.SecondFactorSetUp, id, "")
	})
}

// UseTOTPStep records the time step of an accepted code, refusing a step
// already used (a replayed code) even if two requests race.
func (s *Store) UseTOTPStep(ctx context.Context, id string, step int64) error {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?"), step, id, step)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err == nil && n == 0 {
		return ErrConflict
	}
	return err
}

// SignOutEverywhere ends every session of the account (the epoch moves
// on) and audits the sign-out.
func (s *Store) SignOutEverywhere(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.updateUser(ctx, tx, id, "session_epoch = session_epoch + 1"); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, id, audit.Logout, id, "")
	})
}

// RecordLogin audits a successful sign-in.
func (s *Store) RecordLogin(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q("UPDATE users SET last_login_at = ? WHERE id = ?"), s.now(), id); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, id, audit.LoginSucceeded, id, "")
	})
}

// SetupToken is a one-time link to set a password.
type SetupToken struct {
	UserID    string // empty for the first administrator
	Purpose   string
	ExpiresAt time.Time
}

// Setup token purposes.
const (
	PurposeFirstAdmin  = "first-admin"
	PurposeSetPassword = "set-password"
)

// CreateSetupToken stores the hash of a one-time token. Any earlier
// unused token for the same account (or for the first administrator) is
// withdrawn: only the newest link works.
func (s *Store) CreateSetupToken(ctx context.Context, tokenHash, userID, purpose string, ttl time.Duration) error {
	now := s.now()
	return s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if userID == "" {
			_, err = tx.ExecContext(ctx, s.q("DELETE FROM setup_tokens WHERE user_id IS NULL AND purpose = ?"), purpose)
		} else {
			_, err = tx.ExecContext(ctx, s.q("DELETE FROM setup_tokens WHERE user_id = ?"), userID)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q("INSERT INTO setup_tokens (token_hash, user_id, purpose, expires_at, created_at) VALUES (?, ?, ?, ?, ?)"),
			tokenHash, nullable(userID), purpose, now.Add(ttl), now)
		return err
	})
}

// firstAdminLockKey orders the first-administrator check of instances
// starting together on one PostgreSQL database.
const firstAdminLockKey = 7_262_010_001

// CreateFirstAdminToken issues the first administrator's set-up token
// unless there is no need: when an account exists, or when an unexpired
// first-administrator token was already issued (by this instance before a
// restart, or by another instance starting at the same moment), it
// issues nothing and returns when that token expires. Check and insert
// run under one lock (SQLite's write lock, a PostgreSQL transaction
// advisory lock), so two instances starting on an empty database print
// one link between them, and the second never cancels the first.
func (s *Store) CreateFirstAdminToken(ctx context.Context, tokenHash string, ttl time.Duration) (issued bool, pendingUntil time.Time, err error) {
	now := s.now()
	err = s.tx(ctx, func(tx *sql.Tx) error {
		issued, pendingUntil = false, time.Time{}
		if l := s.d.TxLock(firstAdminLockKey); l != "" {
			if _, err := tx.ExecContext(ctx, l); err != nil {
				return err
			}
		}
		var users int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&users); err != nil {
			return err
		}
		if users > 0 {
			return nil
		}
		var until time.Time
		err := tx.QueryRowContext(ctx, s.q("SELECT expires_at FROM setup_tokens WHERE user_id IS NULL AND purpose = ? AND expires_at > ? ORDER BY expires_at DESC LIMIT 1"),
			PurposeFirstAdmin, now).Scan(&until)
		switch {
		case err == nil:
			pendingUntil = until.UTC()
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO setup_tokens (token_hash, user_id, purpose, expires_at, created_at) VALUES (?, NULL, ?, ?, ?)"),
			tokenHash, PurposeFirstAdmin, now.Add(ttl), now); err != nil {
			return err
		}
		issued = true
		return nil
	})
	return issued, pendingUntil, err
}

// SetupTokenByHash returns an unexpired token.
func (s *Store) SetupTokenByHash(ctx context.Context, tokenHash string) (SetupToken, error) {
	var t SetupToken
	var uid sql.NullString
	err := s.conns.Read.QueryRowContext(ctx, s.q("SELECT user_id, purpose, expires_at FROM setup_tokens WHERE token_hash = ? AND expires_at > ?"), tokenHash, s.now()).
		Scan(&uid, &t.Purpose, &t.ExpiresAt)
	t.UserID = uid.String
	return t, notFound(err)
}

// CompleteSetup uses a token: it sets the password of the token's
// account, or creates the first administrator, and deletes the token, all
// in one transaction so a link works exactly once.
func (s *Store) CompleteSetup(ctx context.Context, tokenHash, passwordHash string, first *account.NewUser) (account.User, error) {
	var userID string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var uid sql.NullString
		var purpose string
		err := tx.QueryRowContext(ctx, s.q("SELECT user_id, purpose FROM setup_tokens WHERE token_hash = ? AND expires_at > ?"), tokenHash, s.now()).Scan(&uid, &purpose)
		if err != nil {
			return notFound(err)
		}
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM setup_tokens WHERE token_hash = ?"), tokenHash); err != nil {
			return err
		}
		now := s.now()
		if purpose == PurposeFirstAdmin {
			if first == nil {
				return fmt.Errorf("first administrator details missing")
			}
			// The link is for the very first account only: once anyone
			// exists, accounts are made by an administrator.
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return ErrNotFound
			}
			userID = NewID()
			_, err := tx.ExecContext(ctx, s.q(`INSERT INTO users (id, email, display_name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
				userID, first.Email, first.DisplayName, string(account.Admin), passwordHash, now, now)
			if err != nil {
				return s.conflict(err)
			}
			return s.appendAudit(ctx, tx, userID, audit.UserCreated, userID, audit.Detail(map[string]string{"role": string(account.Admin), "via": "first-admin-link"}))
		}
		userID = uid.String
		if err := s.updateUser(ctx, tx, userID, "password_hash = ?, session_epoch = session_epoch + 1", passwordHash); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, userID, audit.PasswordSet, userID, "")
	})
	if err != nil {
		return account.User{}, err
	}
	return s.UserByID(ctx, userID)
}

// PurgeExpiredSetupTokens deletes links past their expiry (a retention
// rule: an unused link is kept no longer than it works).
func (s *Store) PurgeExpiredSetupTokens(ctx context.Context) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM setup_tokens WHERE expires_at <= ?"), s.now())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
