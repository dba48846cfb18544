package accountability

import (
	"strconv"
	"time"
)

// The public report as open data: one model that the JSON (described by
// OpenAPI), the CSV and XLSX files and the Atom feed all read, so they
// can never disagree with each other or with the report's pages.
//
// It holds what the report's pages show, with one exception: no quote's
// words. A council's open-data portal or a journalist keeps a copy, and
// a quote that its speaker withdraws later could not be recalled from
// it; the data says how many quotes each recommendation still has and
// links to the page that shows them.

// DateLayout is how every date in the open data is written (ISO 8601).
const DateLayout = "2006-01-02"

// OpenData is the whole public report as data, with the organisations'
// and the programme's words in one language (Language): each text comes
// from its translation into that language where there is an up-to-date
// one (Translated), else in English (Fallback), as the report's pages
// show it.
type OpenData struct {
	Programme       string               `json:"programme"`
	Language        string               `json:"language"` // the language asked for (BCP 47)
	Generated       time.Time            `json:"generated"`
	Report          string               `json:"report"` // the report's address
	Headline        OpenHeadline         `json:"headline"`
	Organisations   []OpenOrganisation   `json:"organisations"`
	Recommendations []OpenRecommendation `json:"recommendations"`
	Responses       []OpenResponse       `json:"responses"`
	Commitments     []OpenCommitment     `json:"commitments"`
	Updates         []OpenUpdate         `json:"updates"`
}

// OpenHeadline is the report's headline figures. They count
// organisations' answers and commitments, never people.
type OpenHeadline struct {
	Answers             int `json:"answers_due"`
	Answered            int `json:"answered"`
	OnTime              int `json:"answered_on_time"`
	AwaitingOverdue     int `json:"awaiting_overdue"`
	Commitments         int `json:"commitments"`
	OnTrack             int `json:"on_track"`
	Overdue             int `json:"overdue"`
	Done                int `json:"done"`
	NotDoing            int `json:"not_doing"`
	ChangesWithEvidence int `json:"changes_with_evidence"`
}

// OpenOrganisation is a stakeholder organisation the report addresses.
type OpenOrganisation struct {
	Slug    string `json:"slug"`
	Name    string `json:"name"`
	Kind    string `json:"kind,omitempty"`
	Website string `json:"website,omitempty"`
	URL     string `json:"url"` // its scorecard
}

// OpenText is a title and text in one language.
type OpenText struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

// OpenFigure is one theme's frozen total, as disclosure control published
// it on the day ("*" for 1 to 7, others rounded to 5).
type OpenFigure struct {
	Theme string `json:"theme"`
	Total string `json:"total"`
}

// OpenRecommendation is one published recommendation.
type OpenRecommendation struct {
	Reference     string              `json:"reference"`
	Title         string              `json:"title"` // in the data's language, or English (Fallback)
	Text          string              `json:"text"`
	Fallback      bool                `json:"fallback"`      // not translated into the data's language: shown in English
	Translations  map[string]OpenText `json:"translations"`  // every language it is written in, English ("en") the original
	Organisations []string            `json:"organisations"` // slugs
	Published     string              `json:"published"`
	ResponseDue   string              `json:"response_due"`
	Evidence      []OpenFigure        `json:"evidence"`
	QuotesHeld    int                 `json:"quotes_held"` // consented quotes still shown on its page
	Community     OpenCommunity       `json:"community"`   // how the community ranked it
	URL           string              `json:"url"`
}

// OpenCommunity is what the community said of a recommendation when it
// was open for community review: the online ranking and each listening
// event's result, every count of people through disclosure control
// (Priorities) exactly as the report's pages show it ("*" for 1 to 7,
// others rounded to 5; a mean place over 1 to 7 people is "*", "-" when
// nobody ranked it). Never a raw count.
type OpenCommunity struct {
	RankedOnline bool        `json:"ranked_online"` // anyone ranked it online
	PeopleOnline string      `json:"people_online"` // how many ranked it online
	FirstChoice  string      `json:"first_choice"`  // how many put it first
	MeanPlace    string      `json:"mean_place"`
	Of           int         `json:"of"` // among how many drafts
	Events       []OpenEvent `json:"events"`
}

