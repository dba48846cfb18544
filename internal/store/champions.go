package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/champion"
	"github.com/hearme-project/hearme/internal/mail"
)

// Champions: applications and the onboarding pipeline. The store never
// sees a champion's identity in the clear: the web layer seals name,
// email, phone, the details of the application and notes with the
// keyring, and opens them for staff (each opening audited).

// Audit actions of the champions part.
const (
	AuditChampionApplied  = "champion.applied"
	AuditChampionViewed   = "champion.viewed"
	AuditChampionMoved    = "champion.stage_changed"
	AuditChampionOwner    = "champion.owner_set"
	AuditChampionNote     = "champion.note_added"
	AuditChampionTraining = "champion.training_recorded"
	AuditChampionModule   = "champion.training_module_saved"
)

// NewChampionApplication is an application with its identity sealed.
type NewChampionApplication struct {
	Lang                                                string
	NameSealed, EmailSealed, PhoneSealed, DetailsSealed string
	ConsentVersion                                      string
}

// ChampionRecord is one champion (or applicant) as stored: identity
// and details still sealed.
type ChampionRecord struct {
	ID, Lang                                            string
	NameSealed, EmailSealed, PhoneSealed, DetailsSealed string
	ConsentVersion                                      string
	ConsentAt                                           time.Time
	Stage                                               champion.Stage
	Proceeded                                           bool
	OwnerID, OwnerName                                  string
	UserID                                              string
	CreatedAt, StageChangedAt                           time.Time
	LeftAt                                              *time.Time
	CountsOnly                                          bool
}

const championColumns = `a.id, a.lang, a.name_sealed, a.email_sealed, a.phone_sealed, a.details_sealed, a.consent_version, a.consent_at,
	a.stage, a.proceeded, COALESCE(a.owner_id, ''), COALESCE(o.display_name, ''), COALESCE(a.user_id, ''), a.created_at, a.stage_changed_at, a.left_at, a.counts_only`

const championFrom = ` FROM champion_applications a LEFT JOIN users o ON o.id = a.owner_id`

func scanChampion(row interface{ Scan(...any) error }) (ChampionRecord, error) {
	var c ChampionRecord
	var left sql.NullTime
	err := row.Scan(&c.ID, &c.Lang, &c.NameSealed, &c.EmailSealed, &c.PhoneSealed, &c.DetailsSealed, &c.ConsentVersion, &c.ConsentAt,
		&c.Stage, &c.Proceeded, &c.OwnerID, &c.OwnerName, &c.UserID, &c.CreatedAt, &c.StageChangedAt, &left, &c.CountsOnly)
	if left.Valid {
		t := left.Time
		c.LeftAt = &t
	}
	return c, err
}

// SubmitChampionApplication stores an application at "applied" and
// queues its emails (the acknowledgement) in the same transaction.
func (s *Store) SubmitChampionApplication(ctx context.Context, a NewChampionApplication, mails ...mail.Queued) (string, error) {
	id := NewID()
	now := s.now()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		ek, pk := s.sealedKeys(a.EmailSealed, a.PhoneSealed)
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO champion_applications (id, lang, name_sealed, email_sealed, phone_sealed, details_sealed,
			consent_version, consent_at, stage, created_at, stage_changed_at, email_key, phone_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			id, a.Lang, a.NameSealed, a.EmailSealed, a.PhoneSealed, a.DetailsSealed, a.ConsentVersion, now, string(champion.Applied), now, now, ek, pk)
		if err != nil {
			return err
		}
		if err := s.enqueueMail(ctx, tx, mails...); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, "public", AuditChampionApplied, id, "")
	})
	return id, err
}

// ChampionFilter narrows the pipeline.
type ChampionFilter struct {
	Stage   champion.Stage // "" for every stage
	OwnerID string         // "" for anyone; "none" for no owner
}

// ChampionPipeline lists applications and champions (not those retention
// reduced to counts), oldest change first within each stage.
func (s *Store) ChampionPipeline(ctx context.Context, f ChampionFilter) ([]ChampionRecord, error) {
	where := " WHERE a.counts_only = FALSE"
	var args []any
	if f.Stage != "" {
		where += " AND a.stage = ?"
		args = append(args, string(f.Stage))
	}
	switch f.OwnerID {
	case "":
	case "none":
		where += " AND a.owner_id IS NULL"
	default:
		where += " AND a.owner_id = ?"
		args = append(args, f.OwnerID)
	}
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT "+championColumns+championFrom+where+" ORDER BY a.stage_changed_at, a.id"), args...)
	return collect(rows, err, scanChampion)
}

