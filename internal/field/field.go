// Package field is the one contract between a form's rules and its page:
// every domain Validate returns Errors, and the page's error summary and
// per-field messages are drawn from them as they are.
//
// Each Error names the id of the input the page shows (so the summary's
// link lands on it), a translation key (so the message shows in the
// reader's language) and the message's arguments. The list is in the
// order the fields appear on the page, so a Validate checks its fields in
// that order; a field keeps its first problem only, so checks on one
// field go from the most basic (missing) to the finer (too long).
//
// The package imports nothing of the project, so any domain package may
// use it.
package field

// Error is one problem with one field.
type Error struct {
	Field string // the id of the input the error summary links to
	Key   string // translation key of the message
	Args  []any  // name, value pairs for the message
}

// Errors is an ordered list of problems, in page order, at most one a
// field. The zero value is an empty list.
type Errors []Error

// Add records a problem on a field, unless the field already has one
// (the first problem found is the one the person is told about).
func (e *Errors) Add(field, key string, args ...any) {
	if e.Has(field) {
		return
	}
	*e = append(*e, Error{Field: field, Key: key, Args: args})
}

// Append adds the problems of another list (a part of the form checked
// by another package), keeping the rule of one problem a field.
func (e *Errors) Append(more Errors) {
	for _, x := range more {
		e.Add(x.Field, x.Key, x.Args...)
	}
}

// For returns the problem on a field, or nil.
func (e Errors) For(field string) *Error {
	for i := range e {
		if e[i].Field == field {
			return &e[i]
		}
	}
	return nil
}

// Has reports whether a field has a problem.
func (e Errors) Has(field string) bool { return e.For(field) != nil }

// Key returns the translation key of a field's problem, or "".
func (e Errors) Key(field string) string {
	if x := e.For(field); x != nil {
		return x.Key
	}
	return ""
}

// Only keeps the problems on the given fields (the ones one page of a
// longer journey shows), in their order.
func (e Errors) Only(fields ...string) Errors {
	var out Errors
	for _, x := range e {
		for _, f := range fields {
			if x.Field == f {
				out = append(out, x)
				break
			}
		}
	}
	return out
}

// Without drops a field's problem if its key is the one given (a rule
// that does not apply in the caller's case).
func (e Errors) Without(field, key string) Errors {
	var out Errors
	for _, x := range e {
		if x.Field != field || x.Key != key {
			out = append(out, x)
		}
	}
	return out
}
