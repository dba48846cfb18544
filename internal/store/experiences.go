package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/safeguarding"
	"github.com/hearme-project/hearme/internal/sealed"
)

// SubmitExperience stores a submission in one transaction: the narrative,
// its stages, the equality answers (if any), the consent record and the
// contact details, which the caller has already sealed. It returns the
// reference and secret to show the person once. On SQLite it shares the
// writer's durable commit with the writes waiting beside it
// (group_commit.go).
func (s *Store) SubmitExperience(ctx context.Context, sub experience.Submission, contact experience.Contact) (experience.Receipt, error) {
	if s.keys == nil {
		return experience.Receipt{}, errNoKeys
	}
	now := s.now()
	rc := experience.Receipt{ID: NewID(), Secret: experience.NewSecret(), CreatedAt: now}
	status := experience.StatusPending
	// Everything that costs CPU is done here, before the write: on
	// SQLite the writer's turn is everyone's, so sealing the text,
	// sealing its key, hashing the secret, looking for safeguarding
	// phrases and the contact details' lookup keys would hold up every
	// submission waiting behind this one (docs/performance.md,
	// "Submissions over HTTP"). The statements are prepared once.
	st, err := s.writeStatements(ctx, submitStatements[:]...)
	if err != nil {
		return experience.Receipt{}, err
	}
	// The free text goes in sealed with the experience's own key.
	d := sealed.NewDataKey()
	seal := func(v string) string { return d.Seal(rc.ID, v) }
	sealedKey, err := s.keys.SealDataKey(d)
	if err != nil {
		return experience.Receipt{}, err
	}
	secretHash := experience.HashSecret(rc.Secret)
	text := [...]string{seal(sub.WhatHappened), seal(sub.WentWell), seal(sub.CouldBeBetter), seal(sub.Idea), seal(sub.CancerType)}
	a := sub.Equality
	eqText := [...]string{seal(a.EthnicOther), seal(a.GenderOther), seal(a.ReligionOther), seal(a.LanguageOther)}
	flags := safeguarding.Assess(sub.WhatHappened, sub.WentWell, sub.CouldBeBetter, sub.Idea)
	c := sub.Consent
	withContact := c.Contact && !contact.Empty()
	var ek, pk string
	if withContact {
		ek, pk = s.sealedKeys(contact.Email, contact.Phone)
	}
	for attempt := 0; attempt < 5; attempt++ {
		rc.Reference = experience.NewReference()
		err := s.durably(ctx, func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.StmtContext(ctx, st[0]).ExecContext(ctx,
				rc.ID, rc.Reference, secretHash, string(sub.Kind), string(status), sub.Lang, string(sub.Role),
				text[0], text[1], text[2], text[3], text[4], strings.Join(sub.Services, ","), sub.Year,
				string(sub.Source), sub.RecordedBy, sub.EventID, now, now)
			if err != nil {
				return s.conflict(err)
			}
			if _, err := tx.StmtContext(ctx, st[1]).ExecContext(ctx, rc.ID, sealedKey, now); err != nil {
				return err
			}
			for _, stage := range sub.Stages {
				if _, err := tx.StmtContext(ctx, st[2]).ExecContext(ctx, rc.ID, stage); err != nil {
					return err
				}
			}
			if !a.IsEmpty() {
				if _, err := tx.StmtContext(ctx, st[3]).ExecContext(ctx,
					rc.ID, a.EthnicGroup, eqText[0], a.AgeBand, a.Sex, a.GenderSameAsBirth, eqText[1], a.Disability, a.DisabilityImpact,
					a.Religion, eqText[2], a.MainLanguage, eqText[3], a.Community, a.PostcodeDistrict); err != nil {
					return err
				}
			}
			if _, err := tx.StmtContext(ctx, st[4]).ExecContext(ctx, rc.ID, c.Version, c.Evidence, c.Quote, c.Contact, c.Named, c.Verbal, sub.RecordedBy, now, now); err != nil {
				return err
			}
			if err := s.raiseSafeguardingFlag(ctx, tx, rc.ID, FlagFromSubmission, flags); err != nil {
				return err
			}
			if withContact {
				if _, err := tx.StmtContext(ctx, st[5]).ExecContext(ctx, rc.ID, contact.Name, contact.Email, contact.Phone, ek, pk, now, now); err != nil {
					return err
				}
			}
			return nil
		})
		if errors.Is(err, ErrConflict) {
			continue // the reference was taken: draw another
		}
		if err != nil {
			return experience.Receipt{}, err
		}
		return rc, nil
	}
	return experience.Receipt{}, fmt.Errorf("no free reference after 5 tries")
}