// OpenEvent is one listening event's result for a recommendation:
// indicative (a room, not a sample), and withheld when one to seven
// people took part.
type OpenEvent struct {
	Place     string `json:"place"`
	Community string `json:"community"` // slug
	Method    string `json:"method"`    // ranks or dots
	HeldOn    string `json:"held_on"`
	People    string `json:"people"` // how many took part, through disclosure control
	Withheld  bool   `json:"withheld"`
	Value     string `json:"value"` // the place the room gave it, or its dots as a published count; "" when withheld
	Of        int    `json:"of"`    // how many drafts the room ranked
}

// openCommunity turns a Priority (already disclosure-controlled) into
// open data.
func openCommunity(p Priority) OpenCommunity {
	c := OpenCommunity{RankedOnline: p.Ranked, PeopleOnline: p.Online.People.String(), FirstChoice: p.Online.FirstChoice.String(),
		MeanPlace: p.Online.MeanPlace.String(), Of: p.Online.Of, Events: []OpenEvent{}}
	for _, e := range p.Events {
		c.Events = append(c.Events, OpenEvent{Place: e.Place, Community: e.Community, Method: e.Method, HeldOn: date(e.HeldOn),
			People: e.People.String(), Withheld: e.Withheld, Value: e.Value, Of: e.Of})
	}
	return c
}

// OpenMark says where a record's words come from, as the report's pages
// mark them: Translated (a connector's translation into the data's
// language, made on TranslatedOn) or Fallback (no up-to-date translation:
// the English); neither for English data.
type OpenMark struct {
	Translated   bool   `json:"translated"`
	TranslatedOn string `json:"translated_on"` // "" unless Translated
	Fallback     bool   `json:"fallback"`
}

func openMark(t *TextTranslation, fallback bool, loc *time.Location) OpenMark {
	if t != nil {
		return OpenMark{Translated: true, TranslatedOn: date(Day(t.At, loc))}
	}
	return OpenMark{Fallback: fallback}
}

// OpenResponse is one organisation's place in answering one
// recommendation: its decision, or that it has not answered yet.
type OpenResponse struct {
	Recommendation string `json:"recommendation"`
	Organisation   string `json:"organisation"`
	Due            string `json:"due"`
	Decision       string `json:"decision"` // accepted, partly-accepted, not-accepted, or "" (no answer yet)
	Reasons        string `json:"reasons"`
	Responded      string `json:"responded"` // "" when not answered
	OnTime         bool   `json:"on_time"`
	Overdue        bool   `json:"overdue"`
	OpenMark              // of the reasons
}

// OpenCommitment is one commitment ("We will ...").
type OpenCommitment struct {
	Reference      string `json:"reference"`
	Recommendation string `json:"recommendation"`
	Organisation   string `json:"organisation"`
	Parent         string `json:"parent"` // "" for a top-level commitment
	Text           string `json:"text"`
	OwnerRole      string `json:"owner_role"`
	Due            string `json:"due"`
	Status         string `json:"status"`
	Kind           string `json:"kind"` // planned, active, late, done, dropped
	Progress       int    `json:"progress"`
	Overdue        bool   `json:"overdue"`
	Made           string `json:"made"`
	LastUpdate     string `json:"last_update"` // "" when none
	URL            string `json:"url"`
	OpenMark              // of the text
}

// OpenUpdate is one public progress update.
type OpenUpdate struct {
	ID          string `json:"id"`
	Commitment  string `json:"commitment"`
	Date        string `json:"date"`
	Status      string `json:"status"`
	Kind        string `json:"kind"`
	Progress    int    `json:"progress"`
	Text        string `json:"text"`
	Reason      string `json:"reason"`
	Claim       string `json:"claim"` // "", planned or made
	WhatChanged string `json:"what_changed"`
	EvidenceURL string `json:"evidence_url"`
	Reviewed    bool   `json:"reviewed"` // a connector checked the claim before it was public
	URL         string `json:"url"`
	OpenMark           // of the text, reason and what changed
}

// OpenSource is what Open needs besides the report.
type OpenSource struct {
	Programme     string
	Base          string // the site's public address, without a trailing slash
	Organisations []OpenOrganisation
	Updates       []Update // public updates, newest first
	Lang          string   // the language of the words ("" is English)
	// Priorities is what the community said of each recommendation
	// (Priorities over the report's recommendations: disclosure
	// controlled); a recommendation without one was not ranked.
	Priorities []Priority
	Policy     Policy
	Today      time.Time
	Loc        *time.Location
	Generated  time.Time
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(DateLayout)
}

