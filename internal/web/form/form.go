// Package form parses and validates the forms people post. Messages are
// translation keys, so errors show in the person's language; values are
// kept so a form with a mistake comes back filled in (never a password).
package form

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/hearme-project/hearme/internal/field"
)

// Error and Errors are the field errors every domain Validate returns
// (package field): one type, so a handler passes them to the page as
// they are, in page order, keyed by the inputs' ids.
type (
	Error  = field.Error
	Errors = field.Errors
)

// ErrTooLarge means the body went over the size limit.
var ErrTooLarge = errors.New("request body too large")

// ErrBadForm means the body could not be read as a form.
var ErrBadForm = errors.New("malformed form")

// Parse reads a posted form, telling a too-large body from a malformed one.
func Parse(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return ErrTooLarge
		}
		return ErrBadForm
	}
	return nil
}

// Value returns a trimmed field, with invalid UTF-8 and control
// characters removed and its length capped, so hostile input never reaches
// the store or a template as is.
func Value(r *http.Request, name string, maxRunes int) string {
	return Clean(r.PostForm.Get(name), maxRunes)
}

// Clean makes free text safe to keep: valid UTF-8, no control characters
// other than newlines and tabs, trimmed, at most maxRunes runes.
func Clean(s string, maxRunes int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n >= maxRunes {
			break
		}
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			continue
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}