// submitStatements are SubmitExperience's inserts, in the order it uses them.
var submitStatements = [...]string{
	`INSERT INTO experiences (id, reference, secret_hash, kind, status, lang, role, what_happened, went_well,
	could_be_better, idea, cancer_type, services, year, source, recorded_by, event_id, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	"INSERT INTO experience_keys (experience_id, sealed_key, created_at) VALUES (?, ?, ?)",
	"INSERT INTO experience_stages (experience_id, stage) VALUES (?, ?)",
	`INSERT INTO equality_answers (experience_id, ethnic_group, ethnic_other, age_band, sex,
	gender_same_as_birth, gender_other, disability, disability_impact, religion, religion_other, main_language, language_other,
	community, postcode_district) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	`INSERT INTO consents (experience_id, version, evidence, quote, contact, named, verbal, recorded_by, given_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	`INSERT INTO contact_details (experience_id, name_sealed, email_sealed, phone_sealed, email_key, phone_key, created_at, last_contact_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
}

// insertExperience writes a new experience with the receipt's id,
// reference and secret, and returns its data key. A taken reference is
// ErrConflict.
func (s *Store) insertExperience(ctx context.Context, tx *sql.Tx, rc experience.Receipt, sub experience.Submission, contact experience.Contact) (sealed.DataKey, error) {
	now := rc.CreatedAt
	status := experience.StatusPending
	// The free text goes in sealed with the experience's own key.
	d := sealed.NewDataKey()
	seal := func(v string) string { return d.Seal(rc.ID, v) }
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO experiences (id, reference, secret_hash, kind, status, lang, role, what_happened, went_well,
		could_be_better, idea, cancer_type, services, year, source, recorded_by, event_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		rc.ID, rc.Reference, experience.HashSecret(rc.Secret), string(sub.Kind), string(status), sub.Lang, string(sub.Role),
		seal(sub.WhatHappened), seal(sub.WentWell), seal(sub.CouldBeBetter), seal(sub.Idea), seal(sub.CancerType), strings.Join(sub.Services, ","), sub.Year,
		string(sub.Source), sub.RecordedBy, sub.EventID, now, now)
	if err != nil {
		return d, s.conflict(err)
	}
	if err := s.storeDataKey(ctx, tx, rc.ID, d); err != nil {
		return d, err
	}
	for _, st := range sub.Stages {
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO experience_stages (experience_id, stage) VALUES (?, ?)"), rc.ID, st); err != nil {
			return d, err
		}
	}
	if !sub.Equality.IsEmpty() {
		a := sub.Equality
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO equality_answers (experience_id, ethnic_group, ethnic_other, age_band, sex,
			gender_same_as_birth, gender_other, disability, disability_impact, religion, religion_other, main_language, language_other,
			community, postcode_district) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			rc.ID, a.EthnicGroup, seal(a.EthnicOther), a.AgeBand, a.Sex, a.GenderSameAsBirth, seal(a.GenderOther), a.Disability, a.DisabilityImpact,
			a.Religion, seal(a.ReligionOther), a.MainLanguage, seal(a.LanguageOther), a.Community, a.PostcodeDistrict); err != nil {
			return d, err
		}
	}
	c := sub.Consent
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO consents (experience_id, version, evidence, quote, contact, named, verbal, recorded_by, given_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), rc.ID, c.Version, c.Evidence, c.Quote, c.Contact, c.Named, c.Verbal, sub.RecordedBy, now, now); err != nil {
		return d, err
	}
	if err := s.raiseSafeguarding(ctx, tx, rc.ID, FlagFromSubmission, sub.WhatHappened, sub.WentWell, sub.CouldBeBetter, sub.Idea); err != nil {
		return d, err
	}
	if c.Contact && !contact.Empty() {
		ek, pk := s.sealedKeys(contact.Email, contact.Phone)
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO contact_details (experience_id, name_sealed, email_sealed, phone_sealed, email_key, phone_key, created_at, last_contact_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), rc.ID, contact.Name, contact.Email, contact.Phone, ek, pk, now, now); err != nil {
			return d, err
		}
	}
	return d, nil
}

// HeldExperience is what a person sees of what they shared.
type HeldExperience struct {
	ID, Reference string
	Submission    experience.Submission
	Status        experience.Status
	HasContact    bool
	CreatedAt     time.Time
	Corrections   []Correction
	Redacted      bool   // a moderator removed identifying details (the original is kept sealed)
	RejectReason  string // why a moderator did not add it to the evidence
}

// Correction is text a person added to what they shared.
type Correction struct {
	ID        string
	Text      string
	CreatedAt time.Time
}

