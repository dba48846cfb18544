// Package contact holds the one rule for an email address and the one
// rule for a phone number, used wherever the product takes a contact
// detail (event registration, champion applications, invitations, staff
// accounts, the support directory, the programme's own details and the
// contact a resident leaves with a story), so an address accepted on one
// form is never refused on another.
package contact

import (
	"net/mail"
	"strings"
	"unicode"
)

// MaxEmail is the longest address a mail server has to accept (RFC 5321).
const MaxEmail = 254

// MaxPhone is the longest a phone number may be typed, spaces and all.
const MaxPhone = 40

// ValidEmail reports whether s is one plain address, exactly as it would
// be sent to: no display name, no spaces, quotes, brackets or control
// characters, a domain with a dot inside it, at most MaxEmail bytes.
func ValidEmail(s string) bool {
	if s == "" || len(s) > MaxEmail || strings.ContainsAny(s, " <>\"(),;:\\[]") || hasControl(s) {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	domain := s[strings.LastIndexByte(s, '@')+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// NormaliseEmail trims and lower-cases an address (the form in which it
// is kept and compared) and reports whether it is valid.
func NormaliseEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	return s, ValidEmail(s)
}

// ValidPhone accepts a number that can be dialled from the UK, written
// the way people write them: digits with spaces, dashes, dots or
// brackets, and a leading + for the international form.
//
//   - UK numbers: 0 and 9 or 10 more digits, the first not 0 (01, 02, 03, 05, 07, 08, 09
//     ranges: "01582 123456", "(020) 7946 0000", "07700-900-123",
//     "0300 123 1801"), freephone 0800/0808 also with 8 or 9 digits
//     ("0800 1111"), and the same written +44 or 0044, with or without
//     the "(0)" people keep ("+44 (0)20 7946 0000").
//   - International numbers: + (or 00) and 8 to 15 digits (E.164).
//   - UK service numbers a directory lists: 101, 105, 111, 112, 119, 999
//     and the 116 and 118 ranges ("116 123").
func ValidPhone(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > MaxPhone {
		return false
	}
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9', r == ' ', r == '-', r == '.', r == '(', r == ')':
		case r == '+' && i == 0:
		default:
			return false
		}
	}
	d := NormPhone(s)
	switch {
	case strings.HasPrefix(d, "+"):
		n := len(d) - 1
		return n >= 8 && n <= 15 && d[1] != '0'
	case strings.HasPrefix(d, "080"):
		return len(d) >= 8 && len(d) <= 11
	case strings.HasPrefix(d, "0"):
		return (len(d) == 10 || len(d) == 11) && d[1] != '0'

	case len(d) == 3:
		return d == "101" || d == "105" || d == "111" || d == "112" || d == "119" || d == "999"
	case len(d) == 6:
		return strings.HasPrefix(d, "116") || strings.HasPrefix(d, "118")
	}
	return false
}

// NormPhone keeps the digits of a phone number, with a leading + for an
// international number and a UK number written the same way however it
// was typed ("+44 (0)7700 900123", "0044 7700 900123" and "07700900123"
// all become "07700900123"), so duplicates can be found.
func NormPhone(s string) string {
	s = strings.TrimSpace(s)
	plus := strings.HasPrefix(s, "+")
	if plus {
		s = strings.Replace(s, "(0)", "", 1)
	}
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	switch {
	case plus:
		d = "+" + d
	case strings.HasPrefix(d, "00"):
		d = "+" + d[2:]
	}
	if strings.HasPrefix(d, "+44") {
		d = "0" + d[3:]
	}
	return d
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}
