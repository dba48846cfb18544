// Package account holds staff accounts and roles: who may sign in and
// what each role is for. No HTTP here.
package account

import (
	"errors"
	"net/mail"
	"strings"
	"time"
)

// Role is what a staff account may do.
type Role string

const (
	Admin       Role = "admin"
	Connector   Role = "connector"
	Analyst     Role = "analyst"
	Stakeholder Role = "stakeholder"
	Champion    Role = "champion"
)

// Roles lists every role, in the order shown to administrators.
var Roles = []Role{Admin, Connector, Analyst, Stakeholder, Champion}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

// RequiresTOTP reports whether the role must use a second factor.
// Champions are volunteers on their own phones and see no identifiable
// data beyond what they themselves record, so the default spares them.
func (r Role) RequiresTOTP() bool { return r != Champion }

// User is a staff account.
type User struct {
	ID             string
	Email          string
	DisplayName    string
	Role           Role
	OrganisationID string // stakeholders only
	PasswordHash   string
	TOTPSecret     string // sealed (encrypted) at rest
	TOTPLastStep   int64
	Disabled       bool
	SessionEpoch   int64 // bumped to end every session of the account
	CreatedAt      time.Time
	UpdatedAt      time.Time
	LastLoginAt    *time.Time
}

// HasPassword reports whether the account has finished setting up.
func (u User) HasPassword() bool { return u.PasswordHash != "" }

// HasTOTP reports whether the account has enrolled a second factor.
func (u User) HasTOTP() bool { return u.TOTPSecret != "" }

// Field errors are translation keys so the web layer can show them in the
// person's language.
var (
	ErrEmailInvalid       = errors.New("error.email_invalid")
	ErrNameRequired       = errors.New("error.name_required")
	ErrNameTooLong        = errors.New("error.name_too_long")
	ErrRoleInvalid        = errors.New("error.role_invalid")
	ErrOrganisationNeeded = errors.New("error.organisation_required")
)

// NormaliseEmail lower-cases and trims an address and checks its shape.
func NormaliseEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(s) > 254 {
		return "", ErrEmailInvalid
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", ErrEmailInvalid
	}
	return s, nil
}

// NewUser validates the details of a new account.
type NewUser struct {
	Email          string
	DisplayName    string
	Role           Role
	OrganisationID string
}

// Validate returns field errors keyed by field name.
func (n *NewUser) Validate() map[string]error {
	errs := map[string]error{}
	email, err := NormaliseEmail(n.Email)
	if err != nil {
		errs["email"] = err
	}
	n.Email = email
	n.DisplayName = strings.TrimSpace(n.DisplayName)
	switch {
	case n.DisplayName == "":
		errs["name"] = ErrNameRequired
	case len([]rune(n.DisplayName)) > 100:
		errs["name"] = ErrNameTooLong
	}
	if !n.Role.Valid() {
		errs["role"] = ErrRoleInvalid
	}
	if n.Role == Stakeholder && n.OrganisationID == "" {
		errs["organisation"] = ErrOrganisationNeeded
	}
	if n.Role != Stakeholder {
		n.OrganisationID = ""
	}
	return errs
}
