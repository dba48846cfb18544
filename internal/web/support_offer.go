package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"

	"github.com/hearme-project/hearme/internal/support"
)

// SupportOffer is a short list of support services matching a person's
// language and needs, shown after they share an experience, on event
// pages and in the champions' area. Each service shown is counted
// (anonymously, per service and month) and each opened through
// /support/go/{id}.
type SupportOffer struct {
	Services    []OfferedService
	MoreURL     string // the directory, filtered the same way
	NoneMatched bool   // nothing in the person's language or for their community: these are general services
}

// OfferedService is one service in an offer.
type OfferedService struct {
	ID, Name, Organisation, Summary, Contact, OpenURL string
	SummaryLang                                       string // "en" when the summary is not in the page's language
	Phone, Hours                                      string
	PhoneHref                                         template.URL
	InLanguage                                        bool // gives support in the page's language
}

// OfferFilter says what an offer should match and where it is shown
// ("experience", "event", "champion"), with the event's id on an event
// page.
type OfferFilter struct {
	Lang    string   // the page's language: services offering support in it come first
	Needs   []string // e.g. "emotional", "practical"
	Stage   string   // a pathway stage code, if known
	Place   string
	EventID string
	Limit   int
}

// supportOffer builds an offer and counts each service as shown. It
// reads the directory kept in memory (support_directory.go); a failure is logged and gives an empty offer (the page then
// shows its own fallback), never an error page.
func (s *Server) supportOffer(r *http.Request, f OfferFilter) SupportOffer {
	if f.Limit <= 0 || f.Limit > 10 {
		f.Limit = 4
	}
	var needs []string
	for _, n := range f.Needs {
		if slices.Contains(support.Needs, n) {
			needs = append(needs, n)
		}
	}
	dir, err := s.supportDirectory(r.Context())
	if err != nil {
		s.log.Error("support offer", "err", err.Error())
		return SupportOffer{}
	}
	svs := dir.Offer(f.Lang, needs, f.Stage, f.Limit)
	return s.offerOf(r, svs, func(sv support.Service) bool { return sv.Offers(f.Lang) }, f, f.Lang)
}

// suggestSupport is the offer after someone shares: ranked by their main
// language, community, stage and needs rather than only the page's
// language (support.Directory.Suggest), with "in your language" meaning
// their main language, and NoneMatched when nothing in their language or
// for their community exists (the page then says so above the general
// national services it shows).
func (s *Server) suggestSupport(r *http.Request, p support.Person, f OfferFilter) SupportOffer {
	dir, err := s.supportDirectory(r.Context())
	if err != nil {
		s.log.Error("support offer", "err", err.Error())
		return SupportOffer{}
	}
	got := dir.Suggest(p, 4)
	main := f.Lang
	if len(p.Languages) > 0 && p.Languages[0] != "" {
		main = p.Languages[0]
	}
	svs := make([]support.Service, len(got.Services))
	for i, sg := range got.Services {
		svs[i] = sg.Service
	}
	o := s.offerOf(r, svs, func(sv support.Service) bool { return sv.Offers(main) }, f, main)
	o.NoneMatched = got.General && (main != f.Lang || p.Community != "")
	return o
}

// offerOf makes an offer of services, counting each as shown; inLang
// says which give support in the person's language, moreLang is the
// language the "more support" link filters the directory by.
func (s *Server) offerOf(r *http.Request, svs []support.Service, inLang func(support.Service) bool, f OfferFilter, moreLang string) SupportOffer {
	if !slices.Contains(support.Places, f.Place) || f.Place == "directory" {
		f.Place = "experience"
	}
	if f.Place != "event" || !support.ValidID(f.EventID) {
		f.EventID = ""
	}
	open := url.Values{"from": {f.Place}}
	if f.EventID != "" {
		open.Set("event", f.EventID)
	}
	var o SupportOffer
	var ids []string
	for _, sv := range svs {
		os := OfferedService{ID: sv.ID, Name: sv.Name, Organisation: sv.Organisation, Summary: sv.SummaryIn(f.Lang),
			Phone: sv.Phone, PhoneHref: telHref(sv.Phone), Hours: sv.Hours, InLanguage: inLang(sv),
			OpenURL: "/support/go/" + url.PathEscape(sv.ID) + "?" + open.Encode()}
		if sv.Summaries[f.Lang] == "" && f.Lang != "en" {
			os.SummaryLang = "en"
		}
		switch {
		case sv.Phone != "":
			os.Contact = sv.Phone
		case sv.Email != "":
			os.Contact = sv.Email
		default:
			os.Contact = sv.Website
		}
		o.Services = append(o.Services, os)
		ids = append(ids, sv.ID)
	}
	s.countShown(r, ids, f.Place, f.EventID)
	more := url.Values{}
	if moreLang != "" && moreLang != "en" {
		more.Set("language", moreLang)
	}
	o.MoreURL = "/support"
	if len(more) > 0 {
		o.MoreURL += "?" + more.Encode()
	}
	return o
}
