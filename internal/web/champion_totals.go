package web

import (
	"net/http"

	"github.com/hearme-project/hearme/internal/champion"
)

// Totals for staff: outreach sessions, people reached, hours and
// experiences recorded, by champion and by community. These are staff
// figures and are shown unrounded; the public page shows only counts
// through disclosure control.

type championTotalRow struct {
	Label, ID                     string
	Former                        bool // a champion reduced to counts by retention
	Sessions, People, Experiences int
	Hours                         string
}

func (s *Server) handleChampionTotals(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	byChampion, err := s.store.ChampionTotals(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	byCommunity, err := s.store.CommunityTotals(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	var champs, coms []championTotalRow
	var sum championTotalRow
	var minutes int
	for _, t := range byChampion {
		name := s.championOpen(t.NameSealed)
		champs = append(champs, championTotalRow{Label: name, ID: t.Key, Former: name == "", Sessions: t.Sessions, People: t.PeopleReached, Experiences: t.Experiences, Hours: champion.FormatHours(t.Minutes)})
		sum.Sessions += t.Sessions
		sum.People += t.PeopleReached
		sum.Experiences += t.Experiences
		minutes += t.Minutes
	}
	sum.Hours = champion.FormatHours(minutes)
	for _, t := range byCommunity {
		label := s.championCommunityName(p.Lang, t.Key)
		if t.Key == "" {
			label = p.T("champions.community_not_given")
		}
		coms = append(coms, championTotalRow{Label: label, Sessions: t.Sessions, People: t.PeopleReached, Experiences: t.Experiences, Hours: champion.FormatHours(t.Minutes)})
	}
	p.Data = struct {
		Champions, Communities []championTotalRow
		Sum                    championTotalRow
	}{champs, coms, sum}
	s.render(w, r, http.StatusOK, "staff_champion_totals", p)
}
