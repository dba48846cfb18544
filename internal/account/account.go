// Package account holds staff accounts and roles: who may sign in and
// what each role is for. No HTTP here.
package account

import (
	"errors"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/contact"
	"github.com/hearme-project/hearme/internal/field"
)

// Role is what a staff account may do.
type Role string

const (
	Admin       Role = "admin"
	Connector   Role = "connector"
	Analyst     Role = "analyst"
	Stakeholder Role = "stakeholder"
	Champion    Role = "champion"
	// DPO is the data protection officer: people's rights requests, the
	// breach register and the audit trail, nothing else.
	DPO Role = "dpo"
)

// Roles lists every role, in the order shown to administrators.
var Roles = []Role{Admin, Connector, Analyst, Stakeholder, Champion, DPO}

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

// NormaliseEmail lower-cases and trims an address and checks it with the
// product's one email rule.
func NormaliseEmail(s string) (string, error) {
	s, ok := contact.NormaliseEmail(s)
	if !ok {
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

// Validate returns the field errors in the order of the account form
// (name, email, role, organisation), keyed by the inputs' ids.
func (n *NewUser) Validate() field.Errors {
	var errs field.Errors
	n.DisplayName = strings.TrimSpace(n.DisplayName)
	switch {
	case n.DisplayName == "":
		errs.Add("name", ErrNameRequired.Error())
	case len([]rune(n.DisplayName)) > 100:
		errs.Add("name", ErrNameTooLong.Error())
	}
	email, err := NormaliseEmail(n.Email)
	if err != nil {
		errs.Add("email", err.Error())
	}
	n.Email = email
	if !n.Role.Valid() {
		errs.Add("role", ErrRoleInvalid.Error())
	}
	if n.Role == Stakeholder && n.OrganisationID == "" {
		errs.Add("organisation", ErrOrganisationNeeded.Error())
	}
	if n.Role != Stakeholder {
		n.OrganisationID = ""
	}
	return errs
}
