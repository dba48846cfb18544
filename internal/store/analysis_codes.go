package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hearme-project/hearme/internal/analysis"
)

// StoredCode is a code with the version an edit must name.
type StoredCode struct {
	analysis.Code
	Version int
	Demo    bool
}

const codeColumns = "id, parent_id, name, definition, when_to_use, when_not_to_use, example, colour, position, archived, merged_into, version, demo"

func scanCode(sc interface{ Scan(...any) error }) (StoredCode, error) {
	var c StoredCode
	err := sc.Scan(&c.ID, &c.ParentID, &c.Name, &c.Definition, &c.WhenToUse, &c.WhenNotToUse, &c.Example, &c.Colour,
		&c.Position, &c.Archived, &c.MergedInto, &c.Version, &c.Demo)
	return c, err
}

// Codes returns the whole codebook, archived and merged codes included,
// read from the read pool.
func (s *Store) Codes(ctx context.Context) ([]StoredCode, error) {
	return s.codes(ctx, s.conns.Read)
}

func (s *Store) codes(ctx context.Context, q querier) ([]StoredCode, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+codeColumns+" FROM codes ORDER BY parent_id, position, name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StoredCode
	for rows.Next() {
		c, err := scanCode(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Code returns one code.
func (s *Store) Code(ctx context.Context, id string) (StoredCode, error) {
	c, err := scanCode(s.conns.Read.QueryRowContext(ctx, s.q("SELECT "+codeColumns+" FROM codes WHERE id = ?"), id))
	return c, notFound(err)
}

// codebookIn reads the codebook inside a write transaction, for the rules.
func (s *Store) codebookIn(ctx context.Context, tx *sql.Tx) (*analysis.Codebook, error) {
	stored, err := s.codes(ctx, tx)
	if err != nil {
		return nil, err
	}
	codes := make([]analysis.Code, len(stored))
	for i, c := range stored {
		codes[i] = c.Code
	}
	return analysis.NewCodebook(codes), nil
}

func (s *Store) codeHistory(ctx context.Context, tx *sql.Tx, codeID, action, actorID string, detail any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q("INSERT INTO code_history (id, code_id, action, detail, actor_id, created_at) VALUES (?, ?, ?, ?, ?, ?)"),
		NewID(), codeID, action, string(b), actorID, s.now())
	return err
}

// CreateCode adds a code (its fields already validated) under its parent,
// at the end of its siblings.
func (s *Store) CreateCode(ctx context.Context, actorID string, c analysis.Code, demo bool) (string, error) {
	if c.ID == "" {
		c.ID = NewID()
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		b, err := s.codebookIn(ctx, tx)
		if err != nil {
			return err
		}
		if err := b.CheckParent("", c.ParentID); err != nil {
			return err
		}
		if err := b.CheckName("", c.ParentID, c.Name); err != nil {
			return err
		}
		c.Position = len(b.Children(c.ParentID))
		now := s.now()
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO codes (id, parent_id, name, definition, when_to_use, when_not_to_use, example, colour,
			position, archived, merged_into, demo, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, 1, ?, ?)`),
			c.ID, c.ParentID, c.Name, c.Definition, c.WhenToUse, c.WhenNotToUse, c.Example, c.Colour, c.Position, c.Archived, demo, now, now); err != nil {
			return s.conflict(err)
		}
		return s.codeHistory(ctx, tx, c.ID, "created", actorID, c)
	})
	return c.ID, err
}

// UpdateCode saves an edit of a code's texts and colour. version is the
// version the person edited: if someone saved in between, ErrConflict,
// and nothing is overwritten.
func (s *Store) UpdateCode(ctx context.Context, actorID string, c analysis.Code, version int) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		before, err := scanCode(tx.QueryRowContext(ctx, s.q("SELECT "+codeColumns+" FROM codes WHERE id = ?"), c.ID))
		if err != nil {
			return notFound(err)
		}
		if before.Version != version {
			return ErrConflict
		}
		b, err := s.codebookIn(ctx, tx)
		if err != nil {
			return err
		}
		if err := b.CheckName(c.ID, before.ParentID, c.Name); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE codes SET name = ?, definition = ?, when_to_use = ?, when_not_to_use = ?, example = ?,
			colour = ?, version = version + 1, updated_at = ? WHERE id = ?`),
			c.Name, c.Definition, c.WhenToUse, c.WhenNotToUse, c.Example, c.Colour, s.now(), c.ID); err != nil {
			return err
		}
		return s.codeHistory(ctx, tx, c.ID, "edited", actorID, map[string]any{"before": before.Code, "after": c})
	})
}

