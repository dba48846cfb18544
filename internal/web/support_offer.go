package web

import "net/http"

// SupportOffer is a short list of support services matching a person's
// language and needs, shown after they share an experience, on event
// pages and in the champions' area. Each service shown is counted
// (anonymously, per service and month) and each opened through
// /support/go/{id}.
type SupportOffer struct {
	Services []OfferedService
	MoreURL  string // the directory, filtered the same way
}

// OfferedService is one service in an offer.
type OfferedService struct {
	ID, Name, Organisation, Summary, Contact, OpenURL string
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

// supportOffer builds an offer and counts each service as shown.
func (s *Server) supportOffer(r *http.Request, f OfferFilter) SupportOffer { return SupportOffer{} }
