package form

import (
	"errors"
	"net/http"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/auth"
)

// User is the add/change user form.
type User struct {
	Name           string
	Email          string
	Role           account.Role
	OrganisationID string
}

// ParseUser reads the user form; creating checks name and email too.
func ParseUser(r *http.Request, creating bool) (User, account.NewUser, Errors) {
	f := User{Name: Value(r, "name", 200), Email: Value(r, "email", 254), Role: account.Role(Value(r, "role", 20)), OrganisationID: Value(r, "organisation", 64)}
	n := account.NewUser{Email: f.Email, DisplayName: f.Name, Role: f.Role, OrganisationID: f.OrganisationID}
	errs := n.Validate()
	if !creating { // a change shows no name or email to correct
		errs = errs.Only("role", "organisation")
	}
	return f, n, errs
}

// Password is the set-password form (with name and email for the first
// administrator).
type Password struct {
	Name     string
	Email    string
	Password string
	Confirm  string
}

// ParsePassword reads and checks a new password.
func ParsePassword(r *http.Request, first bool) (Password, account.NewUser, Errors) {
	f := Password{Name: Value(r, "name", 200), Email: Value(r, "email", 254), Password: r.PostForm.Get("password"), Confirm: r.PostForm.Get("confirm")}
	var errs Errors
	n := account.NewUser{Email: f.Email, DisplayName: f.Name, Role: account.Admin}
	if first {
		errs = n.Validate().Only("name", "email") // the role is set here
	}
	switch err := auth.ValidatePasswordPolicyFor(f.Password, f.Email, f.Name); {
	case f.Password == "":
		errs.Add("password", "error.password_required_new")
	case errors.Is(err, auth.ErrPasswordTooShort):
		errs.Add("password", "error.password_too_short")
	case errors.Is(err, auth.ErrPasswordTooLong):
		errs.Add("password", "error.password_too_long")
	case err != nil:
		errs.Add("password", "error.password_weak")
	case f.Password != f.Confirm:
		errs.Add("confirm", "error.password_mismatch")
	}
	f.Password, f.Confirm = "", ""
	return f, n, errs
}
