package accountability

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearme-project/hearme/internal/disclosure"
	"github.com/hearme-project/hearme/internal/field"
)

// Community review (issue 13, item 9): before a draft goes to the
// stakeholders, the communities rank the drafts open for review and
// comment on them, online (one ranking per browser) or at a listening
// event (a connector records the result). What leaves the staff area of
// it goes through disclosure control: how many took part, how many chose
// a draft first, a mean place over fewer than eight people is withheld.

// CommunityReview is a draft's community review: open from OpenedAt until
// ClosedAt (zero: still open).
type CommunityReview struct {
	RecommendationID   string
	OpenedAt, ClosedAt time.Time
}

// Open reports whether the review is open.
func (r CommunityReview) Open() bool { return !r.OpenedAt.IsZero() && r.ClosedAt.IsZero() }

// Limits of a review's inputs.
const (
	MaxComment      = 2000 // characters of a resident's comment on one draft
	MaxEventName    = 200  // characters of a listening event's name
	MaxParticipants = 10000
	MaxDots         = 100000 // dots on one draft at one event
)

// Errors of a review.
var (
	// ErrNotInReview: the draft is not open for community review (closed
	// since the page was shown, or never opened).
	ErrNotInReview = errors.New("accountability: the draft is not open for community review")
	// ErrAlreadyRanked: this browser has already ranked one of the drafts.
	ErrAlreadyRanked = errors.New("accountability: already ranked from this browser")
)

// Ballot is one resident's ranking of the drafts open for review (place
// 1 is the most important) and their optional comment on each.
type Ballot struct {
	Lang     string
	Places   map[string]int    // recommendation id -> place
	Comments map[string]string // recommendation id -> comment (may be empty)
}

// RankField and CommentField are the ids of a draft's inputs on the
// public page.
func RankField(id string) string    { return "rank-" + id }
func CommentField(id string) string { return "comment-" + id }

// ParseBallot reads the places as typed (a select's value per draft, ""
// when none was chosen) and checks the ballot in the order the page shows
// the drafts: each draft has a place from 1 to the number of drafts, no
// two share one, and no comment is too long.
func ParseBallot(lang string, drafts []string, places, comments map[string]string) (Ballot, field.Errors) {
	b := Ballot{Lang: lang, Places: map[string]int{}, Comments: map[string]string{}}
	var errs field.Errors
	taken := map[int]bool{}
	for _, id := range drafts {
		v := strings.TrimSpace(places[id])
		n, err := strconv.Atoi(v)
		switch {
		case v == "":
			errs.Add(RankField(id), "review.error_rank_missing")
		case err != nil || n < 1 || n > len(drafts):
			errs.Add(RankField(id), "review.error_rank_choice", "Max", len(drafts))
		case taken[n]:
			errs.Add(RankField(id), "review.error_rank_repeated", "Place", n)
		default:
			taken[n] = true
			b.Places[id] = n
		}
		c := strings.TrimSpace(comments[id])
		switch {
		case utf8.RuneCountInString(c) > MaxComment:
			errs.Add(CommentField(id), "review.error_too_long", "Max", MaxComment)
		case !utf8.ValidString(c):
			errs.Add(CommentField(id), "review.error_too_long", "Max", MaxComment)
		case c != "":
			b.Comments[id] = c
		}
	}
	return b, errs
}

// Methods of a listening event's review.
const (
	MethodRanks = "ranks" // the room agreed a place for each draft
	MethodDots  = "dots"  // people put dots on the drafts they care most about
)

// EventResult is the result of a review held at a listening event with
// one community.
type EventResult struct {
	ID, Place, Community, Method string
	HeldOn                       time.Time // a day in the programme's time zone
	Participants                 int
	Values                       map[string]int // recommendation id -> place or dots
	RecordedAt                   time.Time
}

// EventInput is the staff form as typed.
type EventInput struct {
	Place, HeldOn, Community, Participants, Method string
	Values                                         map[string]string // recommendation id -> typed value
}

// ValueField is the id of a draft's input on the event form.
func ValueField(id string) string { return "value-" + id }

