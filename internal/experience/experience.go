// Package experience is what a person shares: an experience of cancer
// services (or an idea to improve them), the consent they gave, and the
// reference and secret that let them see, correct or withdraw it later.
// Identity is kept apart from the narrative: contact details and
// equality answers are separate records, and contact details are
// sealed (encrypted) before they reach the store. No HTTP here.
package experience

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearme-project/hearme/internal/contact"
	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/field"
)

// Kind tells an experience from an idea.
type Kind string

const (
	KindExperience Kind = "experience"
	KindIdea       Kind = "idea"
)

// Role is who the person is in the story.
type Role string

// Roles, in the order the question offers them.
var Roles = []Role{"person-with-cancer", "family-or-carer", "friend", "community-member", "other"}

// Services a story may name, in the order the question offers them.
var Services = []string{"gp-practice", "hospital", "screening", "pharmacy", "hospice", "community-or-faith", "other"}

// Source is how the experience reached the programme.
type Source string

const (
	SourceOnline   Source = "online"
	SourceEvent    Source = "event"
	SourcePhone    Source = "phone"
	SourcePaper    Source = "paper"
	SourceChampion Source = "champion"
)

// Status is where an experience is in moderation.
type Status string

const (
	StatusPending  Status = "pending"
	StatusApproved Status = "approved"
	StatusRejected Status = "rejected"
	// StatusRestricted: the person asked for its use to be restricted
	// (UK GDPR Article 18): kept, used in nothing, until lifted.
	StatusRestricted Status = "restricted"
)

// MaxTextRunes is the length limit of each free-text answer, stated on
// the page: generous, so nobody has to cut their story short.
const MaxTextRunes = 10000

// Consent is the four separate choices, none assumed.
type Consent struct {
	Version  string // the consent wording version the person saw
	Evidence bool   // (a) use my experience, without my name, as evidence (required)
	Quote    bool   // (b) quote my words, without my name, in reports
	Contact  bool   // (c) contact me about what I shared
	Named    bool   // (d) be named or tell my story at an event
	Verbal   bool   // given aloud to a connector or champion, who recorded it
}

// Contact is how to reach the person, asked for only with consent (c).
type Contact struct {
	Name, Email, Phone string
}

// Empty reports whether no contact detail was given.
func (c Contact) Empty() bool { return c.Name == "" && c.Email == "" && c.Phone == "" }

// Submission is everything one person shares in one go.
type Submission struct {
	Kind          Kind
	Lang          string // the language they shared in
	Role          Role
	Stages        []string // pathway stage slugs
	WhatHappened  string
	WentWell      string
	CouldBeBetter string
	Idea          string // for ideas
	CancerType    string
	Services      []string
	Year          int // 0 when not given
	Equality      equality.Answers
	Consent       Consent
	Contact       Contact // plain here; sealed by the store's caller
	Source        Source
	RecordedBy    string // staff id for captured experiences
	EventID       string
}

// Receipt is what the person is given once: a reference to quote and a
// secret that proves it is theirs. Only a hash of the secret is kept.
type Receipt struct {
	ID        string
	Reference string
	Secret    string
	CreatedAt time.Time
}

// crockford is Crockford's base32 alphabet: no I, L, O or U, so codes
// read aloud or copied by hand are not misread.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func randomCode(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = crockford[int(b[i])%32]
	}
	return string(b)
}

// NewReference returns a reference like "HM-7K4Q-9XPT" (40 random bits:
// enough to be unique with a retry; not a secret).
func NewReference() string {
	c := randomCode(8)
	return "HM-" + c[:4] + "-" + c[4:]
}

// NewSecret returns a secret like "Q3VZ-8M2K-TD7P-W9RA" (80 random bits).
func NewSecret() string {
	c := randomCode(16)
	return c[:4] + "-" + c[4:8] + "-" + c[8:12] + "-" + c[12:]
}

// NormaliseCode upper-cases a typed reference or secret, drops spaces
// and dashes, and maps the letters people confuse (O→0, I and L→1).
func NormaliseCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == 'O':
			b.WriteByte('0')
		case r == 'I' || r == 'L':
			b.WriteByte('1')
		case r == ' ' || r == '-' || r == '\t':
		case r < utf8.RuneSelf && strings.IndexByte(crockford, byte(r)) >= 0:
			b.WriteRune(r)
		default:
			return "" // not a code
		}
	}
	return b.String()
}

// HashSecret is how a secret is stored and compared.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte("hearme-secret:" + NormaliseCode(secret)))
	return hex.EncodeToString(sum[:])
}

// Validate checks a submission against the programme's stages and the
// equality lists, returning its problems keyed by the forms' input ids, in
// the order the questions come (the share journey's, then the consent and
// contact, then the equality questions, as on the staff capture page). It
// normalises in place (trims text, drops contact details given without
// consent).
func (s *Submission) Validate(stages, communities, languages []string) field.Errors {
	var errs field.Errors
	for _, p := range []*string{&s.WhatHappened, &s.WentWell, &s.CouldBeBetter, &s.Idea, &s.CancerType,
		&s.Contact.Name, &s.Contact.Email, &s.Contact.Phone} {
		*p = strings.TrimSpace(*p)
	}
	long := func(field, text string) {
		if utf8.RuneCountInString(text) > MaxTextRunes {
			errs.Add(field, "share.error.too_long")
		}
	}
	if s.Kind == KindIdea {
		if s.Idea == "" {
			errs.Add("idea", "share.error.idea_required")
		}
		long("idea", s.Idea)
	} else {
		if !contains(Roles, s.Role) {
			errs.Add("role", "share.error.role_required")
		}
		if len(s.Stages) == 0 {
			errs.Add("stages", "share.error.stages_required")
		}
		for _, st := range s.Stages {
			if !contains(stages, st) {
				errs.Add("stages", "share.error.stages_required")
			}
		}
		if s.WhatHappened == "" && s.WentWell == "" && s.CouldBeBetter == "" {
			errs.Add("what_happened", "share.error.story_required")
		}
		long("what_happened", s.WhatHappened)
		long("went_well", s.WentWell)
		long("could_be_better", s.CouldBeBetter)
		if utf8.RuneCountInString(s.CancerType) > 200 {
			errs.Add("cancer_type", "error.too_long")
		}
		for _, sv := range s.Services {
			if !contains(Services, sv) {
				errs.Add("services", "share.error.services_invalid")
			}
		}
		if s.Year != 0 && (s.Year < 1950 || s.Year > time.Now().Year()) {
			errs.Add("year", "share.error.year_invalid")
		}
	}
	if !s.Consent.Evidence || s.Consent.Version == "" {
		errs.Add("consent_evidence", "share.error.consent_required")
	}
	switch {
	case !s.Consent.Contact:
		s.Contact = Contact{} // never kept without consent (c)
	case s.Contact.Email == "" && s.Contact.Phone == "":
		errs.Add("contact_email", "share.error.contact_required")
	default:
		if s.Contact.Email != "" && !contact.ValidEmail(s.Contact.Email) {
			errs.Add("contact_email", "share.error.email_invalid")
		}
		if s.Contact.Phone != "" && !contact.ValidPhone(s.Contact.Phone) {
			errs.Add("contact_phone", "share.error.phone_invalid")
		}
	}
	errs.Append(s.Equality.Validate(communities, languages))
	return errs
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