// ChampionByID returns one champion, without auditing: for the pages
// that show no identity.
func (s *Store) ChampionByID(ctx context.Context, id string) (ChampionRecord, error) {
	c, err := scanChampion(s.conns.Read.QueryRowContext(ctx, s.q("SELECT "+championColumns+championFrom+" WHERE a.id = ?"), id))
	return c, notFound(err)
}

// ChampionByUser returns the champion record of an account.
func (s *Store) ChampionByUser(ctx context.Context, userID string) (ChampionRecord, error) {
	c, err := scanChampion(s.conns.Read.QueryRowContext(ctx, s.q("SELECT "+championColumns+championFrom+" WHERE a.user_id = ?"), userID))
	return c, notFound(err)
}

// ViewChampion returns one champion for a member of staff who is about
// to see their details, and audits the look.
func (s *Store) ViewChampion(ctx context.Context, actorID, id string) (ChampionRecord, error) {
	c, err := s.ChampionByID(ctx, id)
	if err != nil {
		return c, err
	}
	return c, s.AppendAudit(ctx, actorID, AuditChampionViewed, id, "")
}

// ChampionNote is one note on a champion; the body is sealed.
type ChampionNote struct {
	ID, AuthorID, AuthorName string
	Stage                    champion.Stage
	BodySealed               string
	CreatedAt                time.Time
}

