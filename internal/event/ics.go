package event

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Calendar is what an "add to calendar" file says of an event.
type Calendar struct {
	UID         string // unique and stable: the event id and the site's host
	Title       string
	Description string
	Location    string
	URL         string
	Start, End  time.Time
	Cancelled   bool
	Postponed   bool
	Stamp       time.Time // when the file was made (DTSTAMP)
}

// londonZone is the VTIMEZONE of Europe/London: GMT, and BST from the
// last Sunday of March at 01:00 UTC to the last Sunday of October at
// 01:00 UTC (the rule in force since 1996).
const londonZone = "BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n" +
	"BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nTZNAME:BST\r\nDTSTART:19810329T010000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n" +
	"BEGIN:STANDARD\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nTZNAME:GMT\r\nDTSTART:19961027T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n" +
	"END:VTIMEZONE\r\n"

// ICS writes the event as an iCalendar file (RFC 5545): CRLF line ends,
// lines folded at 75 octets without splitting a character, text
// escaped. Times are given in Europe/London with its VTIMEZONE when that
// is the programme's zone, so calendars show the local time the event
// was set for; in any other zone they are given in UTC, which every
// calendar converts correctly.
func (c Calendar) ICS(loc *time.Location) []byte {
	var b strings.Builder
	line := func(name, value string) { b.WriteString(fold(name + ":" + value)) }
	raw := func(s string) { b.WriteString(fold(s)) }
	raw("BEGIN:VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//hearme//events//EN")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	london := loc != nil && loc.String() == "Europe/London"
	if london {
		b.WriteString(londonZone)
	}
	raw("BEGIN:VEVENT")
	line("UID", escape(c.UID))
	line("DTSTAMP", c.Stamp.UTC().Format("20060102T150405Z"))
	if london {
		line("DTSTART;TZID=Europe/London", c.Start.In(loc).Format("20060102T150405"))
		line("DTEND;TZID=Europe/London", c.End.In(loc).Format("20060102T150405"))
	} else {
		line("DTSTART", c.Start.UTC().Format("20060102T150405Z"))
		line("DTEND", c.End.UTC().Format("20060102T150405Z"))
	}
	line("SUMMARY", escape(c.Title))
	if c.Description != "" {
		line("DESCRIPTION", escape(c.Description))
	}
	if c.Location != "" {
		line("LOCATION", escape(c.Location))
	}
	if c.URL != "" {
		line("URL", c.URL)
	}
	switch {
	case c.Cancelled:
		line("STATUS", "CANCELLED")
	case c.Postponed:
		line("STATUS", "TENTATIVE")
	default:
		line("STATUS", "CONFIRMED")
	}
	raw("END:VEVENT")
	raw("END:VCALENDAR")
	return []byte(b.String())
}

// escape escapes TEXT values (RFC 5545 3.3.11).
func escape(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`)
	s = r.Replace(s)
	// No other control characters belong in a content line.
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// fold ends a content line with CRLF, folding it into lines of at most
// 75 octets, each continuation starting with a space, never splitting a
// UTF-8 sequence.
func fold(s string) string {
	var b strings.Builder
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
	return b.String()
}
