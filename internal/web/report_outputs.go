package web

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"html"
	"net/http"
	"strconv"

	"github.com/gorilla/feeds"

	"github.com/hearme-project/hearme/internal/accountability"
)

// The public report as open data (issue 13, outputs): JSON described by
// an OpenAPI document, CSV and XLSX of recommendations, commitments and
// updates, and an Atom feed of updates. Every format reads one model,
// accountability.OpenData, built from the same store.Report the pages
// show, so none can show what the pages would not. None carries a
// quote's words (see accountability/opendata.go).

//go:embed openapi/report.json
var reportOpenAPI []byte

// feedSize is how many of the newest updates the Atom feed carries; older
// ones are in the JSON and CSV.
const feedSize = 50

func (s *Server) reportOutputRoutes() []Route {
	return []Route{
		{"GET /report/data.json", public, s.handleReportJSON},
		{"GET /report/openapi.json", public, s.handleReportOpenAPI},
		{"GET /report/updates.atom", public, s.handleReportAtom},
		{"GET /report/recommendations.csv", public, s.handleReportTable("recommendations")},
		{"GET /report/commitments.csv", public, s.handleReportTable("commitments")},
		{"GET /report/updates.csv", public, s.handleReportTable("updates")},
		{"GET /report/report.xlsx", public, s.handleReportTable("xlsx")},
		{"GET /report/print", public, s.handleReportPrint},
		{"GET /report/communities/{slug}", public, s.handleReportCommunity},
		{"GET /report/report.pdf", public, s.handleReportPDF},
	}
}

// openData reads the report and its public updates as open data, with
// the words in the reader's language (the site's own choice of language:
// ?lang=, then the language cookie, then Accept-Language; the data says
// which it used) and what the community said of each recommendation.
func (s *Server) openData(r *http.Request) (accountability.OpenData, error) {
	d, _, _, err := s.openDataAnd(r)
	return d, err
}

// openDataAnd is openData with the report and the updates it was built
// from (the feed shows their translations).
func (s *Server) openDataAnd(r *http.Request) (accountability.OpenData, accountability.Report, []accountability.Update, error) {
	rep, err := s.store.Report(r.Context(), reqCtx(r).lang)
	if err != nil {
		return accountability.OpenData{}, rep, nil, err
	}
	updates, err := s.store.PublicUpdates(r.Context(), 0)
	if err != nil {
		return accountability.OpenData{}, rep, nil, err
	}
	// What the community said of each recommendation: the same
	// disclosure-controlled function the report's pages use.
	ranks, err := s.store.ReviewRanks(r.Context())
	if err != nil {
		return accountability.OpenData{}, rep, nil, err
	}
	events, err := s.store.ReviewEvents(r.Context())
	if err != nil {
		return accountability.OpenData{}, rep, nil, err
	}
	ids := make([]string, len(rep.Recommendations))
	for i, rec := range rep.Recommendations {
		ids[i] = rec.ID
	}
	prog := s.programme()
	src := accountability.OpenSource{Programme: prog.Settings.Name, Base: s.baseURL(r), Updates: updates, Policy: s.policy,
		Lang: reqCtx(r).lang, Priorities: accountability.Priorities(ids, ranks, events),
		Today: s.today(), Loc: s.site.Load().loc, Generated: s.now()}
	for _, o := range prog.Organisations {
		src.Organisations = append(src.Organisations, accountability.OpenOrganisation{Slug: o.Slug, Name: o.Name, Kind: o.Kind, Website: o.Website})
	}
	return accountability.Open(rep, src), rep, updates, nil
}

// openHeaders marks an open-data answer: anyone may read it from another
// site (it is public), and a download gets a file name.
func openHeaders(w http.ResponseWriter, contentType, filename string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cache-Control", "public, max-age=300")
	if filename != "" {
		h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	}
}

