package accountability

import (
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/field"
)

// Organisations write their answers' reasons, their commitments and their
// progress updates in English. A connector or an administrator can
// translate them into each of the programme's other languages (item 4 of
// issue 13), as recommendations are translated: the public pages in that
// language show the translation, marked as one, and where there is none
// they show the English, marked.
//
// A translation records the English it was made from (Words.Source). When
// the organisation changes its words afterwards, the translation is
// stale: it is kept (with who made it and when) and shown to connectors
// as out of date, ready to revise, but the public pages no longer show
// it; they show the new English, marked as not translated, until someone
// translates it again. A reader is never shown a translation of words
// the organisation no longer says.

// Subject is the kind of thing a translation is of.
type Subject string

const (
	SubjectCommitment Subject = "commitment" // a commitment's words
	SubjectUpdate     Subject = "update"     // a public progress update: what happened, the reason, what changed
	SubjectResponse   Subject = "response"   // the reasons of an organisation's answer
)

// Subjects lists the kinds in the order the staff pages show them.
var Subjects = []Subject{SubjectCommitment, SubjectUpdate, SubjectResponse}

// Valid reports whether k is one of Subjects.
func (k Subject) Valid() bool {
	return k == SubjectCommitment || k == SubjectUpdate || k == SubjectResponse
}

// Words are the translatable words of one subject: Text always (the
// commitment's words, the update's text, the answer's reasons); Reason
// and WhatChanged an update's (why it is not being done, what changed).
type Words struct {
	Text, Reason, WhatChanged string
}

// Source is the English a translation is made from, as one string: a
// translation whose Source differs from its subject's now is stale.
func (w Words) Source() string { return w.Text + "\x1f" + w.Reason + "\x1f" + w.WhatChanged }

// TextTranslation is one translation of a subject's words into a
// programme language, with who made it (a staff account's id; the audit
// trail has the entry) and when.
type TextTranslation struct {
	Lang string
	Words
	Source string // the English it was made from (Words.Source)
	By     string
	At     time.Time
}

// Stale reports whether the English has changed since t was made.
func (t TextTranslation) Stale(english Words) bool { return t.Source != english.Source() }

// Translated picks the words to show in lang: its translation when there
// is one that is not stale (with it returned), else the English with
// fallback true (unless lang is English).
func Translated(english Words, ts []TextTranslation, lang string) (w Words, t *TextTranslation, fallback bool) {
	for i := range ts {
		if ts[i].Lang == lang && !ts[i].Stale(english) {
			return ts[i].Words, &ts[i], false
		}
	}
	return english, nil, lang != "en"
}

// Of returns lang's translation among ts (stale or not), or nil.
func Of(ts []TextTranslation, lang string) *TextTranslation {
	for i := range ts {
		if ts[i].Lang == lang {
			return &ts[i]
		}
	}
	return nil
}

// Words returns a commitment's translatable words.
func (c Commitment) Words() Words { return Words{Text: c.Text} }

// Words returns an update's translatable words.
func (u Update) Words() Words {
	return Words{Text: u.Text, Reason: u.Reason, WhatChanged: u.WhatChanged}
}

// Words returns an answer's translatable words: its reasons.
func (r Response) Words() Words { return Words{Text: r.Reasons} }

// ValidateTranslation checks a translation as typed, in page order,
// against the English it translates: a translation is whole, so each
// part the English has is required (and nothing the English lacks is
// kept), at the limits of the English.
func (w *Words) ValidateTranslation(kind Subject, english Words) field.Errors {
	var errs field.Errors
	w.Text, w.Reason, w.WhatChanged = strings.TrimSpace(w.Text), strings.TrimSpace(w.Reason), strings.TrimSpace(w.WhatChanged)
	limit := MaxCommitment
	switch kind {
	case SubjectUpdate:
		limit = MaxUpdateText
	case SubjectResponse:
		limit = MaxReasons
	}
	checkText(&errs, "text", w.Text, limit, english.Text != "")
	if english.Reason == "" {
		w.Reason = ""
	}
	checkText(&errs, "reason", w.Reason, MaxReasons, english.Reason != "")
	if english.WhatChanged == "" {
		w.WhatChanged = ""
	}
	checkText(&errs, "what-changed", w.WhatChanged, MaxWhatChanged, english.WhatChanged != "")
	return errs
}
