// Package ropa builds the record of processing activities (UK GDPR
// Article 30) from the programme's configuration and the retention
// rules, with what the configuration cannot know written by the data
// protection officer (stored, versioned, audited), and the data
// protection impact assessment (Article 35) built on it. The public
// privacy notice draws what is kept, for how long and who sees it from
// the same Record, so the two cannot disagree (docs/records-of-processing.md).
// No HTTP and no store here.
package ropa

import (
	"time"
	"unicode/utf8"

	"github.com/hearme-project/hearme/internal/field"
	"github.com/hearme-project/hearme/internal/programme"
	"github.com/hearme-project/hearme/internal/retention"
)

// Keep is one retention period of an activity: the rule that enforces it,
// how many days, and the translation key of the sentence saying so
// ({{.Days}} in it).
type Keep struct {
	Rule     string
	Days     int
	Sentence string
}

// Activity is one processing activity of the record.
type Activity struct {
	ID string
	// Translation keys (catalogue part protect), shown on the record and,
	// for public activities, on the privacy notice.
	NameKey, WhatKey, WhoKey string
	Keep                     []Keep
	Public                   bool // on the privacy notice
	// The record's own wording (English: the record is kept for the ICO).
	Purpose     string
	People      []string
	Data        []string
	Special     []string // special category data, if any (Article 9(1))
	Recipients  []string
	LawfulBasis string // Article 6(1)
	Condition   string // Article 9(2) and the DPA 2018 Schedule 1 condition, when Special is not empty
}

// Field is one part of the record (or of the DPIA) the configuration
// cannot know, written by the officer.
type Field struct {
	ID, Label, Hint string
}

// Edit is the current version of a written field.
type Edit struct {
	Field   string
	Value   string
	Version int
	By      string // user id
	At      time.Time
}

// Record is the record of processing activities as it stands.
type Record struct {
	Programme, Controller, ControllerEmail, DPOEmail, ICORegistration, EndDate string
	Activities                                                                 []Activity
	Security                                                                   []string
	Written                                                                    map[string]Edit // by field id
}

// Value is the officer's current text of a field ("" if never written).
func (r Record) Value(id string) string { return r.Written[id].Value }

// Public lists the activities shown on the privacy notice.
func (r Record) Public() []Activity {
	var out []Activity
	for _, a := range r.Activities {
		if a.Public {
			out = append(out, a)
		}
	}
	return out
}

// RecordFields are the parts of the record the officer writes.
var RecordFields = []Field{
	{"controller_details", "Controller and representative: name and contact details (Article 30(1)(a))", "The organisation's address and the person responsible, beyond the configured name and email."},
	{"joint_controllers", "Joint controllers, if any", "Organisations deciding with you why and how the data is used."},
	{"processors", "Processors", "For example the hosting provider, the email (SMTP) provider and backup storage: who, where, and the contract."},
	{"transfers", "Transfers outside the UK (Article 30(1)(e))", "Countries and the safeguards, or 'None'."},
	{"appropriate_policy", "Appropriate policy document (DPA 2018 Schedule 1 Part 4)", "Where it is kept and when it was last reviewed: required for the substantial public interest condition."},
	{"notes", "Other notes", ""},
}

// DPIAFields are the assessment's parts the officer completes (Article
// 35(7) and the ICO's template).
var DPIAFields = []Field{
	{"dpia_need", "Why a DPIA is needed", "For example: special category data about health and ethnicity, of people who may be vulnerable, on a large scale (Article 35(3)(b))."},
	{"dpia_consultation", "Consultation", "Who was consulted (communities, the DPO, security advisers, processors) and how."},
	{"dpia_necessity", "Necessity and proportionality (Article 35(7)(b))", "Why this data, why this much, why this long; how people are told and can use their rights."},
	{"dpia_risks", "Risks to people (Article 35(7)(c))", "Source of harm, likelihood and severity, overall risk."},
	{"dpia_measures", "Measures to reduce the risks (Article 35(7)(d))", "Beyond the security measures listed above; the effect on each risk; residual risk."},
	{"dpia_dpo_advice", "Data protection officer's advice", "The advice, and whether it was accepted (with reasons if not)."},
	{"dpia_sign_off", "Sign-off", "Who approved the residual risks, and when. Whether the ICO must be consulted first (Article 36)."},
}

// Limits.
const (
	MaxValue  = 8000
	MaxReason = 500
)

// Field errors (translation keys, catalogue part protect).
const (
	ErrReasonMissing = "ropa.error.reason_missing"
	ErrTooLong       = "ropa.error.too_long"
	ErrNoChange      = "ropa.error.no_change"
)

// Change is a submitted edit of some fields, with why.
type Change struct {
	Values map[string]string
	Reason string
}