// AddCorrection appends a person's correction to their experience; the
// secret proves it is theirs. A correction is new text nobody has
// checked: an experience already moderated goes back to the moderation
// queue (and out of the evidence) until a moderator has read it.
func (s *Store) AddCorrection(ctx context.Context, reference, secret, text string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, s.q("SELECT id FROM experiences WHERE reference = ? AND secret_hash = ?"),
			reference, experience.HashSecret(secret)).Scan(&id)
		if err != nil {
			return notFound(err)
		}
		return s.addCorrectionTx(ctx, tx, "anonymous", id, text, audit.ExperienceCorrected, "")
	})
}

// addCorrectionTx adds a correction and sends the experience back to
// moderation; a restricted one stays restricted, to go to moderation
// when the restriction is lifted.
func (s *Store) addCorrectionTx(ctx context.Context, tx *sql.Tx, actorID, id, text, action, detail string) error {
	d, err := s.writeKey(ctx, tx, id)
	if err != nil {
		return err
	}
	now := s.now()
	if _, err := tx.ExecContext(ctx, s.q("INSERT INTO experience_corrections (id, experience_id, text, created_at) VALUES (?, ?, ?, ?)"),
		NewID(), id, d.Seal(id, text), now); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, s.q(`UPDATE experiences SET status = CASE WHEN status = ? THEN status ELSE ? END,
		restricted_from = CASE WHEN status = ? THEN ? ELSE restricted_from END, updated_at = ? WHERE id = ?`),
		string(experience.StatusRestricted), string(experience.StatusPending), string(experience.StatusRestricted), string(experience.StatusPending), now, id)
	if err != nil {
		return err
	}
	if err := requireRow(res, ErrNotFound); err != nil {
		return err
	}
	if err := s.raiseSafeguarding(ctx, tx, id, FlagFromCorrection, text); err != nil {
		return err
	}
	if err := s.unindex(ctx, tx, id); err != nil { // back in moderation: out of the search
		return err
	}
	return s.appendAudit(ctx, tx, actorID, action, id, detail)
}

// ExperienceByReference returns an experience when the secret matches.
// A wrong reference and a wrong secret look the same (ErrNotFound).
func (s *Store) ExperienceByReference(ctx context.Context, reference, secret string) (HeldExperience, error) {
	return s.loadExperience(ctx, "e.reference = ? AND e.secret_hash = ?", reference, experience.HashSecret(secret))
}

// loadExperience reads one experience with its consent, stages and
// corrections.
func (s *Store) loadExperience(ctx context.Context, where string, args ...any) (HeldExperience, error) {
	var h HeldExperience
	var services, status string
	var kind, role, source string
	var contacts, originals int
	var sealedKey string
	sub := &h.Submission
	read := keptRead{s}
	err := read.QueryRowContext(ctx, s.q(`SELECT e.id, e.reference, e.kind, e.status, e.lang, e.role, e.what_happened, e.went_well,
		e.could_be_better, e.idea, e.cancer_type, e.services, e.year, e.source, e.created_at, e.reject_reason,
		c.version, c.evidence, c.quote, c.contact, c.named, c.verbal,
		(SELECT COUNT(*) FROM contact_details d WHERE d.experience_id = e.id),
		(SELECT COUNT(*) FROM experience_originals o WHERE o.experience_id = e.id),
		COALESCE((SELECT k.sealed_key FROM experience_keys k WHERE k.experience_id = e.id), '')
		FROM experiences e JOIN consents c ON c.experience_id = e.id
		WHERE `+where), args...).Scan(
		&h.ID, &h.Reference, &kind, &status, &sub.Lang, &role, &sub.WhatHappened, &sub.WentWell, &sub.CouldBeBetter, &sub.Idea,
		&sub.CancerType, &services, &sub.Year, &source, &h.CreatedAt, &h.RejectReason,
		&sub.Consent.Version, &sub.Consent.Evidence, &sub.Consent.Quote, &sub.Consent.Contact, &sub.Consent.Named, &sub.Consent.Verbal, &contacts, &originals,
		&sealedKey)
	if err != nil {
		return h, notFound(err)
	}
	d, err := s.openDataKey(sealedKey)
	if err != nil {
		return h, err
	}
	if err := openAll(d, h.ID, &sub.WhatHappened, &sub.WentWell, &sub.CouldBeBetter, &sub.Idea, &sub.CancerType, &h.RejectReason); err != nil {
		return h, err
	}
	sub.Kind, sub.Role, sub.Source, h.Status = experience.Kind(kind), experience.Role(role), experience.Source(source), experience.Status(status)
	if services != "" {
		sub.Services = strings.Split(services, ",")
	}
	h.HasContact, h.Redacted = contacts > 0, originals > 0
	crows, err := read.QueryContext(ctx, s.q("SELECT id, text, created_at FROM experience_corrections WHERE experience_id = ? ORDER BY created_at, id"), h.ID)
	if h.Corrections, err = collect(crows, err, func(row rowScanner) (Correction, error) {
		var c Correction
		if err := row.Scan(&c.ID, &c.Text, &c.CreatedAt); err != nil {
			return c, err
		}
		return c, openAll(d, h.ID, &c.Text)
	}); err != nil {
		return h, err
	}
	rows, err := read.QueryContext(ctx, s.q("SELECT stage FROM experience_stages WHERE experience_id = ? ORDER BY stage"), h.ID)
	sub.Stages, err = collect(rows, err, scanValue[string])
	return h, err
}