// Open turns the report into open data. Only updates on the report's
// commitments that are public (not waiting for review, not sent back)
// are kept.
func Open(rep Report, src OpenSource) OpenData {
	h := rep.Headline(src.Policy, src.Today, src.Loc)
	lang := src.Lang
	if lang == "" {
		lang = "en"
	}
	priorities := map[string]Priority{}
	for _, p := range src.Priorities {
		priorities[p.RecommendationID] = p
	}
	d := OpenData{
		Programme: src.Programme, Language: lang, Generated: src.Generated.UTC(), Report: src.Base + "/report",
		Headline: OpenHeadline{Answers: h.Answers, Answered: h.Answered, OnTime: h.OnTime, AwaitingOverdue: h.AwaitingOverdue,
			Commitments: h.Commitments, OnTrack: h.OnTrack, Overdue: h.Overdue, Done: h.Done, NotDoing: h.NotDoing, ChangesWithEvidence: h.ChangesWithEvidence},
		Organisations: []OpenOrganisation{}, Recommendations: []OpenRecommendation{}, Responses: []OpenResponse{},
		Commitments: []OpenCommitment{}, Updates: []OpenUpdate{},
	}
	for _, o := range src.Organisations {
		o.URL = src.Base + "/report/organisations/" + o.Slug
		d.Organisations = append(d.Organisations, o)
	}
	refs := map[string]string{} // recommendation id -> reference
	for _, r := range rep.Recommendations {
		refs[r.ID] = r.Reference
		title, text, fallback := r.In(lang)
		or := OpenRecommendation{Reference: r.Reference, Title: title, Text: text, Fallback: fallback, Translations: map[string]OpenText{"en": {Title: r.Title, Text: r.Text}},
			Organisations: append([]string{}, r.Organisations...), Published: date(Day(r.PublishedAt, src.Loc)),
			ResponseDue: date(src.Policy.ResponseDue(Day(r.PublishedAt, src.Loc))), Evidence: []OpenFigure{},
			QuotesHeld: r.Quotes, Community: openCommunity(priorities[r.ID]), URL: src.Base + "/report/" + r.Reference}
		for _, t := range r.Translations {
			or.Translations[t.Lang] = OpenText{Title: t.Title, Text: t.Text}
		}
		for _, f := range r.Totals {
			or.Evidence = append(or.Evidence, OpenFigure{Theme: f.ThemeName, Total: f.Value})
		}
		d.Recommendations = append(d.Recommendations, or)
	}
	for _, a := range rep.Answers(src.Policy, src.Today, src.Loc) {
		or := OpenResponse{Recommendation: refs[a.RecommendationID], Organisation: a.Organisation, Due: date(a.Due), OnTime: a.OnTime, Overdue: a.Overdue}
		if a.Response != nil {
			w, t, fallback := Translated(a.Response.Words(), a.Response.Translations, lang)
			or.Decision, or.Reasons, or.Responded = string(a.Response.Decision), w.Text, date(Day(a.Response.RespondedAt, src.Loc))
			if a.Response.Reasons != "" {
				or.OpenMark = openMark(t, fallback, src.Loc)
			}
		}
		d.Responses = append(d.Responses, or)
	}
	commitRefs := map[string]string{} // commitment id -> reference
	for _, c := range rep.Commitments {
		commitRefs[c.ID] = c.Reference
	}
	for _, t := range Trees(rep.Commitments, src.Today) {
		d.Commitments = append(d.Commitments, openCommitment(t.Commitment, t.Rollup, refs, commitRefs, src, lang))
		for _, sub := range t.Subs {
			d.Commitments = append(d.Commitments, openCommitment(sub, sub.Progress, refs, commitRefs, src, lang))
		}
	}
	for _, u := range src.Updates {
		ref, ok := commitRefs[u.CommitmentID]
		if !ok || !u.Review.Public() {
			continue
		}
		w, t, fallback := Translated(u.Words(), u.Translations, lang)
		d.Updates = append(d.Updates, OpenUpdate{ID: u.ID, Commitment: ref, Date: date(u.On), Status: u.Status, Kind: string(u.Kind), Progress: u.Progress,
			Text: w.Text, Reason: w.Reason, Claim: string(u.Claim), WhatChanged: w.WhatChanged, EvidenceURL: u.EvidenceURL,
			Reviewed: u.Review == ReviewApproved, URL: src.Base + "/report/commitments/" + ref, OpenMark: openMark(t, fallback, src.Loc)})
	}
	return d
}

