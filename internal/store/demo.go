package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Demo content (the example events, support services, awareness pages
// and training modules the demo loads on first start) is marked with a
// demo column, so that a council that started with the demo, or left
// --demo on, can take it all out in one step before real use.

// demoTables are the tables with a demo column, in the order their rows
// are removed.
var demoTables = []string{"events", "support_services", "awareness_pages", "champion_training_modules"}

// DemoCounts is how many demo rows each table holds (or held).
type DemoCounts struct {
	Events, SupportServices, AwarenessPages, TrainingModules, Experiences int
	// Recommendations are the demo's published recommendations (made by
	// DemoActor), with their answers, commitments and updates.
	Recommendations int
}

// DemoActor is the actor of the demo's recommendations and everything
// said about them: RemoveDemo takes out what it made.
const DemoActor = "demo"

// Total is the number of demo rows.
func (c DemoCounts) Total() int {
	return c.Events + c.SupportServices + c.AwarenessPages + c.TrainingModules + c.Experiences + c.Recommendations
}

func (c *DemoCounts) slot(table string) *int {
	switch table {
	case "events":
		return &c.Events
	case "support_services":
		return &c.SupportServices
	case "awareness_pages":
		return &c.AwarenessPages
	case "experiences":
		return &c.Experiences
	}
	return &c.TrainingModules
}

// MarkDemo marks every row of the demo tables as demo content. The demo
// loader calls it once, on the first start of an empty database, right
// after loading: everything there then is the demo's.
func (s *Store) MarkDemo(ctx context.Context) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, t := range demoTables {
			if _, err := tx.ExecContext(ctx, `UPDATE `+t+` SET demo = TRUE`); err != nil {
				return fmt.Errorf("mark demo %s: %w", t, err)
			}
		}
		return nil
	})
}

// CountDemo counts the demo rows, for a preview.
func (s *Store) CountDemo(ctx context.Context) (DemoCounts, error) {
	var c DemoCounts
	for _, t := range append(demoTables, "experiences") {
		if err := s.conns.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t+` WHERE demo`).Scan(c.slot(t)); err != nil {
			return c, fmt.Errorf("count demo %s: %w", t, err)
		}
	}
	err := s.conns.Read.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM recommendations WHERE created_by = ?"), DemoActor).Scan(&c.Recommendations)
	return c, err
}

// RemoveDemo deletes all demo content in one transaction: demo events
// with their texts, agenda, helpers and registrations; demo support
// services with their tags (the anonymous signposting counts stay, as
// for any deleted service); demo awareness pages with their texts and
// history; demo training modules with the training records that name
// them; demo experiences with everything attached to them. The starter
// codebook stays (staff may already code real experiences with it).
// Nothing else is touched. It is audited with what it removed.
func (s *Store) RemoveDemo(ctx context.Context, actorID string) (DemoCounts, error) {
	var c DemoCounts
	err := s.tx(ctx, func(tx *sql.Tx) error {
		c = DemoCounts{}
		if _, err := tx.ExecContext(ctx, `DELETE FROM champion_training_records
			WHERE module_id IN (SELECT id FROM champion_training_modules WHERE demo)`); err != nil {
			return fmt.Errorf("remove demo training records: %w", err)
		}
		// Demo experiences (marked one by one as the demo loads them),
		// children first as a withdrawal does, out of the breakdown
		// counts first.
		if err := s.uncountWhere(ctx, tx, "SELECT id FROM experiences WHERE demo"); err != nil {
			return err
		}
		for _, table := range []string{"search_documents", "experience_keys", "safeguarding_flags", "experience_originals", "experience_corrections", "contact_details", "equality_answers", "consents", "experience_stages"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE experience_id IN (SELECT id FROM experiences WHERE demo)`); err != nil {
				return fmt.Errorf("remove demo experiences' %s: %w", table, err)
			}
		}
		// The demo's recommendations, with everything hanging from them
		// (texts, evidence, answers, commitments, updates: cascades).
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM recommendations WHERE created_by = ?"), DemoActor)
		if err != nil {
			return fmt.Errorf("remove demo recommendations: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		c.Recommendations = int(n)
		for _, t := range append(demoTables, "experiences") {
			res, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE demo`)
			if err != nil {
				return fmt.Errorf("remove demo %s: %w", t, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			*c.slot(t) = int(n)
		}
		return s.appendAudit(ctx, tx, actorID, "demo.removed", "",
			fmt.Sprintf(`{"events":%d,"support_services":%d,"awareness_pages":%d,"training_modules":%d,"experiences":%d,"recommendations":%d}`,
				c.Events, c.SupportServices, c.AwarenessPages, c.TrainingModules, c.Experiences, c.Recommendations))
	})
	return c, err
}