func (s *Server) handleReportJSON(w http.ResponseWriter, r *http.Request) {
	d, err := s.openData(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	body, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	openHeaders(w, "application/json; charset=utf-8", "")
	w.Write(body)
}

func (s *Server) handleReportOpenAPI(w http.ResponseWriter, r *http.Request) {
	// The document's server is this site, so a client generated from it
	// reaches the right place.
	var doc map[string]any
	if err := json.Unmarshal(reportOpenAPI, &doc); err != nil {
		s.serverError(w, r, err)
		return
	}
	doc["servers"] = []map[string]string{{"url": s.baseURL(r)}}
	body, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	openHeaders(w, "application/json; charset=utf-8", "")
	w.Write(body)
}

// handleReportTable answers with one table as CSV, or all three as XLSX.
func (s *Server) handleReportTable(which string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d, err := s.openData(r)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		recs, commitments, updates := d.Tables()
		sheets := map[string]sheet{
			"recommendations": {"Recommendations", recs, 6},
			"commitments":     {"Commitments", commitments, 9},
			"updates":         {"Updates", updates, 4},
		}
		day := s.now().Format("2006-01-02")
		if which != "xlsx" {
			openHeaders(w, "text/csv; charset=utf-8", "report-"+which+"-"+day+".csv")
			w.Write(csvTables(sheets[which]))
			return
		}
		b, err := workbook(sheets["recommendations"], sheets["commitments"], sheets["updates"])
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		openHeaders(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "report-"+day+".xlsx")
		w.Write(b)
	}
}

// handleReportAtom is the feed of the newest public updates, in the
// reader's language where the labels are translated. An entry says what
// changed and links to the commitment's page; it carries no quotes.
func (s *Server) handleReportAtom(w http.ResponseWriter, r *http.Request) {
	d, rep, updates, err := s.openDataAnd(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	base := s.baseURL(r)
	// The organisations' words in the reader's language where a
	// translation is up to date; English, marked lang="en" and "in
	// English", where not.
	para := func(text string, m WordsMark) string {
		if m.Fallback {
			return `<p lang="en" dir="ltr">` + html.EscapeString(text) + "</p><p>(" + html.EscapeString(m.Mark) + ")</p>"
		}
		if m.Mark != "" {
			return "<p>" + html.EscapeString(text) + " (" + html.EscapeString(m.Mark) + ")</p>"
		}
		return "<p>" + html.EscapeString(text) + "</p>"
	}
	byID := map[string]accountability.Update{}
	for _, u := range updates {
		byID[u.ID] = u
	}
	feed := &feeds.Feed{
		Title:       d.Programme + ": " + p.T("opendata.feed_title"),
		Link:        &feeds.Link{Href: base + "/report"},
		Description: p.T("opendata.feed_description"),
		Id:          base + "/report/updates.atom",
		Updated:     d.Generated,
	}
	texts := map[string]string{}
	for _, c := range rep.Commitments {
		w, m := markWords(p, c.Words(), c.Translations)
		texts[c.Reference] = para(c.Organisation+": "+accountability.Excerpt(w.Text, 120), m)
	}
	for i, u := range d.Updates {
		if i == feedSize {
			break
		}
		title := u.Commitment + " · " + s.statusLabel(p, u.Status) + " · " + strconv.Itoa(u.Progress) + "%"
		// Atom content is HTML to a reader: the words are escaped, so an
		// update cannot put markup into someone's feed reader.
		var content bytes.Buffer
		orig := byID[u.ID]
		words, m := markWords(p, orig.Words(), orig.Translations)
		content.WriteString(texts[u.Commitment])
		content.WriteString(para(words.Text, m))
		if words.WhatChanged != "" {
			content.WriteString("<p>" + html.EscapeString(p.T("opendata.feed_what_changed")) + "</p>" + para(words.WhatChanged, m))
		}
		on, _ := accountability.ParseDate(u.Date)
		feed.Items = append(feed.Items, &feeds.Item{
			Title:   title,
			Link:    &feeds.Link{Href: u.URL},
			Id:      u.URL + "#update-" + u.ID,
			Updated: on,
			Content: content.String(),
		})
	}
	atom, err := feed.ToAtom()
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	openHeaders(w, "application/atom+xml; charset=utf-8", "")
	w.Write([]byte(atom))
}
