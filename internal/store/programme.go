package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/hearme-project/hearme/internal/programme"
)

// HasProgramme reports whether a programme configuration has been loaded.
func (s *Store) HasProgramme(ctx context.Context) (bool, error) {
	var n int
	err := s.conns.Read.QueryRowContext(ctx, "SELECT COUNT(*) FROM languages").Scan(&n)
	return n > 0, err
}

// ReplaceProgramme replaces the whole programme configuration in one
// transaction. Organisations keep their ids when their slug is kept, so
// accounts tied to them stay tied.
func (s *Store) ReplaceProgramme(ctx context.Context, actorID string, c programme.Config) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{"DELETE FROM programme_settings", "DELETE FROM languages", "DELETE FROM config_item_names", "DELETE FROM config_items"} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		if err := s.writeSettings(ctx, tx, c.Settings); err != nil {
			return err
		}
		if err := s.writeSafeguarding(ctx, tx, c.Safeguarding); err != nil {
			return err
		}
		if c.Census != nil {
			b, err := json.Marshal(c.Census)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO programme_settings (key, value) VALUES (?, ?)"), censusKey, string(b)); err != nil {
				return err
			}
		}
		for i, l := range c.Languages {
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO languages (code, native_name, english_name, rtl, position, enabled) VALUES (?, ?, ?, ?, ?, TRUE)"),
				l.Code, l.NativeName, l.EnglishName, l.RTL, i); err != nil {
				return err
			}
		}
		for kind, items := range map[string][]programme.Item{programme.KindCommunity: c.Communities, programme.KindStage: c.Stages} {
			for i, it := range items {
				if _, err := tx.ExecContext(ctx, s.q("INSERT INTO config_items (kind, slug, position, active) VALUES (?, ?, ?, ?)"), kind, it.Slug, i, it.Active); err != nil {
					return err
				}
				for lang, name := range it.Names {
					if _, err := tx.ExecContext(ctx, s.q("INSERT INTO config_item_names (kind, slug, lang, name) VALUES (?, ?, ?, ?)"), kind, it.Slug, lang, name); err != nil {
						return err
					}
				}
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE organisations SET active = FALSE"); err != nil {
			return err
		}
		for _, o := range c.Organisations {
			res, err := tx.ExecContext(ctx, s.q("UPDATE organisations SET name = ?, kind = ?, website = ?, active = TRUE WHERE slug = ?"), o.Name, o.Kind, o.Website, o.Slug)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if n == 0 {
				if _, err := tx.ExecContext(ctx, s.q("INSERT INTO organisations (id, slug, name, kind, website, active) VALUES (?, ?, ?, ?, ?, TRUE)"),
					NewID(), o.Slug, o.Name, o.Kind, o.Website); err != nil {
					return err
				}
			}
		}
		return s.appendAudit(ctx, tx, actorID, "programme.replaced", "programme", "")
	})
}

// safeguardingPrefix marks the escalation path's keys in
// programme_settings; the settings form does not touch them.
const safeguardingPrefix = "safeguarding."

// censusKey holds the census figures (programme.Census) as JSON in
// programme_settings; the settings form does not touch it either.
const censusKey = "census"

func (s *Store) writeSettings(ctx context.Context, tx *sql.Tx, set programme.Settings) error {
	if _, err := tx.ExecContext(ctx, s.q("DELETE FROM programme_settings WHERE key NOT LIKE ? AND key <> ?"), safeguardingPrefix+"%", censusKey); err != nil {
		return err
	}
	for k, v := range map[string]string{
		"name": set.Name, "short_name": set.ShortName, "organisation": set.Organisation,
		"contact_email": set.ContactEmail, "contact_phone": set.ContactPhone, "address": set.Address,
		"time_zone": set.TimeZone, "dpo_email": set.DPOEmail, "ico_registration": set.ICORegistration, "end_date": set.EndDate,
	} {
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO programme_settings (key, value) VALUES (?, ?)"), k, v); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) writeSafeguarding(ctx context.Context, tx *sql.Tx, sg programme.Safeguarding) error {
	if _, err := tx.ExecContext(ctx, s.q("DELETE FROM programme_settings WHERE key LIKE ?"), safeguardingPrefix+"%"); err != nil {
		return err
	}
	example := ""
	if sg.Example {
		example = "true"
	}
	for k, v := range map[string]string{"lead_role": sg.LeadRole, "lead_name": sg.LeadName, "phone": sg.Phone, "email": sg.Email,
		"out_of_hours": sg.OutOfHours, "example": example} {
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO programme_settings (key, value) VALUES (?, ?)"), safeguardingPrefix+k, v); err != nil {
			return err
		}
	}
	return nil
}