// MoveCode puts a code (with its sub-codes) under another parent ("" for
// a theme of its own).
func (s *Store) MoveCode(ctx context.Context, actorID, id, parent string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		b, err := s.codebookIn(ctx, tx)
		if err != nil {
			return err
		}
		c, ok := b.Get(id)
		if !ok {
			return analysis.ErrCodeNotFound
		}
		if err := b.CheckParent(id, parent); err != nil {
			return err
		}
		if err := b.CheckName(id, parent, c.Name); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE codes SET parent_id = ?, position = ?, version = version + 1, updated_at = ? WHERE id = ?"),
			parent, len(b.Children(parent)), s.now(), id); err != nil {
			return err
		}
		// It and its sub-codes may now count under another theme.
		recount, err := s.codedWith(ctx, tx, subtree(b, id))
		if err != nil {
			return err
		}
		if err := s.recountAll(ctx, tx, recount); err != nil {
			return err
		}
		return s.codeHistory(ctx, tx, id, "moved", actorID, map[string]string{"from": c.ParentID, "to": parent})
	})
}

// ArchiveCode stops offering a code for coding (or offers it again). Its
// codings stay and still count.
func (s *Store) ArchiveCode(ctx context.Context, actorID, id string, archived bool) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE codes SET archived = ?, version = version + 1, updated_at = ? WHERE id = ? AND merged_into = ''"), archived, s.now(), id)
		if err != nil {
			return err
		}
		if err := requireRow(res, analysis.ErrCodeNotFound); err != nil {
			return err
		}
		action := "archived"
		if !archived {
			action = "restored"
		}
		return s.codeHistory(ctx, tx, id, action, actorID, nil)
	})
}

// MergeCode moves every coding, memo and sub-code of from to into, and
// marks from as merged (kept, so the history reads). A coding that into
// already has on the same passage is not doubled.
func (s *Store) MergeCode(ctx context.Context, actorID, from, into string) (moved int, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		b, err := s.codebookIn(ctx, tx)
		if err != nil {
			return err
		}
		if err := b.CheckMerge(from, into); err != nil {
			return err
		}
		// Its codings and sub-codes move: what they count under changes.
		recount, err := s.codedWith(ctx, tx, subtree(b, from))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM codings WHERE code_id = ? AND EXISTS (SELECT 1 FROM codings o WHERE o.code_id = ?
			AND o.experience_id = codings.experience_id AND o.field = codings.field AND o.start_pos = codings.start_pos
			AND o.end_pos = codings.end_pos AND o.sample_id = codings.sample_id)`), from, into); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q("UPDATE codings SET code_id = ? WHERE code_id = ?"), into, from)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		moved = int(n)
		now := s.now()
		for _, q := range []string{
			"UPDATE memos SET code_id = ? WHERE code_id = ?",
			"UPDATE suggestion_decisions SET code_id = ? WHERE code_id = ?",
		} {
			if _, err := tx.ExecContext(ctx, s.q(q), into, from); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE codes SET parent_id = ?, updated_at = ? WHERE parent_id = ?"), into, now, from); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE codes SET merged_into = ?, version = version + 1, updated_at = ? WHERE id = ?"), into, now, from); err != nil {
			return err
		}
		if err := s.codeHistory(ctx, tx, from, "merged", actorID, map[string]any{"into": into, "codings": moved}); err != nil {
			return err
		}
		if err := s.recountAll(ctx, tx, recount); err != nil {
			return err
		}
		return s.codeHistory(ctx, tx, into, "merged_into", actorID, map[string]any{"from": from, "codings": moved})
	})
	return moved, err
}

// SplitCode adds new codes beside a code, to sort its codings into. The
// codings stay on the original until a coder moves each one, so none is
// lost or guessed.
func (s *Store) SplitCode(ctx context.Context, actorID, id string, parts []analysis.Code) ([]string, error) {
	var ids []string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		b, err := s.codebookIn(ctx, tx)
		if err != nil {
			return err
		}
		orig, ok := b.Get(id)
		if !ok {
			return analysis.ErrCodeNotFound
		}
		if !orig.Active() {
			return analysis.ErrCodeInactive
		}
		pos := len(b.Children(orig.ParentID))
		seen := map[string]bool{}
		now := s.now()
		for _, p := range parts {
			if err := b.CheckName("", orig.ParentID, p.Name); err != nil || seen[p.Name] {
				return analysis.ErrDuplicateName
			}
			seen[p.Name] = true
			p.ID, p.ParentID, p.Position = NewID(), orig.ParentID, pos
			pos++
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO codes (id, parent_id, name, definition, when_to_use, when_not_to_use, example, colour,
				position, archived, merged_into, demo, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, '', FALSE, 1, ?, ?)`),
				p.ID, p.ParentID, p.Name, p.Definition, p.WhenToUse, p.WhenNotToUse, p.Example, p.Colour, p.Position, now, now); err != nil {
				return s.conflict(err)
			}
			if err := s.codeHistory(ctx, tx, p.ID, "created", actorID, map[string]any{"split_from": id, "code": p}); err != nil {
				return err
			}
			ids = append(ids, p.ID)
		}
		return s.codeHistory(ctx, tx, id, "split", actorID, map[string]any{"into": ids})
	})
	return ids, err
}