// ChampionNotes lists a champion's notes, newest first.
func (s *Store) ChampionNotes(ctx context.Context, id string) ([]ChampionNote, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT n.id, n.author_id, COALESCE(u.display_name, ''), n.stage, n.body_sealed, n.created_at
		FROM champion_notes n LEFT JOIN users u ON u.id = n.author_id WHERE n.champion_id = ? ORDER BY n.created_at DESC, n.id DESC`), id)
	return collect(rows, err, func(row rowScanner) (ChampionNote, error) {
		var n ChampionNote
		err := row.Scan(&n.ID, &n.AuthorID, &n.AuthorName, &n.Stage, &n.BodySealed, &n.CreatedAt)
		return n, err
	})
}

func (s *Store) addNote(ctx context.Context, tx *sql.Tx, actorID, id string, stage champion.Stage, bodySealed string) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO champion_notes (id, champion_id, author_id, stage, body_sealed, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
		NewID(), id, actorID, string(stage), bodySealed, s.now())
	return err
}

// AddChampionNote adds a (sealed) note.
func (s *Store) AddChampionNote(ctx context.Context, actorID, id, bodySealed string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.championExists(ctx, tx, id); err != nil {
			return err
		}
		if err := s.addNote(ctx, tx, actorID, id, "", bodySealed); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditChampionNote, id, "")
	})
}

func (s *Store) championExists(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	return notFound(tx.QueryRowContext(ctx, s.q("SELECT 1 FROM champion_applications WHERE id = ? AND counts_only = FALSE"), id).Scan(&one))
}

// SetChampionOwner makes a member of staff responsible for a champion
// ("" for nobody). The owner must be an enabled connector or admin.
func (s *Store) SetChampionOwner(ctx context.Context, actorID, id, ownerID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.championExists(ctx, tx, id); err != nil {
			return err
		}
		if ownerID != "" {
			var one int
			err := tx.QueryRowContext(ctx, s.q("SELECT 1 FROM users WHERE id = ? AND disabled = FALSE AND role IN (?, ?)"), ownerID, string(account.Admin), string(account.Connector)).Scan(&one)
			if err != nil {
				return notFound(err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE champion_applications SET owner_id = ? WHERE id = ?"), nullable(ownerID), id); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditChampionOwner, id, audit.Detail(map[string]string{"owner": ownerID}))
	})
}

// ChampionOwners lists the staff who can own champions (enabled
// connectors and administrators), by name.
func (s *Store) ChampionOwners(ctx context.Context) ([]account.User, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT "+userColumns+" FROM users WHERE disabled = FALSE AND role IN (?, ?) ORDER BY display_name, email"),
		string(account.Admin), string(account.Connector))
	return collect(rows, err, scanUser)
}

// Activation is what moving a champion to "active" for the first time
// needs: their new account, the hash of its set-password link and the
// welcome email carrying that link.
type Activation struct {
	Email, DisplayName string
	TokenHash          string
	TTL                time.Duration
	Welcome            mail.Queued
}

// MoveChampion moves a champion to another stage, with an optional
// (sealed) note, in one transaction. Moving to "active" the first time
// creates their champion account, its set-password link and queues the
// welcome email (act must be given; champion.ErrNoActivation otherwise); moving
// back to active re-enables the account. Moving to "left" disables the
// account at once. A move the pipeline does not allow, or one that
// raced another, is champion.ErrIllegalMove; an email already used by an
// account is ErrConflict.
func (s *Store) MoveChampion(ctx context.Context, actorID, id string, to champion.Stage, noteSealed string, act *Activation) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var from champion.Stage
		var userID sql.NullString
		err := tx.QueryRowContext(ctx, s.q("SELECT stage, user_id FROM champion_applications WHERE id = ? AND counts_only = FALSE"), id).Scan(&from, &userID)
		if err != nil {
			return notFound(err)
		}
		if err := champion.CheckMove(from, to); err != nil {
			return err
		}
		now := s.now()
		detail := map[string]string{"from": string(from), "to": string(to)}
		if to == champion.Active && !userID.Valid {
			if act == nil || act.Email == "" || act.TokenHash == "" {
				return champion.ErrNoActivation
			}
			uid := NewID()
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO users (id, email, display_name, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`),
				uid, act.Email, act.DisplayName, string(account.Champion), now, now); err != nil {
				return s.conflict(err)
			}
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO setup_tokens (token_hash, user_id, purpose, expires_at, created_at) VALUES (?, ?, ?, ?, ?)"),
				act.TokenHash, uid, PurposeSetPassword, now.Add(act.TTL), now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q("UPDATE champion_applications SET user_id = ? WHERE id = ?"), uid, id); err != nil {
				return err
			}
			if err := s.enqueueMail(ctx, tx, act.Welcome); err != nil {
				return err
			}
			if err := s.appendAudit(ctx, tx, actorID, audit.UserCreated, uid, audit.Detail(map[string]string{"role": string(account.Champion), "via": "champion-pipeline", "champion": id})); err != nil {
				return err
			}
			userID = sql.NullString{String: uid, Valid: true}
			detail["account"] = uid
		} else if userID.Valid && (to == champion.Active || to == champion.Left) {
			disabled := to == champion.Left
			if _, err := tx.ExecContext(ctx, s.q("UPDATE users SET disabled = ?, session_epoch = session_epoch + 1, updated_at = ? WHERE id = ? AND disabled <> ?"),
				disabled, now, userID.String, disabled); err != nil {
				return err
			}
		}
		var left any
		if to == champion.Left {
			left = now
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE champion_applications SET stage = ?, stage_changed_at = ?, left_at = ?,
			proceeded = (proceeded OR ?) WHERE id = ? AND stage = ?`), string(to), now, left, to.Proceeded(), id, string(from))
		if err != nil {
			return err
		}
		if err := requireRow(res, champion.ErrIllegalMove); err != nil {
			return err // raced another move
		}
		if err := s.addNote(ctx, tx, actorID, id, to, noteSealed); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditChampionMoved, id, audit.Detail(detail))
	})
}

// ChampionStageCounts counts the pipeline by stage (counts-only records
// excluded).
func (s *Store) ChampionStageCounts(ctx context.Context) (map[champion.Stage]int, error) {
	rows, err := s.conns.Read.QueryContext(ctx, "SELECT stage, COUNT(*) FROM champion_applications WHERE counts_only = FALSE GROUP BY stage")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[champion.Stage]int{}
	for rows.Next() {
		var st champion.Stage
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// Retention of champions' records (see retention.go):
//
//   - champion-applications: an application that never went ahead
//     (never reached training: applied, contacted, or turned down)
//     whose last change is older than the period is deleted, with its
//     notes.
//   - champions-left: a champion who went ahead and has been "left" for
//     longer than the period keeps only their activity counts: the
//     sealed identity and details go; a trigger (migration 0009) then
//     removes their notes, training record and the free text of their
//     outreach, and disables and anonymises their account. Outreach
//     dates, communities, people reached and hours stay, anonymised.
func init() {
	registerRetentionRule("champion-applications", retentionRule{"champion_applications", "id",
		"SELECT id FROM champion_applications WHERE proceeded = FALSE AND stage IN ('applied', 'contacted', 'left') AND stage_changed_at < ? ORDER BY stage_changed_at, id",
		"retention.champion_applications_deleted", false, ""})
	registerRetentionRule("champions-left", retentionRule{"champion_applications", "id",
		"SELECT id FROM champion_applications WHERE proceeded = TRUE AND stage = 'left' AND counts_only = FALSE AND left_at < ? ORDER BY left_at, id",
		"retention.champions_left_counts_only", false,
		"UPDATE champion_applications SET name_sealed = '', email_sealed = '', phone_sealed = '', details_sealed = '', email_key = '', phone_key = '', owner_id = NULL, counts_only = TRUE WHERE id"})
}
