package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/safeguarding"
)

// Where a safeguarding flag came from.
const (
	FlagFromSubmission = "submission" // a story, an idea, or an experience a connector captured
	FlagFromCorrection = "correction" // a correction added at /my-story
)

// SafeguardingFlag is raised when what a person wrote suggests a risk of
// harm. It stays open until a moderator records how they escalated it.
type SafeguardingFlag struct {
	ID, ExperienceID, Source string
	Phrases                  []string // "en: want to die": the list phrases that matched
	RaisedAt                 time.Time
	EscalatedBy              string // the moderator's display name
	EscalatedAt              *time.Time
	EscalatedTo, Action      string
}

// Open reports whether no escalation has been recorded yet.
func (f SafeguardingFlag) Open() bool { return f.EscalatedAt == nil }

// raiseSafeguarding adds a flag to the experience when the texts suggest
// a risk of harm, in the caller's transaction, and audits it.
func (s *Store) raiseSafeguarding(ctx context.Context, tx *sql.Tx, experienceID, source string, texts ...string) error {
	return s.raiseSafeguardingFlag(ctx, tx, experienceID, source, safeguarding.Assess(texts...))
}

// raiseSafeguardingFlag adds a flag for phrases already found (Assess),
// if any, in the caller's transaction, and audits it.
func (s *Store) raiseSafeguardingFlag(ctx context.Context, tx *sql.Tx, experienceID, source string, ms []safeguarding.Match) error {
	if len(ms) == 0 {
		return nil
	}
	phrases := make([]string, len(ms))
	for i, m := range ms {
		phrases[i] = m.Lang + ": " + m.Phrase
	}
	id := NewID()
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO safeguarding_flags (id, experience_id, source, phrases, raised_at) VALUES (?, ?, ?, ?, ?)`),
		id, experienceID, source, strings.Join(phrases, "\n"), s.now()); err != nil {
		return err
	}
	return s.appendAudit(ctx, tx, "system", audit.SafeguardingRaised, experienceID, audit.Detail(map[string]string{"flag": id, "source": source}))
}

// SafeguardingFlags lists an experience's flags, oldest first.
func (s *Store) SafeguardingFlags(ctx context.Context, experienceID string) ([]SafeguardingFlag, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT f.id, f.experience_id, f.source, f.phrases, f.raised_at,
		COALESCE(u.display_name, f.escalated_by), f.escalated_at, f.escalated_to, f.action
		FROM safeguarding_flags f LEFT JOIN users u ON u.id = f.escalated_by
		WHERE f.experience_id = ? ORDER BY f.raised_at, f.id`), experienceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SafeguardingFlag
	for rows.Next() {
		var f SafeguardingFlag
		var phrases string
		var at sql.NullTime
		if err := rows.Scan(&f.ID, &f.ExperienceID, &f.Source, &phrases, &f.RaisedAt, &f.EscalatedBy, &at, &f.EscalatedTo, &f.Action); err != nil {
			return nil, err
		}
		f.Phrases = strings.Split(phrases, "\n")
		if at.Valid {
			t := at.Time
			f.EscalatedAt = &t
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// OpenFlag is an experience with a safeguarding flag nobody has recorded
// escalating yet, for the top of the moderation queue. Like QueueItem it
// carries no narrative.
type OpenFlag struct {
	ExperienceID, Reference string
	Kind                    experience.Kind
	Lang                    string
	RaisedAt                time.Time
}

// OpenSafeguardingFlags lists the experiences with open flags, whatever
// their moderation status, oldest flag first.
func (s *Store) OpenSafeguardingFlags(ctx context.Context, limit int) ([]OpenFlag, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT e.id, e.reference, e.kind, e.lang, f.raised_at FROM safeguarding_flags f
		JOIN experiences e ON e.id = f.experience_id WHERE f.escalated_at IS NULL ORDER BY f.raised_at, f.id`))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OpenFlag
	seen := map[string]bool{}
	for rows.Next() && len(out) < limit {
		var o OpenFlag
		var kind string
		if err := rows.Scan(&o.ExperienceID, &o.Reference, &kind, &o.Lang, &o.RaisedAt); err != nil {
			return nil, err
		}
		if seen[o.ExperienceID] {
			continue // listed once, at its oldest open flag
		}
		seen[o.ExperienceID] = true
		o.Kind = experience.Kind(kind)
		out = append(out, o)
	}
	return out, rows.Err()
}

// RecordEscalation records that a moderator escalated an experience's
// open flags: whom they told and what was done; the store adds who
// recorded it and when, and audits it. With no open flag it is
// ErrConflict (already recorded), or ErrNotFound when the experience has
// no flag at all.
func (s *Store) RecordEscalation(ctx context.Context, actorID, experienceID, to, action string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE safeguarding_flags SET escalated_by = ?, escalated_at = ?, escalated_to = ?, action = ?
			WHERE experience_id = ? AND escalated_at IS NULL`), actorID, s.now(), to, action, experienceID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			var one int
			err := tx.QueryRowContext(ctx, s.q("SELECT 1 FROM safeguarding_flags WHERE experience_id = ? LIMIT 1"), experienceID).Scan(&one)
			if err != nil {
				return notFound(err)
			}
			return ErrConflict
		}
		return s.appendAudit(ctx, tx, actorID, audit.SafeguardingEscalated, experienceID, audit.Detail(map[string]string{"flags": strconv.FormatInt(n, 10)}))
	})
}
