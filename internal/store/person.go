package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/sealed"
)

// Finding everything held about a person (UK GDPR Article 15), for a
// rights request: by the reference code of something they shared, an
// email address or a phone number (compared by their lookup hashes,
// person_keys.go). What is found is every row of every table that can
// hold personal data and is linked to them, each column as it is held,
// sealed values opened: the response pack is built from it, erasure
// (person_erase.go) works through the same links, and
// TestFinderCoversEveryPersonalTable walks both schemas so that a table
// added later cannot be missed.

// PersonQuery is who to look for; any of the three may be empty.
type PersonQuery struct {
	Reference, Email, Phone string
}

// Empty reports whether there is nothing to look for.
func (q PersonQuery) Empty() bool { return q.Reference == "" && q.Email == "" && q.Phone == "" }

// Record is one row held about the person: its table, its key and its
// columns in the table's order, sealed values opened. Columns that are
// security material rather than information about the person (hashes
// of secrets and lookup keys, sealed keys, leases) are left out.
type Record struct {
	Table  string  `json:"table"`
	ID     string  `json:"id"`
	Fields []Field `json:"fields"`
}

// Field is one column of a record.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Value returns the named field's value ("" when absent).
func (r Record) Value(name string) string {
	for _, f := range r.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// Person is everything found about a person.
type Person struct {
	Records []Record `json:"records"`
	// Found counts the records read per table.
	Found map[string]int `json:"-"`
	// The ids the links led to, for erasure and restriction.
	Experiences, Registrations, Invitations, Champions, Accounts, RightsRequests, Emails, Subscriptions []string `json:"-"`
}

// Of returns the person's records of a table.
func (p Person) Of(table string) []Record {
	var out []Record
	for _, r := range p.Records {
		if r.Table == table {
			out = append(out, r)
		}
	}
	return out
}

// Total is the number of records found.
func (p Person) Total() int { return len(p.Records) }

// hiddenColumns are not disclosed: they are keyed hashes and keys that
// let the programme check or find a value, not information about the
// person (documented in docs/rights.md).
var hiddenColumns = map[string]bool{
	"secret_hash": true, "cancel_hash": true, "token_hash": true, "sealed_key": true, "password_hash": true, "totp_secret": true,
	"totp_last_step": true, "session_epoch": true, "email_key": true, "phone_key": true, "contact_email_key": true,
	"contact_phone_key": true, "contact_key": true, "to_key": true, "claimed_by": true, "claimed_until": true,
	"search_documents.words": true, "search_documents.stems": true, "search_documents.doc_id": true, "source_hash": true, "code_hash": true,
	"capture_records.secret_sealed": true, // the story's secret code, kept to answer a phone's repeat (docs/offline.md)
}

// personTable says how a table's rows are linked to the person: the
// column holding the id of one of the person's linked things.
type personTable struct {
	table, key, link string
	of               func(p *Person) []string
}

func expIDs(p *Person) []string   { return p.Experiences }
func regIDs(p *Person) []string   { return p.Registrations }
func invIDs(p *Person) []string   { return p.Invitations }
func champIDs(p *Person) []string { return p.Champions }
func userIDs(p *Person) []string  { return p.Accounts }
func rightIDs(p *Person) []string { return p.RightsRequests }
func mailIDs(p *Person) []string  { return p.Emails }
func subIDs(p *Person) []string   { return p.Subscriptions }

// PersonTables are the tables the finder reads, in the pack's order.
// Every table of both schemas is either here or in the schema walk's
// list of tables that hold no personal data (with its reason).
var PersonTables = []personTable{
	{"experiences", "id", "id", expIDs},
	{"experience_stages", "stage", "experience_id", expIDs},
	{"consents", "experience_id", "experience_id", expIDs},
	{"equality_answers", "experience_id", "experience_id", expIDs},
	{"contact_details", "experience_id", "experience_id", expIDs},
	{"experience_corrections", "id", "experience_id", expIDs},
	{"experience_originals", "experience_id", "experience_id", expIDs},
	{"experience_keys", "experience_id", "experience_id", expIDs},
	{"capture_records", "client_id", "experience_id", expIDs},
	{"safeguarding_flags", "id", "experience_id", expIDs},
	{"translations", "field", "experience_id", expIDs},
	{"memos", "id", "experience_id", expIDs},
	{"codings", "id", "experience_id", expIDs},
	{"coding_done", "experience_id", "experience_id", expIDs},
	{"suggestion_decisions", "id", "experience_id", expIDs},
	{"coding_sample_items", "sample_id", "experience_id", expIDs},
	{"search_documents", "experience_id", "experience_id", expIDs},
	{"breakdown_facts", "experience_id", "experience_id", expIDs},
	{"recommendation_quote_words", "quote_id", "experience_id", expIDs},
	{"registrations", "id", "id", regIDs},
	{"invitations", "id", "id", invIDs},
	{"invitation_history", "id", "invitation_id", invIDs},
	{"champion_applications", "id", "id", champIDs},
	{"champion_notes", "id", "champion_id", champIDs},
	{"champion_training_records", "module_id", "champion_id", champIDs},
	{"champion_outreach", "id", "champion_id", champIDs},
	{"users", "id", "id", userIDs},
	{"event_helpers", "event_id", "user_id", userIDs},
	{"setup_tokens", "purpose", "user_id", userIDs},
	{"recovery_codes", "created_at", "user_id", userIDs},
	{"rights_requests", "id", "id", rightIDs},
	{"rights_reminders", "stage", "request_id", rightIDs},
	{"rights_packs", "id", "request_id", rightIDs},
	{"outbox", "id", "id", mailIDs},
	{"subscriptions", "id", "id", subIDs},
}

// NormaliseReference reads a typed reference code ("hm 7k4q 9xpt",
// "HM-7K4Q-9XPT") in the form the store keeps ("" when it is not one).
func NormaliseReference(s string) string {
	ref := experience.NormaliseCode(s)
	if len(ref) == 10 && ref[:2] == "HM" {
		return "HM-" + ref[2:6] + "-" + ref[6:]
	}
	return ref
}

// FindPerson finds everything held about the person q names. Nothing
// found is not an error: Person.Total is 0.
func (s *Store) FindPerson(ctx context.Context, q PersonQuery) (Person, error) {
	p := Person{Found: map[string]int{}}
	if err := s.personLinks(ctx, s.conns.Read, q, &p); err != nil {
		return p, err
	}
	keys := map[string]sealed.DataKey{}
	for _, t := range PersonTables {
		ids := t.of(&p)
		if len(ids) == 0 {
			continue
		}
		recs, err := s.personRows(ctx, t, ids, keys)
		if err != nil {
			return p, fmt.Errorf("find person: %s: %w", t.table, err)
		}
		p.Found[t.table] += len(recs)
		p.Records = append(p.Records, recs...)
	}
	return p, nil
}

// personLinks finds the ids of what is linked to the person: things
// shared (by reference or the contact left with them), registrations,
// invitations, champion applications and accounts, rights requests,
// emails and subscriptions to the report (by the lookup hashes of the
// email address and phone number).
func (s *Store) personLinks(ctx context.Context, db querier, q PersonQuery, p *Person) error {
	ek, pk := s.LookupKeys(strings.TrimSpace(q.Email), strings.TrimSpace(q.Phone))
	ref := NormaliseReference(q.Reference)
	ids := func(dst *[]string, query string, args ...any) error {
		rows, err := db.QueryContext(ctx, s.q(query), args...)
		got, err := collect(rows, err, scanValue[string])
		if err != nil {
			return err
		}
		*dst = appendNew(*dst, got...)
		return nil
	}
	if ref != "" {
		if err := ids(&p.Experiences, "SELECT id FROM experiences WHERE reference = ?", ref); err != nil {
			return err
		}
		if err := ids(&p.RightsRequests, "SELECT id FROM rights_requests WHERE reference = ?", ref); err != nil {
			return err
		}
	}
	// One query per hash column, each with the condition of its partial
	// index spelt out ("<> ''"), so both databases use the index.
	for _, l := range []struct {
		dst                 *[]string
		query, email, phone string
	}{
		{&p.Experiences, "SELECT experience_id FROM contact_details WHERE ", "email_key", "phone_key"},
		{&p.Registrations, "SELECT id FROM registrations WHERE ", "email_key", "phone_key"},
		{&p.Invitations, "SELECT id FROM invitations WHERE ", "contact_email_key", "contact_phone_key"},
		{&p.Champions, "SELECT id FROM champion_applications WHERE ", "email_key", "phone_key"},
		{&p.RightsRequests, "SELECT id FROM rights_requests WHERE ", "contact_key", "contact_key"},
		{&p.Emails, "SELECT id FROM outbox WHERE ", "to_key", ""},
		{&p.Subscriptions, "SELECT id FROM subscriptions WHERE ", "email_key", ""},
	} {
		for _, c := range []struct{ col, key string }{{l.email, ek}, {l.phone, pk}} {
			if c.col == "" || c.key == "" {
				continue
			}
			if err := ids(l.dst, l.query+c.col+" = ? AND "+c.col+" <> ''", c.key); err != nil {
				return err
			}
		}
	}
	if email := strings.ToLower(strings.TrimSpace(q.Email)); email != "" {
		// Staff accounts keep their sign-in address in the clear.
		if err := ids(&p.Accounts, "SELECT id FROM users WHERE LOWER(email) = ?", email); err != nil {
			return err
		}
	}
	if len(p.Champions) > 0 {
		in, args := placeholders(p.Champions)
		if err := ids(&p.Accounts, "SELECT user_id FROM champion_applications WHERE user_id IS NOT NULL AND id IN ("+in+")", args...); err != nil {
			return err
		}
	}
	if len(p.Accounts) > 0 {
		in, args := placeholders(p.Accounts)
		if err := ids(&p.Champions, "SELECT id FROM champion_applications WHERE user_id IN ("+in+")", args...); err != nil {
			return err
		}
	}
	return nil
}

// appendNew appends the values not already in dst.
func appendNew(dst []string, vals ...string) []string {
	for _, v := range vals {
		found := false
		for _, d := range dst {
			if d == v {
				found = true
				break
			}
		}
		if !found && v != "" {
			dst = append(dst, v)
		}
	}
	return dst
}

// personRows reads a table's rows linked to ids, every column but the
// hidden ones, sealed values opened: keyring-sealed values with the
// keyring, an experience's text with its data key.
func (s *Store) personRows(ctx context.Context, t personTable, ids []string, keys map[string]sealed.DataKey) ([]Record, error) {
	in, args := placeholders(ids)
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT * FROM "+t.table+" WHERE "+t.link+" IN ("+in+") ORDER BY "+t.link+", "+t.key), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []Record
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		r := Record{Table: t.table}
		expID := ""
		for i, c := range cols {
			if c == "experience_id" || (t.table == "experiences" && c == "id") {
				expID = text(vals[i])
			}
		}
		for i, c := range cols {
			v := text(vals[i])
			if c == t.key {
				r.ID = v
			}
			if hiddenColumns[c] || hiddenColumns[t.table+"."+c] {
				continue
			}
			if c == "payload" { // an email: its subject while it is held
				if m, err := mail.Open(s.keys, v); err == nil && v != "" {
					r.Fields = append(r.Fields, Field{"subject", m.Subject})
				}
				continue
			}
			if v, err = s.openValue(ctx, v, expID, keys); err != nil {
				return nil, fmt.Errorf("%s.%s: %w", t.table, c, err)
			}
			r.Fields = append(r.Fields, Field{c, v})
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// openValue opens a sealed value; anything else is returned as it is.
func (s *Store) openValue(ctx context.Context, v, expID string, keys map[string]sealed.DataKey) (string, error) {
	switch {
	case sealed.IsDataSealed(v) && expID != "":
		d, ok := keys[expID]
		if !ok {
			var err error
			if d, err = s.dataKey(ctx, s.conns.Read, expID); err != nil {
				return "", err
			}
			keys[expID] = d
		}
		return d.Open(expID, v)
	case strings.HasPrefix(v, "v1:") && s.keys != nil:
		if plain, err := s.keys.Open(v); err == nil {
			return plain, nil
		}
	}
	return v, nil
}

// text renders a scanned value as text.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case []byte:
		return string(x)
	case string:
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case bool:
		if x {
			return "true"
		}
		return "false"
	default:
		return fmt.Sprint(x)
	}
}

// PersonTableNames lists the finder's tables, sorted.
func PersonTableNames() []string {
	var out []string
	for _, t := range PersonTables {
		out = append(out, t.table)
	}
	sort.Strings(out)
	return out
}