// UpdateSettings replaces the programme's own facts (name, contact
// details, controller) and audits the change.
func (s *Store) UpdateSettings(ctx context.Context, actorID string, set programme.Settings) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.writeSettings(ctx, tx, set); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, "programme.settings_changed", "programme", "")
	})
}

// Programme reads the whole configuration (active organisations only).
func (s *Store) Programme(ctx context.Context) (programme.Config, error) {
	var c programme.Config
	db := s.conns.Read
	rows, err := db.QueryContext(ctx, "SELECT key, value FROM programme_settings")
	pairs, err := collect(rows, err, func(row rowScanner) ([2]string, error) {
		var p [2]string
		err := row.Scan(&p[0], &p[1])
		return p, err
	})
	if err != nil {
		return c, err
	}
	kv := map[string]string{}
	for _, p := range pairs {
		kv[p[0]] = p[1]
	}
	c.Settings = programme.Settings{Name: kv["name"], ShortName: kv["short_name"], Organisation: kv["organisation"],
		ContactEmail: kv["contact_email"], ContactPhone: kv["contact_phone"], Address: kv["address"],
		TimeZone: kv["time_zone"], DPOEmail: kv["dpo_email"], ICORegistration: kv["ico_registration"], EndDate: kv["end_date"]}
	sg := func(k string) string { return kv[safeguardingPrefix+k] }
	c.Safeguarding = programme.Safeguarding{LeadRole: sg("lead_role"), LeadName: sg("lead_name"), Phone: sg("phone"), Email: sg("email"),
		OutOfHours: sg("out_of_hours"), Example: sg("example") == "true"}
	if v := kv[censusKey]; v != "" {
		c.Census = &programme.Census{}
		if err := json.Unmarshal([]byte(v), c.Census); err != nil {
			return c, err
		}
	}

	rows, err = db.QueryContext(ctx, "SELECT code, native_name, english_name, rtl FROM languages WHERE enabled = TRUE ORDER BY position")
	c.Languages, err = collect(rows, err, func(row rowScanner) (programme.Language, error) {
		var l programme.Language
		err := row.Scan(&l.Code, &l.NativeName, &l.EnglishName, &l.RTL)
		return l, err
	})
	if err != nil {
		return c, err
	}

	rows, err = db.QueryContext(ctx, `SELECT i.kind, i.slug, i.active, n.lang, n.name FROM config_items i
		JOIN config_item_names n ON n.kind = i.kind AND n.slug = i.slug ORDER BY i.kind, i.position, n.lang`)
	type itemName struct {
		kind, slug, lang, name string
		active                 bool
	}
	names, err := collect(rows, err, func(row rowScanner) (itemName, error) {
		var n itemName
		err := row.Scan(&n.kind, &n.slug, &n.active, &n.lang, &n.name)
		return n, err
	})
	if err != nil {
		return c, err
	}
	for _, in := range names {
		list := &c.Communities
		if in.kind == programme.KindStage {
			list = &c.Stages
		}
		if n := len(*list); n == 0 || (*list)[n-1].Slug != in.slug {
			*list = append(*list, programme.Item{Slug: in.slug, Active: in.active, Names: map[string]string{}})
		}
		(*list)[len(*list)-1].Names[in.lang] = in.name
	}

	rows, err = db.QueryContext(ctx, "SELECT id, slug, name, kind, website FROM organisations WHERE active = TRUE ORDER BY name")
	c.Organisations, err = collect(rows, err, func(row rowScanner) (programme.Organisation, error) {
		var o programme.Organisation
		err := row.Scan(&o.ID, &o.Slug, &o.Name, &o.Kind, &o.Website)
		return o, err
	})
	return c, err
}