// EqualityAnswers reads the equality answers kept apart from an
// experience (ErrNotFound when none were given).
func (s *Store) EqualityAnswers(ctx context.Context, experienceID string) (equality.Answers, error) {
	var a equality.Answers
	err := s.conns.Read.QueryRowContext(ctx, s.q(`SELECT ethnic_group, ethnic_other, age_band, sex, gender_same_as_birth, gender_other,
		disability, disability_impact, religion, religion_other, main_language, language_other, community, postcode_district
		FROM equality_answers WHERE experience_id = ?`), experienceID).Scan(&a.EthnicGroup, &a.EthnicOther, &a.AgeBand, &a.Sex,
		&a.GenderSameAsBirth, &a.GenderOther, &a.Disability, &a.DisabilityImpact, &a.Religion, &a.ReligionOther, &a.MainLanguage,
		&a.LanguageOther, &a.Community, &a.PostcodeDistrict)
	if err != nil {
		return a, notFound(err)
	}
	d, err := s.dataKey(ctx, s.conns.Read, experienceID)
	if err != nil {
		return a, err
	}
	return a, openAll(d, experienceID, &a.EthnicOther, &a.GenderOther, &a.ReligionOther, &a.LanguageOther)
}

// WithdrawExperience removes an experience with everything kept about
// it (narrative, stages, equality answers, consent, contact details, and
// the data key its text was sealed with), keeping only a count that one
// was withdrawn this month. It needs the secret, and it is audited by id
// only. The erase-leftovers job then clears what the deletion left in
// the database files (EraseLeftovers).
func (s *Store) WithdrawExperience(ctx context.Context, reference, secret string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var id, kind string
		err := tx.QueryRowContext(ctx, s.q("SELECT id, kind FROM experiences WHERE reference = ? AND secret_hash = ?"),
			reference, experience.HashSecret(secret)).Scan(&id, &kind)
		if err != nil {
			return notFound(err)
		}
		if err := s.deleteExperienceTx(ctx, tx, id); err != nil {
			return err
		}
		month := s.now().Format("2006-01")
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO withdrawals (month, kind, count) VALUES (?, ?, 1)
			ON CONFLICT (month, kind) DO UPDATE SET count = withdrawals.count + 1`), month, kind); err != nil {
			return err
		}
		if err := s.markErased(ctx, tx); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, "anonymous", audit.ExperienceWithdrawn, id, "")
	})
}

// deleteExperienceTx deletes an experience and everything kept about it
// or derived from it (withdrawal, erasure). Children first: PostgreSQL
// and SQLite both cascade, but the explicit deletes keep it complete
// even if a foreign key were ever dropped.
func (s *Store) deleteExperienceTx(ctx context.Context, tx *sql.Tx, id string) error {
	if err := s.uncountWhere(ctx, tx, "?", id); err != nil { // out of every breakdown count
		return err
	}
	for _, table := range []string{"search_documents", "experience_keys", "safeguarding_flags", "experience_originals", "experience_corrections",
		"contact_details", "equality_answers", "consents", "experience_stages", "translations", "memos", "codings", "coding_done",
		"suggestion_decisions", "coding_sample_items"} {
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM "+table+" WHERE experience_id = ?"), id); err != nil {
			return err
		}
	}
	if err := s.dropSnapshotQuotes(ctx, tx, id); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, s.q("DELETE FROM experiences WHERE id = ?"), id)
	return err
}

// WithdrawalCount is how many experiences of a kind were withdrawn.
func (s *Store) WithdrawalCount(ctx context.Context, kind experience.Kind) (int, error) {
	var n sql.NullInt64
	err := s.conns.Read.QueryRowContext(ctx, s.q("SELECT SUM(count) FROM withdrawals WHERE kind = ?"), string(kind)).Scan(&n)
	return int(n.Int64), err
}

// HasExperiences reports whether any experience or idea is held.
func (s *Store) HasExperiences(ctx context.Context) (bool, error) {
	var n int
	err := s.conns.Read.QueryRowContext(ctx, "SELECT COUNT(*) FROM experiences").Scan(&n)
	return n > 0, err
}

// MarkDemoExperience marks an experience as demo content.
func (s *Store) MarkDemoExperience(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q("UPDATE experiences SET demo = TRUE WHERE id = ?"), id)
		return err
	})
}
