package web

import (
	"net/http"

	"github.com/hearme-project/hearme/internal/disclosure"
)

// The public summary of the events held: how many, the people who came
// and the experiences captured, overall and by the events' community.
// Every figure goes through disclosure control (0 stays 0, 1-7 is "*",
// 8 and over round to the nearest 5; totals from the raw counts).

type summaryLine struct {
	Name                        string // "" for events open to everyone
	Events, People, Experiences disclosure.Value
}

func (s *Server) handleEventsSummary(w http.ResponseWriter, r *http.Request) {
	sum, err := s.store.EventsSummary(r.Context(), s.now())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	var lines []summaryLine
	for _, row := range sum.ByCommunity {
		lines = append(lines, summaryLine{s.invCommunityName(row.Community, p.Lang),
			disclosure.Count(row.Events), disclosure.Count(row.People), disclosure.Count(row.Experiences)})
	}
	var events, people, experiences []int
	for _, row := range sum.ByCommunity {
		events, people, experiences = append(events, row.Events), append(people, row.People), append(experiences, row.Experiences)
	}
	p.Data = struct {
		Total summaryLine
		Lines []summaryLine
		Any   bool
	}{summaryLine{"", disclosure.Total(events...), disclosure.Total(people...), disclosure.Total(experiences...)}, lines, sum.Events > 0}
	s.render(w, r, http.StatusOK, "events_summary", p)
}
