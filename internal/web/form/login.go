package form

import (
	"net/http"
	"strings"
)

// Login is the sign-in form.
type Login struct {
	Email    string
	Password string
}

// ParseLogin reads and checks the sign-in form.
func ParseLogin(r *http.Request) (Login, Errors) {
	f := Login{Email: Value(r, "email", 254), Password: r.PostForm.Get("password")}
	var errs Errors
	if f.Email == "" {
		errs.Add("email", "error.email_required")
	}
	if f.Password == "" {
		errs.Add("password", "error.password_required")
	}
	if len(f.Password) > 1024 {
		f.Password = f.Password[:1024]
	}
	return f, errs
}

// Code is a security code form.
type Code struct{ Code string }

// ParseCode reads a 6-digit code, ignoring spaces people type.
func ParseCode(r *http.Request) (Code, Errors) {
	c := Code{Code: strings.ReplaceAll(Value(r, "code", 20), " ", "")}
	var errs Errors
	if c.Code == "" {
		errs.Add("code", "error.totp_required")
	}
	return c, errs
}
