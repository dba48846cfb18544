package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/mail"
)

// Keyed lookup hashes (migration 0024): beside every sealed email
// address and phone number, an HMAC-SHA-256 of the value normalised by
// internal/contact's rules, under a key derived from the keyring, so a
// person is found by email or phone (FindPerson) without opening every
// sealed value, and nothing readable is kept. Registrations have kept
// the same hashes, under the same key, since they were built (to refuse
// a second registration); the other tables use them too.

// LookupPurpose names the derived key of the lookup hashes. It is the
// one registrations were built with (web/event_register.go).
const LookupPurpose = "registration-dedupe"

// LookupKeys returns the lookup hashes of an email address and a phone
// number ("" for an empty one, or when the store has no keyring).
func (s *Store) LookupKeys(email, phone string) (emailKey, phoneKey string) {
	if s.keys == nil {
		return "", ""
	}
	return event.DedupeKeys(s.keys.Derive(LookupPurpose), email, phone)
}

// contactKey is the lookup hash of one contact detail that may be
// either an email address or a phone number.
func (s *Store) contactKey(detail string) string {
	e, p := s.LookupKeys(detail, detail)
	if strings.Contains(detail, "@") {
		return e
	}
	return p
}

// sealedKeys opens sealed email and phone values and returns their
// lookup hashes. A value that does not open gets no hash (it is still
// found through the other ways in, and the index job retries).
func (s *Store) sealedKeys(emailSealed, phoneSealed string) (string, string) {
	if s.keys == nil {
		return "", ""
	}
	email, err := s.keys.Open(emailSealed)
	if err != nil {
		email = ""
	}
	phone, err := s.keys.Open(phoneSealed)
	if err != nil {
		phone = ""
	}
	return s.LookupKeys(email, phone)
}

// mailKey is the lookup hash of a queued message's recipient.
func (s *Store) mailKey(m mail.Queued) string {
	if s.keys == nil {
		return ""
	}
	msg, err := mail.Open(s.keys, m.Payload)
	if err != nil {
		return ""
	}
	e, _ := s.LookupKeys(msg.To, "")
	return e
}

// IndexLookupKeys writes the lookup hashes of rows stored before they
// existed (a no-op once each has them); with all, it rewrites every
// hash, as after the keyring's active key changed. It runs at start-up,
// after the keyring is given, and reports how many rows it changed.
func (s *Store) IndexLookupKeys(ctx context.Context, all bool) (int, error) {
	if s.keys == nil {
		return 0, errNoKeys
	}
	missing := func(sealedCol, keyCol string) string {
		if all {
			return sealedCol + " <> ''"
		}
		return "(" + sealedCol + " <> '' AND " + keyCol + " = '')"
	}
	total := 0
	for _, t := range []struct{ table, key, email, phone, emailKey, phoneKey string }{
		{"contact_details", "experience_id", "email_sealed", "phone_sealed", "email_key", "phone_key"},
		{"invitations", "id", "contact_email_sealed", "contact_phone_sealed", "contact_email_key", "contact_phone_key"},
		{"champion_applications", "id", "email_sealed", "phone_sealed", "email_key", "phone_key"},
		{"registrations", "id", "email_sealed", "phone_sealed", "email_key", "phone_key"},
	} {
		rows, err := s.conns.Write.QueryContext(ctx, "SELECT "+t.key+", "+t.email+", "+t.phone+" FROM "+t.table+
			" WHERE "+missing(t.email, t.emailKey)+" OR "+missing(t.phone, t.phoneKey))
		type keyed struct{ id, e, p string }
		list, err := collect(rows, err, func(row rowScanner) (keyed, error) {
			var k keyed
			var es, ps string
			err := row.Scan(&k.id, &es, &ps)
			k.e, k.p = s.sealedKeys(es, ps)
			return k, err
		})
		if err != nil {
			return total, err
		}
		if len(list) == 0 {
			continue
		}
		err = s.tx(ctx, func(tx *sql.Tx) error {
			for _, k := range list {
				if _, err := tx.ExecContext(ctx, s.q("UPDATE "+t.table+" SET "+t.emailKey+" = ?, "+t.phoneKey+" = ? WHERE "+t.key+" = ?"), k.e, k.p, k.id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += len(list)
	}
	// Rights requests: one detail, either kind; outbox: the recipient.
	for _, t := range []struct{ table, sealedCol, keyCol string }{{"rights_requests", "contact_sealed", "contact_key"}, {"outbox", "payload", "to_key"}} {
		rows, err := s.conns.Write.QueryContext(ctx, "SELECT id, "+t.sealedCol+" FROM "+t.table+" WHERE "+missing(t.sealedCol, t.keyCol))
		type keyed struct{ id, k string }
		list, err := collect(rows, err, func(row rowScanner) (keyed, error) {
			var k keyed
			var v string
			if err := row.Scan(&k.id, &v); err != nil {
				return k, err
			}
			if t.table == "outbox" {
				k.k = s.mailKey(mail.Queued{Payload: v})
			} else if plain, err := s.keys.Open(v); err == nil {
				k.k = s.contactKey(plain)
			}
			return k, nil
		})
		if err != nil {
			return total, err
		}
		err = s.tx(ctx, func(tx *sql.Tx) error {
			for _, k := range list {
				if _, err := tx.ExecContext(ctx, s.q("UPDATE "+t.table+" SET "+t.keyCol+" = ? WHERE id = ?"), k.k, k.id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += len(list)
	}
	return total, nil
}