// Validate checks a change against fields (in the page's order) and the
// current record: a reason is required, each value has a limit, and
// something must change.
func (c Change) Validate(fields []Field, current Record) field.Errors {
	var errs field.Errors
	changed := false
	for _, f := range fields {
		v := c.Values[f.ID]
		if utf8.RuneCountInString(v) > MaxValue {
			errs.Add(f.ID, ErrTooLong)
		}
		if v != current.Value(f.ID) {
			changed = true
		}
	}
	if c.Reason == "" {
		errs.Add("reason", ErrReasonMissing)
	} else if utf8.RuneCountInString(c.Reason) > MaxReason {
		errs.Add("reason", ErrTooLong)
	} else if !changed && len(errs) == 0 {
		errs.Add("reason", ErrNoChange)
	}
	return errs
}

func days(d time.Duration) int { return int(d / (24 * time.Hour)) }

// Build makes the record from the programme's settings, the retention
// rules in force, and what the officer wrote.
func Build(s programme.Settings, r retention.Rules, written map[string]Edit) Record {
	if written == nil {
		written = map[string]Edit{}
	}
	rec := Record{Programme: s.Name, Controller: s.Organisation, ControllerEmail: s.ContactEmail, DPOEmail: s.DPOEmail,
		ICORegistration: s.ICORegistration, EndDate: s.EndDate, Written: written}
	const (
		publicTask = "Article 6(1)(e): a task in the public interest (the controller's public health functions)"
		legalDuty  = "Article 6(1)(c): a legal obligation (UK GDPR Articles 12-22 and 33)"
	)
	rec.Activities = []Activity{
		{ID: "experiences", NameKey: "ropa.act.experiences", WhatKey: "ropa.what.experiences", WhoKey: "ropa.who.experiences", Public: true,
			Keep: []Keep{
				{retention.RuleExperiences, days(r.Experiences), "ropa.keep.experiences"},
				{retention.RuleRejectedSubmissions, days(r.RejectedSubmissions), "ropa.keep.rejected"},
				{retention.RuleOriginals, days(r.Originals), "ropa.keep.originals"},
				{retention.RuleReviewComments, days(retention.ReviewComments), "review.ropa_keep"},
			},
			Purpose: "Hearing people's experiences of cancer services and their ideas, to find what gets in the way for each community, make recommendations to the services and hold them to account.",
			People:  []string{"Residents, patients, carers and community members who share (online, at events, through champions, by phone or on paper)"},
			Data: []string{"Their experience and ideas (free text, pathway stages, services, year)", "Consent choices and their versions", "Equality monitoring answers, all optional", "A reference code to see, correct or withdraw what they shared",
				"Comments on draft recommendations and rankings of them (no name; a keyed hash of a random cookie keeps one ranking per browser)"},
			Special:     []string{"Health (their or a relative's cancer care)", "Racial or ethnic origin, religion, disability, sex life or sexual orientation where given in equality answers or in the story"},
			Recipients:  []string{"Programme staff: connectors (moderation), analysts (coding, anonymised)", "Stakeholder organisations: only figures after small-number suppression and quotes the person consented to", "The public: only the suppressed figures and consented quotes of the public report"},
			LawfulBasis: publicTask,
			Condition:   "Article 9(2)(g) substantial public interest, with DPA 2018 Schedule 1 Part 2 paragraph 8 (equality of opportunity or treatment); Article 9(2)(h) with Schedule 1 Part 1 paragraph 2 (health or social care purposes: the management of health services); Article 9(2)(a) explicit consent for quotation and for being named",
		},
		{ID: "contact", NameKey: "ropa.act.contact", WhatKey: "ropa.what.contact", WhoKey: "ropa.who.contact", Public: true,
			Keep:        []Keep{{retention.RuleContactDetails, days(r.ContactDetails), "ropa.keep.contact"}},
			Purpose:     "Getting back to people who asked to be contacted about what they shared.",
			People:      []string{"People who shared and chose to be contacted"},
			Data:        []string{"Name, email address, phone number (sealed, apart from the story)"},
			Recipients:  []string{"Connectors following up"},
			LawfulBasis: "Article 6(1)(a): consent (choice (c) of the consent form)",
		},
		{ID: "events", NameKey: "ropa.act.events", WhatKey: "ropa.what.events", WhoKey: "ropa.who.events", Public: true,
			Keep:        []Keep{{retention.RuleRegistrations, days(r.Registrations), "ropa.keep.events"}},
			Purpose:     "Running 'hear me' events: places, waiting lists, reminders, access needs and interpreters.",
			People:      []string{"People who register for an event"},
			Data:        []string{"Name, email address, phone number, language", "Access needs and interpreter requests"},
			Special:     []string{"Health, where access needs describe a condition or disability"},
			Recipients:  []string{"Connectors running the event", "Venue staff: numbers and access arrangements only"},
			LawfulBasis: publicTask,
			Condition:   "Article 9(2)(a): explicit consent (the person chooses to tell us their access needs)",
		},
		{ID: "invitations", NameKey: "ropa.act.invitations", WhatKey: "ropa.what.invitations", WhoKey: "ropa.who.invitations", Public: true,
			Keep:        []Keep{{retention.RuleInvitationContacts, days(retention.InvitationContacts), "ropa.keep.invitations"}},
			Purpose:     "Answering community groups who invite the connectors to their gatherings.",
			People:      []string{"Contacts of community groups"},
			Data:        []string{"Name, email address, phone number, the group's request"},
			Recipients:  []string{"Connectors"},
			LawfulBasis: publicTask,
		},
		{ID: "champions", NameKey: "ropa.act.champions", WhatKey: "ropa.what.champions", WhoKey: "ropa.who.champions", Public: true,
			Keep: []Keep{
				{retention.RuleChampionApps, days(r.ChampionApplications), "ropa.keep.champion_apps"},
				{retention.RuleChampionsLeft, days(r.ChampionsLeft), "ropa.keep.champions_left"},
			},
			Purpose:     "Recruiting, training and supporting volunteer cancer champions.",
			People:      []string{"People applying to be champions, and champions"},
			Data:        []string{"Name, email address, phone number", "Communities and languages, availability, motivation, lived experience", "Training record and outreach log"},
			Special:     []string{"Health and ethnic origin, where they tell us of their lived experience or communities"},
			Recipients:  []string{"Connectors supporting champions"},
			LawfulBasis: publicTask,
			Condition:   "Article 9(2)(a): explicit consent (asked on the application)",
		},
		{ID: "subscriptions", NameKey: "subscriptions.ropa_act", WhatKey: "subscriptions.ropa_what", WhoKey: "subscriptions.ropa_who", Public: true,
			Keep:        []Keep{{retention.RuleUnconfirmedSubscriptions, days(retention.UnconfirmedSubscriptions), "subscriptions.ropa_keep"}},
			Purpose:     "Telling people who ask what has changed on the public report (a weekly digest), in their language.",
			People:      []string{"People who follow the public report by email"},
			Data:        []string{"Email address (sealed, with a keyed hash to find it), language, what they follow"},
			Recipients:  []string{"Nobody: the digests are sent by the programme's own mail server"},
			LawfulBasis: "Article 6(1)(a): consent (double opt-in; one-click unsubscribe deletes the address at once)",
		},
		{ID: "rights", NameKey: "ropa.act.rights", WhatKey: "ropa.what.rights", WhoKey: "ropa.who.rights", Public: true,
			Keep:        []Keep{{retention.RuleRightsRequests, days(retention.RightsRequests), "ropa.keep.rights"}},
			Purpose:     "Answering people's requests to use their data protection rights.",
			People:      []string{"People making a request, and people acting for them"},
			Data:        []string{"Contact detail (sealed), what was asked, identity checks, what was disclosed"},
			Recipients:  []string{"The data protection officer and administrators"},
			LawfulBasis: legalDuty,
		},
		{ID: "breaches", NameKey: "ropa.act.breaches", WhatKey: "ropa.what.breaches", WhoKey: "ropa.who.breaches",
			Keep:        []Keep{{retention.RuleBreaches, days(retention.Breaches), "ropa.keep.breaches"}},
			Purpose:     "Documenting personal data breaches and reporting them to the ICO (Article 33).",
			People:      []string{"People whose data was affected (described, not named)"},
			Data:        []string{"What happened, the kinds of data and number of people affected"},
			Recipients:  []string{"The data protection officer and administrators; the ICO when reported"},
			LawfulBasis: legalDuty,
		},
		{ID: "staff", NameKey: "ropa.act.staff", WhatKey: "ropa.what.staff", WhoKey: "ropa.who.staff",
			Keep:        nil,
			Purpose:     "Staff and stakeholder accounts, sign-in security and the audit trail of who looked at what.",
			People:      []string{"Staff, volunteers with accounts, stakeholders' representatives"},
			Data:        []string{"Name, work email, role, organisation; password hash; second-factor secret (sealed) and recovery code hashes; sign-in times; the audit trail"},
			Recipients:  []string{"Administrators; the data protection officer (audit trail)"},
			LawfulBasis: publicTask,
		},
	}
	rec.Security = []string{
		"Contact details, registrations, invitations, champion applications, second-factor secrets and queued emails sealed with AES-256-GCM; each story's text sealed with a key of its own, destroyed on withdrawal or deletion (crypto-shredding); keys in a file outside the database, rotated with `hearme keys rotate`",
		"Identity kept apart from the narrative; identifying details moderated out before analysis",
		"Small-number suppression on every figure that leaves the staff area",
		"Staff sign-in with argon2id passwords, a second factor (TOTP) with one-time recovery codes, throttling, sessions ending on role change",
		"Role checks on every route; an append-only, hash-chained audit trail of every look at identifiable data, verified daily",
		"Retention rules enforced daily by the retention job (the periods above)",
		"Encrypted backups (age), keys kept apart from them",
	}
	return rec
}
