package accountability

import (
	"slices"
	"strings"
	"time"
)

// The public report's model: everything it shows, read at once
// (store.Report), and the figures computed from it. Every type here is
// what a reader may see: frozen, disclosure-controlled figures; the
// organisations' own words; public updates only. Outputs of the report
// in other formats (CSV, JSON, feeds) read the same Report.

// PublishedRecommendation is a published recommendation with the summary
// of its frozen evidence the report's main page shows.
type PublishedRecommendation struct {
	Recommendation
	// Totals are each chosen theme's frozen total (Community ""), as
	// disclosure control published it ("*", "0", "15").
	Totals []Figure
	// Quotes is how many of its frozen quotes still have their words
	// (a withdrawn one is not counted).
	Quotes int
}

// Report is the whole public report.
type Report struct {
	Recommendations []PublishedRecommendation // newest first
	Responses       []Response                // to published recommendations
	Commitments     []Commitment              // on published recommendations, in the order made
	// ChangesMade counts, by commitment id, the public updates that claim
	// a change was made and link evidence of it.
	ChangesMade map[string]int
}

// Period is a year of publication (in the programme's time zone).
func Period(published time.Time, loc *time.Location) int { return Day(published, loc).Year() }

// Periods lists the years with a publication, newest first.
func (r Report) Periods(loc *time.Location) []int {
	var out []int
	for _, rec := range r.Recommendations {
		if y := Period(rec.PublishedAt, loc); !slices.Contains(out, y) {
			out = append(out, y)
		}
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

// InPeriod keeps the recommendations published in year and their
// responses and commitments (year 0: everything).
func (r Report) InPeriod(year int, loc *time.Location) Report {
	if year == 0 {
		return r
	}
	out := Report{ChangesMade: r.ChangesMade}
	keep := map[string]bool{}
	for _, rec := range r.Recommendations {
		if Period(rec.PublishedAt, loc) == year {
			out.Recommendations = append(out.Recommendations, rec)
			keep[rec.ID] = true
		}
	}
	for _, p := range r.Responses {
		if keep[p.RecommendationID] {
			out.Responses = append(out.Responses, p)
		}
	}
	for _, c := range r.Commitments {
		if keep[c.RecommendationID] {
			out.Commitments = append(out.Commitments, c)
		}
	}
	return out
}

// ForOrganisation keeps what is addressed to org: the recommendations,
// its responses and its commitments.
func (r Report) ForOrganisation(org string) Report {
	out := Report{ChangesMade: r.ChangesMade}
	for _, rec := range r.Recommendations {
		if slices.Contains(rec.Organisations, org) {
			out.Recommendations = append(out.Recommendations, rec)
		}
	}
	for _, p := range r.Responses {
		if p.Organisation == org {
			out.Responses = append(out.Responses, p)
		}
	}
	for _, c := range r.Commitments {
		if c.Organisation == org {
			out.Commitments = append(out.Commitments, c)
		}
	}
	return out
}

// Answer is one organisation's place in answering one recommendation:
// its response if it gave one, its deadline, and whether it met it.
type Answer struct {
	RecommendationID, Organisation string
	Due                            time.Time
	Response                       *Response
	OnTime                         bool // answered by the deadline
	Overdue                        bool // not answered and the deadline has passed
}

// Answers lists, for every recommendation and every organisation it is
// addressed to (in the recommendation's order), where its answer is.
func (r Report) Answers(p Policy, today time.Time, loc *time.Location) []Answer {
	byKey := map[string]*Response{}
	for i := range r.Responses {
		byKey[r.Responses[i].RecommendationID+"\x00"+r.Responses[i].Organisation] = &r.Responses[i]
	}
	var out []Answer
	for _, rec := range r.Recommendations {
		due := p.ResponseDue(Day(rec.PublishedAt, loc))
		for _, org := range rec.Organisations {
			a := Answer{RecommendationID: rec.ID, Organisation: org, Due: due, Response: byKey[rec.ID+"\x00"+org]}
			if a.Response != nil {
				a.OnTime = !Day(a.Response.RespondedAt, loc).After(due)
			} else {
				a.Overdue = today.After(due)
			}
			out = append(out, a)
		}
	}
	return out
}

// Headline is the report's headline figures. They count organisations'
// answers and commitments, never people, so they are exact (disclosure
// control is for counts of people).
type Headline struct {
	Answers, Answered, OnTime, AwaitingOverdue    int
	Commitments, OnTrack, Overdue, Done, NotDoing int
	ChangesWithEvidence                           int
}

// Headline computes the headline figures of r on today. Commitments are
// counted at the top level (a sub-commitment is part of its parent).
func (r Report) Headline(p Policy, today time.Time, loc *time.Location) Headline {
	var h Headline
	for _, a := range r.Answers(p, today, loc) {
		h.Answers++
		if a.Response != nil {
			h.Answered++
			if a.OnTime {
				h.OnTime++
			}
		} else if a.Overdue {
			h.AwaitingOverdue++
		}
	}
	for _, c := range r.Commitments {
		h.ChangesWithEvidence += r.ChangesMade[c.ID]
		if c.ParentID != "" {
			continue
		}
		h.Commitments++
		switch {
		case c.Kind == KindDone:
			h.Done++
		case c.Kind == KindDropped:
			h.NotDoing++
		case c.Overdue(today):
			h.Overdue++
		case c.OnTrack(today):
			h.OnTrack++
		}
	}
	return h
}

// Tree is a top-level commitment with its sub-commitments and the
// progress they roll up to.
type Tree struct {
	Commitment
	Subs    []Commitment
	Rollup  int
	Overdue bool
}

// Trees groups commitments (in the order made) under their parents.
func Trees(cs []Commitment, today time.Time) []Tree {
	var out []Tree
	at := map[string]int{}
	for _, c := range cs {
		if c.ParentID == "" {
			at[c.ID] = len(out)
			out = append(out, Tree{Commitment: c})
		}
	}
	for _, c := range cs {
		if i, ok := at[c.ParentID]; ok {
			out[i].Subs = append(out[i].Subs, c)
		}
	}
	for i := range out {
		out[i].Rollup = Rollup(out[i].Commitment, out[i].Subs)
		out[i].Overdue = out[i].Commitment.Overdue(today)
	}
	return out
}

// Excerpt cuts s to at most n characters at a word boundary, with an
// ellipsis, for a list that links to the whole text.
func Excerpt(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

// ForRecommendation keeps one recommendation, its responses and its
// commitments.
func (r Report) ForRecommendation(id string) Report {
	out := Report{ChangesMade: r.ChangesMade}
	for _, rec := range r.Recommendations {
		if rec.ID == id {
			out.Recommendations = append(out.Recommendations, rec)
		}
	}
	for _, p := range r.Responses {
		if p.RecommendationID == id {
			out.Responses = append(out.Responses, p)
		}
	}
	for _, c := range r.Commitments {
		if c.RecommendationID == id {
			out.Commitments = append(out.Commitments, c)
		}
	}
	return out
}