func openCommitment(c Commitment, progress int, refs, commitRefs map[string]string, src OpenSource, lang string) OpenCommitment {
	w, t, fallback := Translated(c.Words(), c.Translations, lang)
	return OpenCommitment{Reference: c.Reference, Recommendation: refs[c.RecommendationID], Organisation: c.Organisation, Parent: commitRefs[c.ParentID],
		OpenMark: openMark(t, fallback, src.Loc), Text: w.Text, OwnerRole: c.OwnerRole, Due: date(c.Due), Status: c.Status, Kind: string(c.Kind), Progress: progress,
		Overdue: c.Overdue(src.Today), Made: date(c.CreatedOn), LastUpdate: date(c.LastUpdateOn), URL: src.Base + "/report/commitments/" + c.Reference}
}

// Tables is the open data as three tables (recommendations, commitments,
// updates), each with a header row, for CSV and XLSX. The words are in
// the data's language (the column "language" says which, "fallback" or
// "translated" where they came from); the community's ranking is in the
// recommendations' last columns, as disclosure control published it.
func (d OpenData) Tables() (recs, commitments, updates [][]string) {
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	recs = [][]string{{"reference", "title", "organisations", "published", "response_due", "evidence", "quotes_held", "responses", "url",
		"language", "fallback", "community_ranked_online", "community_people_online", "community_first_choice", "community_mean_place", "community_of", "community_events"}}
	for _, r := range d.Recommendations {
		evidence := ""
		for i, f := range r.Evidence {
			if i > 0 {
				evidence += "; "
			}
			evidence += f.Theme + ": " + f.Total
		}
		answers := ""
		for _, a := range d.Responses {
			if a.Recommendation != r.Reference {
				continue
			}
			if answers != "" {
				answers += "; "
			}
			decision := a.Decision
			if decision == "" {
				decision = "awaiting"
				if a.Overdue {
					decision = "overdue"
				}
			}
			answers += a.Organisation + ": " + decision
		}
		orgs := ""
		for i, o := range r.Organisations {
			if i > 0 {
				orgs += "; "
			}
			orgs += o
		}
		events := ""
		for i, e := range r.Community.Events {
			if i > 0 {
				events += "; "
			}
			events += e.Place + " (" + e.Community + ", " + e.HeldOn + "): "
			switch {
			case e.Withheld:
				events += "withheld"
			case e.Method == MethodRanks:
				events += "place " + e.Value + " of " + strconv.Itoa(e.Of)
			default:
				events += e.Value + " dots"
			}
			events += ", people " + e.People
		}
		c := r.Community
		recs = append(recs, []string{r.Reference, r.Title, orgs, r.Published, r.ResponseDue, evidence, strconv.Itoa(r.QuotesHeld), answers, r.URL,
			d.Language, yes(r.Fallback), yes(c.RankedOnline), c.PeopleOnline, c.FirstChoice, c.MeanPlace, strconv.Itoa(c.Of), events})
	}
	commitments = [][]string{{"reference", "recommendation", "organisation", "parent", "text", "owner_role", "due", "status", "kind", "progress", "overdue", "made", "last_update", "url",
		"language", "translated", "translated_on", "fallback"}}
	for _, c := range d.Commitments {
		commitments = append(commitments, []string{c.Reference, c.Recommendation, c.Organisation, c.Parent, c.Text, c.OwnerRole, c.Due, c.Status, c.Kind,
			strconv.Itoa(c.Progress), yes(c.Overdue), c.Made, c.LastUpdate, c.URL, d.Language, yes(c.Translated), c.TranslatedOn, yes(c.Fallback)})
	}
	updates = [][]string{{"commitment", "date", "status", "kind", "progress", "text", "reason", "claim", "what_changed", "evidence_url", "reviewed", "url",
		"language", "translated", "translated_on", "fallback"}}
	for _, u := range d.Updates {
		updates = append(updates, []string{u.Commitment, u.Date, u.Status, u.Kind, strconv.Itoa(u.Progress), u.Text, u.Reason, u.Claim, u.WhatChanged,
			u.EvidenceURL, yes(u.Reviewed), u.URL, d.Language, yes(u.Translated), u.TranslatedOn, yes(u.Fallback)})
	}
	return recs, commitments, updates
}