// Validate checks the event form in page order: its name, its date (not
// in the future), the community (one of the programme's), how many took
// part (1 to 10,000), the method, and a value for each draft: a proper
// ranking (each place from 1 to the number of drafts once) or dots (0 or
// more, at least one draft with some).
func (in EventInput) Validate(today time.Time, communities, drafts []string) (EventResult, field.Errors) {
	var errs field.Errors
	ev := EventResult{Place: strings.TrimSpace(in.Place), Community: in.Community, Method: in.Method, Values: map[string]int{}}
	switch {
	case ev.Place == "":
		errs.Add("place", "review.error_required")
	case utf8.RuneCountInString(ev.Place) > MaxEventName || !utf8.ValidString(ev.Place):
		errs.Add("place", "review.error_too_long", "Max", MaxEventName)
	}
	if d, err := time.Parse(time.DateOnly, strings.TrimSpace(in.HeldOn)); err != nil {
		errs.Add("held_on", "review.error_date")
	} else if d.After(today) {
		errs.Add("held_on", "review.error_date_future")
	} else {
		ev.HeldOn = d
	}
	if !slices.Contains(communities, ev.Community) {
		errs.Add("community", "review.error_community")
	}
	n, err := strconv.Atoi(strings.TrimSpace(in.Participants))
	if err != nil || n < 1 || n > MaxParticipants {
		errs.Add("participants", "review.error_participants", "Max", MaxParticipants)
	} else {
		ev.Participants = n
	}
	if ev.Method != MethodRanks && ev.Method != MethodDots {
		errs.Add("method", "review.error_method")
		return ev, errs
	}
	taken := map[int]bool{}
	anyDots := false
	for _, id := range drafts {
		v := strings.TrimSpace(in.Values[id])
		n, err := strconv.Atoi(v)
		switch {
		case v == "":
			errs.Add(ValueField(id), "review.error_value_missing")
		case ev.Method == MethodRanks && (err != nil || n < 1 || n > len(drafts)):
			errs.Add(ValueField(id), "review.error_rank_choice", "Max", len(drafts))
		case ev.Method == MethodRanks && taken[n]:
			errs.Add(ValueField(id), "review.error_rank_repeated", "Place", n)
		case ev.Method == MethodDots && (err != nil || n < 0 || n > MaxDots):
			errs.Add(ValueField(id), "review.error_dots", "Max", MaxDots)
		default:
			taken[n] = true
			anyDots = anyDots || n > 0
			ev.Values[id] = n
		}
	}
	if ev.Method == MethodDots && len(errs) == 0 && len(drafts) > 0 && !anyDots {
		errs.Add(ValueField(drafts[0]), "review.error_no_dots")
	}
	return ev, errs
}

// Rank is how many browsers (Count, at least 1) gave one draft one
// place, among how many drafts they ranked at once (raw figures: never
// shown as they are).
type Rank struct {
	RecommendationID string
	Place, Of        int
	Count            int
}

// Online is how the residents who ranked online placed one draft, as
// disclosure control publishes it.
type Online struct {
	People      disclosure.Value     // how many ranked it
	FirstChoice disclosure.Value     // how many put it first
	MeanPlace   disclosure.Statistic // withheld over 1 to 7 people
	Of          int                  // among how many drafts (the most any ranking had)
}

// EventLine is one listening event's result for one draft, as shown:
// withheld ("*") unless enough people took part.
type EventLine struct {
	Place, Community, Method string
	HeldOn                   time.Time
	People                   disclosure.Value
	Withheld                 bool   // fewer than eight took part: no result is shown
	Value                    string // the place the room gave it, or the dots as a published count
	Of                       int    // how many drafts the room ranked
}

// Priority is what the community said of one draft.
type Priority struct {
	RecommendationID string
	Online           Online
	Events           []EventLine
	Ranked           bool // anyone ranked it online
}

// Priorities computes, from the raw rows, what may be shown of the
// community's ranking of each of ids (in that order). Every count of
// people goes through disclosure control; a mean place over one to seven
// people is withheld, and so is an event's result when one to seven
// people took part.
func Priorities(ids []string, ranks []Rank, events []EventResult) []Priority {
	var out []Priority
	for _, id := range ids {
		p := Priority{RecommendationID: id}
		var places []float64
		of := 0
		first := 0
		for _, r := range ranks {
			if r.RecommendationID != id {
				continue
			}
			n := max(r.Count, 1)
			for range n {
				places = append(places, float64(r.Place))
			}
			of = max(of, r.Of)
			if r.Place == 1 {
				first += n
			}
		}
		p.Ranked = len(places) > 0
		p.Online = Online{People: disclosure.Count(len(places)), FirstChoice: disclosure.Count(first), MeanPlace: disclosure.Mean(places), Of: of}
		for _, ev := range events {
			v, ok := ev.Values[id]
			if !ok {
				continue
			}
			line := EventLine{Place: ev.Place, Community: ev.Community, Method: ev.Method, HeldOn: ev.HeldOn, People: disclosure.Count(ev.Participants), Of: len(ev.Values)}
			line.Withheld = line.People.Suppressed()
			if !line.Withheld {
				if ev.Method == MethodRanks {
					line.Value = strconv.Itoa(v)
				} else {
					line.Value = disclosure.Count(v).String()
				}
			}
			p.Events = append(p.Events, line)
		}
		out = append(out, p)
	}
	return out
}

// Said reports whether anything was said of the draft (online or at an
// event).
func (p Priority) Said() bool { return p.Ranked || len(p.Events) > 0 }