// ImportCodes adds the codes of an imported codebook, or updates those
// whose id is already known, in one transaction: a file with any
// problem changes nothing.
func (s *Store) ImportCodes(ctx context.Context, actorID string, codes []analysis.Code, demo bool) (added, updated int, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		existing, err := s.codes(ctx, tx)
		if err != nil {
			return err
		}
		before, err := s.codebookIn(ctx, tx)
		if err != nil {
			return err
		}
		known := map[string]bool{}
		for _, c := range existing {
			known[c.ID] = true
		}
		now := s.now()
		for _, c := range codes {
			if known[c.ID] {
				if _, err := tx.ExecContext(ctx, s.q(`UPDATE codes SET parent_id = ?, name = ?, definition = ?, when_to_use = ?, when_not_to_use = ?,
					example = ?, colour = ?, position = ?, archived = ?, version = version + 1, updated_at = ? WHERE id = ?`),
					c.ParentID, c.Name, c.Definition, c.WhenToUse, c.WhenNotToUse, c.Example, c.Colour, c.Position, c.Archived, now, c.ID); err != nil {
					return err
				}
				updated++
			} else {
				if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO codes (id, parent_id, name, definition, when_to_use, when_not_to_use, example, colour,
					position, archived, merged_into, demo, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, 1, ?, ?)`),
					c.ID, c.ParentID, c.Name, c.Definition, c.WhenToUse, c.WhenNotToUse, c.Example, c.Colour, c.Position, c.Archived, demo, now, now); err != nil {
					return s.conflict(err)
				}
				added++
			}
			if err := s.codeHistory(ctx, tx, c.ID, "imported", actorID, c); err != nil {
				return err
			}
		}
		// The imported tree must still obey the rules (no cycles, depth).
		after, err := s.codebookIn(ctx, tx)
		if err != nil {
			return err
		}
		for _, n := range after.Walk(true) {
			if n.Depth >= analysis.MaxDepth {
				return analysis.ErrTooDeep
			}
		}
		if len(after.Walk(true)) != after.Len() {
			return fmt.Errorf("%w: the import would leave codes outside the tree", analysis.ErrMoveIntoDescendant)
		}
		// Codes moved by the import count under their new themes.
		recount, err := s.codedWith(ctx, tx, changedCodes(before, after))
		if err != nil {
			return err
		}
		return s.recountAll(ctx, tx, recount)
	})
	return added, updated, err
}

// CodeChange is one entry of a code's history.
type CodeChange struct {
	Action, Detail, ActorID string
	At                      time.Time
}

// CodeHistory lists a code's changes, newest first.
func (s *Store) CodeHistory(ctx context.Context, codeID string) ([]CodeChange, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT action, detail, actor_id, created_at FROM code_history WHERE code_id = ? ORDER BY created_at DESC, id DESC"), codeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CodeChange
	for rows.Next() {
		var c CodeChange
		if err := rows.Scan(&c.Action, &c.Detail, &c.ActorID, &c.At); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CodingCounts is how many programme codings each code has.
func (s *Store) CodingCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.conns.Read.QueryContext(ctx, "SELECT code_id, COUNT(*) FROM codings WHERE sample_id = '' GROUP BY code_id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// HasCodes reports whether the codebook has any code.
func (s *Store) HasCodes(ctx context.Context) (bool, error) {
	var n int
	err := s.conns.Read.QueryRowContext(ctx, "SELECT COUNT(*) FROM codes").Scan(&n)
	return n > 0, err
}
