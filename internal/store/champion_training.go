package store

import (
	"context"
	"database/sql"

	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/champion"
)

// Training modules are configured by staff; each champion's training
// record says which modules they completed, when, and who recorded it.

// TrainingModules lists the modules in order; retired ones only when
// asked.
func (s *Store) TrainingModules(ctx context.Context, withRetired bool) ([]champion.Module, error) {
	where := " WHERE active = TRUE"
	if withRetired {
		where = ""
	}
	rows, err := s.conns.Read.QueryContext(ctx, "SELECT id, title, summary, required, position, active FROM champion_training_modules"+where+" ORDER BY position, title, id")
	return collect(rows, err, func(row rowScanner) (champion.Module, error) {
		var m champion.Module
		err := row.Scan(&m.ID, &m.Title, &m.Summary, &m.Required, &m.Position, &m.Active)
		return m, err
	})
}

// TrainingModule returns one module.
func (s *Store) TrainingModule(ctx context.Context, id string) (champion.Module, error) {
	var m champion.Module
	err := s.conns.Read.QueryRowContext(ctx, s.q("SELECT id, title, summary, required, position, active FROM champion_training_modules WHERE id = ?"), id).
		Scan(&m.ID, &m.Title, &m.Summary, &m.Required, &m.Position, &m.Active)
	return m, notFound(err)
}

// SaveTrainingModule adds a module (m.ID empty: it goes last) or changes
// one. Modules are retired (Active false), never deleted, so training
// records keep what they refer to.
func (s *Store) SaveTrainingModule(ctx context.Context, actorID string, m champion.Module) (string, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if m.ID == "" {
			m.ID = NewID()
			if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(position), 0) + 1 FROM champion_training_modules").Scan(&m.Position); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO champion_training_modules (id, title, summary, required, position, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
				m.ID, m.Title, m.Summary, m.Required, m.Position, true, s.now()); err != nil {
				return err
			}
		} else {
			res, err := tx.ExecContext(ctx, s.q("UPDATE champion_training_modules SET title = ?, summary = ?, required = ?, active = ? WHERE id = ?"),
				m.Title, m.Summary, m.Required, m.Active, m.ID)
			if err != nil {
				return err
			}
			if err := requireRow(res, ErrNotFound); err != nil {
				return err
			}
		}
		return s.appendAudit(ctx, tx, actorID, AuditChampionModule, m.ID, "")
	})
	return m.ID, err
}

// TrainingRecord is one module a champion completed.
type TrainingRecord struct {
	ModuleID, Title string
	Required        bool
	CompletedOn     string // YYYY-MM-DD
	RecordedBy      string // the recorder's name
}

// TrainingRecords lists what a champion completed, in module order.
func (s *Store) TrainingRecords(ctx context.Context, championID string) ([]TrainingRecord, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT r.module_id, m.title, m.required, r.completed_on, COALESCE(u.display_name, '')
		FROM champion_training_records r JOIN champion_training_modules m ON m.id = r.module_id LEFT JOIN users u ON u.id = r.recorded_by
		WHERE r.champion_id = ? ORDER BY m.position, m.title`), championID)
	return collect(rows, err, func(row rowScanner) (TrainingRecord, error) {
		var t TrainingRecord
		err := row.Scan(&t.ModuleID, &t.Title, &t.Required, &t.CompletedOn, &t.RecordedBy)
		return t, err
	})
}

// RecordTraining records (or corrects the date of) a completed module.
// completedOn is a YYYY-MM-DD date, not in the future.
func (s *Store) RecordTraining(ctx context.Context, actorID, championID, moduleID, completedOn string) error {
	if err := champion.CheckCompletedOn(completedOn, s.now()); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.championExists(ctx, tx, championID); err != nil {
			return err
		}
		var one int
		if err := tx.QueryRowContext(ctx, s.q("SELECT 1 FROM champion_training_modules WHERE id = ?"), moduleID).Scan(&one); err != nil {
			return notFound(err)
		}
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM champion_training_records WHERE champion_id = ? AND module_id = ?"), championID, moduleID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO champion_training_records (champion_id, module_id, completed_on, recorded_by, created_at) VALUES (?, ?, ?, ?, ?)"),
			championID, moduleID, completedOn, actorID, s.now()); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditChampionTraining, championID, audit.Detail(map[string]string{"module": moduleID, "completed_on": completedOn}))
	})
}
