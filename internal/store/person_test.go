package store_test

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/champion"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/invitation"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/rights"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/dialect"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// planted is a person with records in every table the finder reads.
type planted struct {
	Email, Phone, Reference string
	Experience              experience.Receipt
	EventID, RegistrationID string
	RequestID               string
	Keys                    *sealed.Keyring
}

// plantPerson gives a person (email, phone, marker in every free-text
// place, the marker also in the email's local part) a record in every
// table the finder reads: a story with its contact, equality answers,
// consent, correction, moderated original, English rendering, memo,
// codings, a sample, a suggestion decision, a safeguarding flag, its
// search document and a published quote; a past event registration; an
// invitation with a staff note; a champion application with a note,
// training, outreach, an account, a set-up link and an event they help
// at; a rights request with a reminder and a pack; and emails.
func plantPerson(t *testing.T, s *store.Store, keys *sealed.Keyring, marker string) planted {
	t.Helper()
	s.UseKeys(keys)
	seal := func(v string) string {
		t.Helper()
		out, err := keys.Seal(v)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	exec := func(query string, args ...any) {
		t.Helper()
		if _, err := s.WriteDB().ExecContext(ctx, rebind(s, query), args...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	now := time.Now().UTC()
	p := planted{Email: "Person." + marker + "@Example.org", Keys: keys}
	digits, err := rand.Int(rand.Reader, big.NewInt(1000000))
	if err != nil {
		t.Fatal(err)
	}
	p.Phone = fmt.Sprintf("07700 %06d", digits.Int64())

	// The story, moderated, rendered, coded, quoted and searchable.
	sub := submission()
	sub.WhatHappened, sub.CouldBeBetter, sub.CancerType = "what "+marker, "better "+marker+" waited", "type "+marker
	sub.Equality.EthnicGroup, sub.Equality.EthnicOther = "other-ethnic-group", "ethnic "+marker
	sub.Consent.Contact = true
	rc, err := s.SubmitExperience(ctx, sub, experience.Contact{Name: seal("Name " + marker), Email: seal(p.Email), Phone: seal(p.Phone)})
	if err != nil {
		t.Fatal(err)
	}
	p.Experience, p.Reference = rc, rc.Reference
	exec(`INSERT INTO capture_records (client_id, experience_id, recorded_by, secret_sealed, captured_at, clock_note, arrived_at)
		VALUES (?, ?, 'champion', 'd1:x', ?, '', ?)`, "phone-"+randomHex(), rc.ID, now, now)
	if err := s.AddCorrection(ctx, rc.Reference, rc.Secret, "correction "+marker); err != nil {
		t.Fatal(err)
	}
	held, err := s.ExperienceByReference(ctx, rc.Reference, rc.Secret)
	if err != nil {
		t.Fatal(err)
	}
	redacted := sub
	redacted.WhatHappened = "[redacted] what " + marker
	if err := s.RedactExperience(ctx, "moderator", rc.ID, redacted, held.Corrections, "original "+marker); err != nil {
		t.Fatal(err)
	}
	if err := s.DecideExperience(ctx, "moderator", rc.ID, experience.StatusApproved, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveTranslation(ctx, "coder", rc.ID, "could_be_better", "translation "+marker); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveMemo(ctx, "coder", "", rc.ID, "", "memo "+marker); err != nil {
		t.Fatal(err)
	}
	code, err := s.CreateCode(ctx, "coder", analysis.Code{Name: "Waiting " + randomHex(), Definition: "Waits"}, false)
	if err != nil {
		t.Fatal(err)
	}
	codingID := store.NewID()
	exec(`INSERT INTO codings (id, experience_id, code_id, field, start_pos, end_pos, whole, quote, coder_id, created_at)
		VALUES (?, ?, ?, 'could_be_better', 0, 6, FALSE, TRUE, 'coder', ?)`, codingID, rc.ID, code, now)
	exec("INSERT INTO coding_done (experience_id, coder_id, done_at) VALUES (?, 'coder', ?)", rc.ID, now)
	exec(`INSERT INTO suggestion_decisions (id, experience_id, code_id, model_version, accepted, coder_id, created_at)
		VALUES (?, ?, ?, 'm1', TRUE, 'coder', ?)`, store.NewID(), rc.ID, code, now)
	sample := store.NewID()
	exec("INSERT INTO coding_samples (id, name, second_coder_id, requested_by, created_at) VALUES (?, 'sample', 'coder2', 'lead', ?)", sample, now)
	exec("INSERT INTO coding_sample_items (sample_id, experience_id) VALUES (?, ?)", sample, rc.ID)
	exec("INSERT INTO safeguarding_flags (id, experience_id, source, phrases, raised_at) VALUES (?, ?, 'submission', ?, ?)", store.NewID(), rc.ID, "phrase "+marker, now)
	rec, quote := store.NewID(), store.NewID()
	exec("INSERT INTO recommendations (id, reference, status, title, body, created_by, created_at, updated_at) VALUES (?, ?, 'published', 'T', 'B', 'analyst', ?, ?)",
		rec, "R-"+randomHex(), now, now)
	exec("INSERT INTO recommendation_quotes (id, recommendation_id, position, theme_id, theme_name) VALUES (?, ?, 1, ?, 'Waiting')", quote, rec, code)
	exec("INSERT INTO recommendation_quote_words (quote_id, experience_id, lang, words) VALUES (?, ?, 'pl', ?)", quote, rc.ID, "quoted "+marker)
	exec("INSERT INTO recommendation_quote_choices (recommendation_id, coding_id, position) VALUES (?, ?, 1)", rec, codingID)

	// A registration for an event that has happened.
	ev := &event.Event{Kind: event.KindListening, Visibility: event.Public, Languages: []string{"en"}, Start: now.Add(24 * time.Hour), End: now.Add(26 * time.Hour),
		VenueName: "Hall", VenueAddress: "1 Street", Capacity: 10, Texts: map[string]event.Text{"en": {Title: "Listening"}}}
	if err := s.CreateEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	p.EventID = ev.ID
	ek, pk := s.LookupKeys(p.Email, p.Phone)
	reg, err := s.Register(ctx, store.NewRegistration{Registration: event.Registration{EventID: ev.ID, Places: 1, Lang: "pl",
		NameSealed: seal("Name " + marker), EmailSealed: seal(p.Email), PhoneSealed: seal(p.Phone), AccessNeedsSealed: seal("ramp " + marker)},
		EmailKey: ek, PhoneKey: pk, CancelHash: event.Hash(marker + "-cancel")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.RegistrationID = reg.ID
	exec("UPDATE events SET starts_at = ?, ends_at = ? WHERE id = ?", now.Add(-48*time.Hour), now.Add(-47*time.Hour), ev.ID)

	// An invitation from them, with a staff note.
	inv, err := s.CreateInvitation(ctx, invitation.Request{Kind: invitation.KindGathering, Group: "Group", Lang: "pl", Notes: "notes " + marker,
		Contact: invitation.Contact{Name: seal("Name " + marker), Email: seal(strings.ToUpper(p.Email)), Phone: seal("+44 " + p.Phone[1:])}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddInvitationNote(ctx, "connector", inv.ID, "staff note "+marker); err != nil {
		t.Fatal(err)
	}

	// A champion with an account.
	champ, err := s.SubmitChampionApplication(ctx, store.NewChampionApplication{Lang: "pl", NameSealed: seal("Name " + marker), EmailSealed: seal(p.Email),
		PhoneSealed: seal(p.Phone), DetailsSealed: seal("details " + marker), ConsentVersion: "2026-11"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddChampionNote(ctx, "connector", champ, seal("note "+marker)); err != nil {
		t.Fatal(err)
	}
	module, err := s.SaveTrainingModule(ctx, "connector", champion.Module{Title: "Module " + randomHex(), Required: true, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordTraining(ctx, "connector", champ, module, now.Format(time.DateOnly)); err != nil {
		t.Fatal(err)
	}
	exec(`INSERT INTO champion_outreach (id, champion_id, held_on, community, place, people_reached, topics, created_at)
		VALUES (?, ?, '2026-01-01', 'polish', ?, 5, ?, ?)`, store.NewID(), champ, "place "+marker, "topics "+marker, now)
	user, err := s.CreateUser(ctx, "admin", account.NewUser{Email: strings.ToLower(p.Email), DisplayName: "Name " + marker, Role: account.Champion})
	if err != nil {
		t.Fatal(err)
	}
	exec("UPDATE champion_applications SET user_id = ? WHERE id = ?", user.ID, champ)
	exec("INSERT INTO setup_tokens (token_hash, user_id, purpose, expires_at, created_at) VALUES (?, ?, 'reset', ?, ?)", "h"+randomHex(), user.ID, now.Add(time.Hour), now)
	exec("INSERT INTO event_helpers (event_id, user_id, created_at) VALUES (?, ?, ?)", ev.ID, user.ID, now)
	exec("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)", user.ID, "c"+randomHex(), now)

	// A rights request, reminded of, with a pack; and an email.
	n := rights.New{Kind: rights.KindAccess, Channel: rights.ChannelEmail, ReceivedOn: now.Format(time.DateOnly), Contact: p.Email, Notes: "asked for a copy"}
	if errs := n.Validate(now); len(errs) > 0 {
		t.Fatal(errs)
	}
	req, err := s.LogRightsRequest(ctx, "dpo", n, seal(p.Email))
	p.RequestID = req
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RemindRightsRequest(ctx, req, rights.StageDueSoon, now); err != nil {
		t.Fatal(err)
	}
	exec(`INSERT INTO rights_packs (id, request_id, token_hash, format, lang, prepared_by, created_at, expires_at)
		VALUES (?, ?, ?, 'json', 'pl', 'dpo', ?, ?)`, store.NewID(), req, "t"+randomHex(), now, now.Add(time.Hour))
	m, err := mail.Seal(keys, "event_registered", mail.Message{To: strings.ToLower(p.Email), Subject: "subject " + marker, Text: "text " + marker})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnqueueMail(ctx, m); err != nil {
		t.Fatal(err)
	}
	// A subscription to the report, by the address (its confirmation
	// email is not needed here: the outbox is planted above).
	subKey, _ := s.LookupKeys(p.Email, "")
	exec(`INSERT INTO subscriptions (id, email_sealed, email_key, lang, scope, target, created_at) VALUES (?, ?, ?, 'pl', 'community', 'south-asian', ?)`,
		store.NewID(), seal(strings.ToLower(p.Email)), subKey, now)
	return p
}

// TestFinderFindsEveryPersonalTable plants a person in every table the
// finder reads and finds each of them by reference, email and phone
// (typed differently from how they were given): a table the links miss
// fails here. Sealed values come back opened; secrets' hashes and
// lookup keys are not disclosed. Someone else is not found.
func TestFinderFindsEveryPersonalTable(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		marker, keys := "zqxfind"+randomHex(), storetest.Keys(t)
		p := plantPerson(t, s, keys, marker)
		other := plantPerson(t, s, keys, "zqxother"+randomHex())
		byAll, err := s.FindPerson(ctx, store.PersonQuery{Reference: strings.ToLower(strings.ReplaceAll(p.Reference, "-", " ")), Email: " " + strings.ToUpper(p.Email), Phone: "+44 (0)" + p.Phone[1:]})
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range store.PersonTableNames() {
			if byAll.Found[table] == 0 {
				t.Errorf("%s: nothing found for a person planted there", table)
			}
		}
		for _, r := range byAll.Records {
			for _, f := range r.Fields {
				if strings.Contains(f.Value, other.Email) || strings.Contains(f.Value, "zqxother") {
					t.Errorf("%s: another person's data: %s = %q", r.Table, f.Name, f.Value)
				}
				if strings.HasPrefix(f.Value, "v1:") || sealed.IsDataSealed(f.Value) {
					t.Errorf("%s.%s is still sealed", r.Table, f.Name)
				}
				if strings.HasSuffix(f.Name, "_key") || strings.HasSuffix(f.Name, "_hash") {
					t.Errorf("%s.%s disclosed", r.Table, f.Name)
				}
			}
		}
		want := map[string]string{"experiences.what_happened": "[redacted] what " + marker, "contact_details.email_sealed": p.Email,
			"registrations.access_needs_sealed": "ramp " + marker, "invitations.notes": "notes " + marker, "champion_notes.body_sealed": "note " + marker,
			"experience_originals.sealed": "original " + marker, "translations.text": "translation " + marker, "memos.text": "memo " + marker,
			"recommendation_quote_words.words": "quoted " + marker, "outbox.subject": "subject " + marker, "consents.version": "2026-11",
			"subscriptions.email_sealed": strings.ToLower(p.Email), "subscriptions.target": "south-asian"}
		for k, v := range want {
			table, col, _ := strings.Cut(k, ".")
			recs := byAll.Of(table)
			if len(recs) == 0 || recs[0].Value(col) != v {
				t.Errorf("%s: %q, want %q", k, recs, v)
			}
		}
		// Each way in alone finds its part.
		for name, q := range map[string]store.PersonQuery{"reference": {Reference: p.Reference}, "email": {Email: p.Email}, "phone": {Phone: p.Phone}} {
			got, err := s.FindPerson(ctx, q)
			if err != nil || got.Found["experiences"] != 1 {
				t.Errorf("by %s: %d experiences, %v", name, got.Found["experiences"], err)
			}
		}
		if got, _ := s.FindPerson(ctx, store.PersonQuery{Phone: p.Phone}); got.Found["registrations"] != 1 || got.Found["invitations"] != 1 || got.Found["outbox"] != 0 {
			t.Errorf("by phone: %v", got.Found)
		}
		// Nobody: nothing, and no error.
		if got, err := s.FindPerson(ctx, store.PersonQuery{Email: "nobody-" + marker + "@example.org", Reference: "HM-0000-0000"}); err != nil || got.Total() != 0 {
			t.Errorf("an email that matches nobody: %d records, %v", got.Total(), err)
		}
	})
}

// noPersonalData lists every table that holds no personal data the
// finder could link to a person, with the reason. A table in neither
// this list nor store.PersonTables fails TestFinderCoversEveryTable, and
// so does a new column in one of these tables (columnsOf pins them): a
// column added here may hold personal data, so look again.
var noPersonalData = map[string]string{
	"capture_queue_keys":           "the server's key pairs that phones encrypt waiting captures to (docs/offline.md); keys, nobody's data",
	"programme_settings":           "the programme's own configuration",
	"languages":                    "configuration: the languages offered",
	"config_items":                 "configuration: communities, stages and other lists",
	"config_item_names":            "configuration: the lists' names in each language",
	"organisations":                "stakeholder organisations, not people",
	"audit_log":                    "append-only accountability record the law expects; holds ids and kinds, never content (docs/security.md); kept after erasure",
	"job_locks":                    "scheduled jobs' leases",
	"withdrawals":                  "counts of withdrawals per month and kind",
	"erasure_counts":               "counts of erasures per month and kind (the tombstone)",
	"erasures_pending":             "when a deletion happened, for the erase-leftovers job",
	"events":                       "events run by staff; venue and agenda are public information",
	"breakdown_counts":             "counts of experiences by theme, community, month and so on (migration 0022), in scopes of a community and/or pathway stage (migration 0030), with coded passages (migration 0039); no row names anyone",
	"event_texts":                  "events' public titles and descriptions",
	"event_agenda":                 "public agenda; a speaker's name is typed by staff for the published programme and cannot be linked to a reference or contact",
	"support_services":             "the public directory of services (organisations' contact details)",
	"support_tags":                 "the directory's tags",
	"support_signposts":            "anonymous counts of signposting",
	"champion_training_modules":    "the training course's modules",
	"awareness_pages":              "public awareness pages",
	"awareness_texts":              "public awareness pages' text",
	"awareness_history":            "earlier versions of public pages",
	"codes":                        "the codebook",
	"code_history":                 "the codebook's history (staff ids)",
	"coding_samples":               "a second-coding sample's name and staff ids; its items are the person's (coding_sample_items)",
	"recommendations":              "recommendations written by staff",
	"recommendation_texts":         "recommendations' translations",
	"recommendation_organisations": "organisations a recommendation is addressed to",
	"recommendation_themes":        "themes a recommendation cites",
	"recommendation_quote_choices": "which codings a recommendation chose: ids only, removed with the coding when the experience goes (ON DELETE CASCADE)",
	"recommendation_figures":       "suppressed counts published with a recommendation",
	"recommendation_quotes":        "a snapshot quote's place and theme; its words are the person's (recommendation_quote_words)",
	"breaches":                     "the breach register; people affected are described by approximate counts",
	"breach_versions":              "the breach register's versions",
	"schema_migrations":            "which migrations ran",
	"accountability_reminders":     "reminders to staff and stakeholders about commitments: ids and dates",
	"commitments":                  "stakeholders' commitments about services, written by organisations",
	"commitment_versions":          "commitments' history (staff ids)",
	"commitment_updates":           "stakeholders' progress updates about services (staff ids)",
	"recommendation_notes":         "organisations' notes on recommendations",
	"recommendation_responses":     "organisations' responses to recommendations",
	"key_rotations":                "the keyring's rotation progress",
	"digest_runs":                  "the report digest's runs: dates and how many were queued (migration 0027)",
	"commitment_translations":      "connectors' translations of stakeholders' commitments (staff ids; migration 0029)",
	"update_translations":          "connectors' translations of stakeholders' progress updates (staff ids)",
	"response_translations":        "connectors' translations of organisations' reasons (staff ids)",
	"recommendation_reviews":       "when a draft recommendation was open for community review (staff ids; migration 0028)",
	"review_figures":               "suppressed counts shown with a draft under community review",
	"review_ranks":                 "anonymous ranks of draft recommendations, under a keyed hash of a random browser cookie: no reference or contact links them to anyone",
	"review_comments":              "anonymous comments on draft recommendations: no reference or contact to find them by; identifying details are flagged by the scanner and removed at moderation, and comments are deleted after 180 days (rule review-comments)",
	"review_events":                "listening events' results: place, date, community and how many took part (staff ids)",
	"review_event_votes":           "a listening event's ranks or dots per draft: counts",
	"ropa_versions":                "the record of processing activities, as the programme writes it",
	// Only on SQLite: FTS5's shadow tables of search_documents.
	"search_index":         "SQLite FTS5 index of search_documents: follows it (a deleted document's words go with it, secure-delete on, proved by the marker test)",
	"search_index_config":  "SQLite FTS5 settings",
	"search_index_data":    "SQLite FTS5 index of search_documents (as search_index)",
	"search_index_docsize": "SQLite FTS5 index sizes",
	"search_index_idx":     "SQLite FTS5 index of search_documents (as search_index)",
	// Only on PostgreSQL: sessions stay in the main database.
	"sessions": "web sessions: a staff sign-in, or a resident's draft for hours, under a random token; not linked to a reference or contact, and ended by expiry",
}

// reviewedColumns are the columns of the tables in noPersonalData as
// they were reviewed (FTS5's own tables, sessions and schema_migrations
// are the libraries').
var reviewedColumns = map[string]string{
	"breakdown_counts":             "scope,col_dim,row_kind,month,row_value,col_value,n,passages",
	"capture_queue_keys":           "id,private_sealed,public_jwk,created_at",
	"programme_settings":           "key,value",
	"languages":                    "code,native_name,english_name,rtl,position,enabled",
	"config_items":                 "kind,slug,position,active",
	"config_item_names":            "kind,slug,lang,name",
	"organisations":                "id,slug,name,kind,website,active",
	"audit_log":                    "seq,at,actor_id,action,subject,detail,prev_hash,hash",
	"job_locks":                    "name,holder,locked_until,last_run_at",
	"withdrawals":                  "month,kind,count",
	"erasure_counts":               "month,what,count",
	"erasures_pending":             "id,txn,created_at",
	"events":                       "id,kind,status,status_message,visibility,invite_key,community,languages,interpreters,starts_at,ends_at,venue_name,venue_address,venue_postcode,access,access_notes,capacity,walk_ins,confirmed_places,waiting_places,last_position,created_by,created_at,updated_at,demo,synthetic",
	"event_texts":                  "event_id,lang,title,description",
	"event_agenda":                 "event_id,position,at,activity,speaker",
	"support_services":             "id,name,organisation,summary,summaries,needs,stages,area,languages,communities,phone,email,website,hours,eligibility,referral,search_text,checked_at,checked_by,created_at,updated_at,demo",
	"support_tags":                 "service_id,kind,code",
	"support_signposts":            "service_id,month,place,event_id,shown,opened",
	"champion_training_modules":    "id,title,summary,required,position,active,created_at,demo",
	"awareness_pages":              "id,slug,position,published,created_at,updated_at,demo",
	"awareness_texts":              "page_id,lang,title,summary,body_markdown,body_html,reviewed_on,reviewer,updated_by,updated_at",
	"awareness_history":            "id,page_id,lang,title,summary,body_markdown,reviewed_on,reviewer,updated_by,updated_at,replaced_at",
	"codes":                        "id,parent_id,name,definition,when_to_use,when_not_to_use,example,colour,position,archived,merged_into,demo,version,created_at,updated_at",
	"code_history":                 "id,code_id,action,detail,actor_id,created_at",
	"coding_samples":               "id,name,second_coder_id,requested_by,created_at",
	"recommendations":              "id,reference,status,title,body,version,created_by,created_at,updated_at,published_by,published_at,shared_at",
	"recommendation_texts":         "recommendation_id,lang,title,body",
	"recommendation_organisations": "recommendation_id,organisation",
	"recommendation_themes":        "recommendation_id,theme_id,position",
	"recommendation_quote_choices": "recommendation_id,coding_id,position",
	"recommendation_figures":       "recommendation_id,theme_id,theme_name,community,value,position",
	"recommendation_quotes":        "id,recommendation_id,position,theme_id,theme_name",
	"breaches":                     "id,version,aware_at,reported,created_at,updated_at",
	"breach_versions":              "breach_id,version,entry,changed_by,changed_at",
	"digest_runs":                  "id,since_at,until_at,started_at,finished_at,queued",
	"commitment_translations":      "commitment_id,lang,body,reason,what_changed,source,translated_by,translated_at",
	"update_translations":          "update_id,lang,body,reason,what_changed,source,translated_by,translated_at",
	"response_translations":        "response_id,lang,body,reason,what_changed,source,translated_by,translated_at",
	"recommendation_reviews":       "recommendation_id,opened_by,opened_at,closed_by,closed_at",
	"review_figures":               "recommendation_id,theme_id,theme_name,community,value,position",
	"review_ranks":                 "recommendation_id,browser,ballot_id,place,of_count,created_at",
	"review_comments":              "id,recommendation_id,lang,body,status,created_at,moderated_by,moderated_at",
	"review_events":                "id,place,held_on,community,method,participants,recorded_by,created_at",
	"review_event_votes":           "event_id,recommendation_id,value",
}

// dialectOnly are tables that exist in one database only.
var dialectOnly = map[string]dialect.Name{
	"search_index": dialect.SQLite, "search_index_config": dialect.SQLite, "search_index_data": dialect.SQLite,
	"search_index_docsize": dialect.SQLite, "search_index_idx": dialect.SQLite, "sessions": dialect.Postgres,
}

// TestFinderCoversEveryTable walks both schemas (every table and column
// the database reports): each table is read by the finder or listed,
// with its reason, as holding no personal data; not both; and a listed
// table's columns are the ones reviewed.
func TestFinderCoversEveryTable(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		cols := schemaColumns(t, s)
		finder := map[string]bool{}
		for _, n := range store.PersonTableNames() {
			finder[n] = true
		}
		var tables []string
		for table := range cols {
			tables = append(tables, table)
		}
		sort.Strings(tables)
		for _, table := range tables {
			_, none := noPersonalData[table]
			switch {
			case finder[table] && none:
				t.Errorf("%s is both read by the finder and listed as holding no personal data", table)
			case !finder[table] && !none:
				t.Errorf("table %s (columns %s) is not read by the finder (store.PersonTables) and not listed in noPersonalData with a reason: "+
					"if it can hold anything about a person, link it in store.PersonTables and erase it in ErasePerson", table, strings.Join(cols[table], ", "))
			case none:
				if want, ok := reviewedColumns[table]; ok && strings.Join(cols[table], ",") != want {
					t.Errorf("%s has columns %s, reviewed as %s: does a new column hold personal data?", table, strings.Join(cols[table], ","), want)
				}
			}
		}
		for _, table := range append(store.PersonTableNames(), keysOf(noPersonalData)...) {
			if _, ok := cols[table]; !ok {
				if d, only := dialectOnly[table]; only && d != s.Dialect() {
					continue
				}
				t.Errorf("%s is listed but there is no such table", table)
			}
		}
	})
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// schemaColumns lists every table of the store's schema and its columns
// in order, as the database reports them.
func schemaColumns(t *testing.T, s *store.Store) map[string][]string {
	t.Helper()
	query := `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid`
	if s.Dialect() == dialect.Postgres {
		query = `SELECT table_name, column_name FROM information_schema.columns
			WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`
	}
	rows, err := s.ReadDB().QueryContext(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		out[table] = append(out[table], col)
	}
	if len(out) < 40 {
		t.Fatalf("only %d tables found", len(out))
	}
	return out
}

// Contact details stored before the lookup hashes existed (migration
// 0024) are found once IndexLookupKeys has run at start-up: before it,
// an email finds nothing; after, the story, the invitation and the
// email; a second run has nothing to do.
func TestIndexLookupKeysBackfills(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		keys := storetest.Keys(t)
		p := plantPerson(t, s, keys, "zqxold"+randomHex())
		for _, q := range []string{"UPDATE contact_details SET email_key = '', phone_key = ''", "UPDATE invitations SET contact_email_key = '', contact_phone_key = ''",
			"UPDATE champion_applications SET email_key = '', phone_key = ''", "UPDATE rights_requests SET contact_key = ''", "UPDATE outbox SET to_key = ''"} {
			if _, err := s.WriteDB().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := s.FindPerson(ctx, store.PersonQuery{Email: p.Email}); got.Found["contact_details"] != 0 || got.Found["outbox"] != 0 {
			t.Fatalf("control: found without the hashes: %v", got.Found)
		}
		n, err := s.IndexLookupKeys(ctx, false)
		if err != nil || n < 5 {
			t.Fatalf("indexed %d rows, %v", n, err)
		}
		got, err := s.FindPerson(ctx, store.PersonQuery{Email: p.Email})
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"contact_details", "invitations", "champion_applications", "rights_requests", "outbox"} {
			if got.Found[table] == 0 {
				t.Errorf("after the back-fill, %s is not found by email", table)
			}
		}
		if n, err := s.IndexLookupKeys(ctx, false); err != nil || n != 0 {
			t.Errorf("a second run indexed %d, %v", n, err)
		}
	})
}
