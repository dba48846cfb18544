package web

import (
	"errors"
	"net/http"

	"github.com/hearme-project/hearme/internal/champion"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// The champions' own area, made for a phone: upcoming events they can
// help at, their outreach log, their record, and a link to record an
// experience they heard (the capture form, through moderation).

// championMine is the signed-in champion's record; ok is false for a
// champion account that has none (made by an administrator by hand).
func (s *Server) championMine(r *http.Request) (store.ChampionRecord, bool, error) {
	c, err := s.store.ChampionByUser(r.Context(), reqCtx(r).user.ID)
	if errors.Is(err, store.ErrNotFound) {
		return c, false, nil
	}
	return c, err == nil, err
}

func (s *Server) handleChampionHome(w http.ResponseWriter, r *http.Request) {
	c, ok, err := s.championMine(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	p.Offer = s.supportOffer(r, OfferFilter{Lang: p.Lang, Place: "champion", Limit: 5})
	events, err := s.championHelpableEvents(r, c.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Data = struct {
		Here   string
		Has    bool
		Active bool
		Events []championHelpEvent
	}{"home", ok, ok && c.Stage == champion.Active, events}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "champion_home", p)
}

// championOutreachForm is the outreach log form as typed.
type championOutreachForm = champion.OutreachInput

type championOutreachRow struct {
	store.OutreachEntry
	CommunityName, Hours string
}

func (s *Server) championOutreachPage(r *http.Request, c store.ChampionRecord, ok bool, f championOutreachForm) (*Page, error) {
	p := s.newPage(r)
	p.Form = f
	var rows []championOutreachRow
	if ok {
		list, err := s.store.OutreachOf(r.Context(), c.ID, 50)
		if err != nil {
			return nil, err
		}
		for _, e := range list {
			rows = append(rows, championOutreachRow{e, s.championCommunityName(p.Lang, e.Community), champion.FormatHours(e.Minutes)})
		}
	}
	p.Data = struct {
		Here        string
		Has, Active bool
		Communities []championCheck
		Entries     []championOutreachRow
		Today       string
	}{"outreach", ok, ok && c.Stage == champion.Active, s.championCommunityOptions(p, "community", []string{f.Community}), rows, s.championToday()}
	return p, nil
}

func (s *Server) championToday() string { return s.now().In(s.site.Load().loc).Format("2006-01-02") }

func (s *Server) handleChampionOutreachForm(w http.ResponseWriter, r *http.Request) {
	c, ok, err := s.championMine(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p, err := s.championOutreachPage(r, c, ok, championOutreachForm{Date: s.championToday()})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "champion_outreach", p)
}

func (s *Server) handleChampionOutreachLog(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	c, ok, err := s.championMine(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f := championOutreachForm{Date: form.Value(r, "date", 20), Community: form.Value(r, "community", 64), Place: form.Value(r, "place", champion.MaxShort*3+50),
		PeopleReached: form.Value(r, "people_reached", 12), Hours: form.Value(r, "hours", 12), Topics: form.Value(r, "topics", champion.MaxShort*3+50),
		Materials: form.Value(r, "materials", champion.MaxShort*3+50), FollowUp: form.Value(r, "follow_up", champion.MaxShort*3+50)}
	today, _ := championParseDay(s.championToday())
	o, errs := champion.ParseOutreach(f, s.championCommunitySlugs(), today)
	if !ok || c.Stage != champion.Active {
		errs.Add("send", "champions.error.not_active") // the button, last on the page
	}
	if len(errs) == 0 {
		_, err = s.store.LogOutreach(r.Context(), c.ID, o)
		if errors.Is(err, champion.ErrIllegalMove) || errors.Is(err, store.ErrNotFound) {
			errs.Add("send", "champions.error.not_active")
		} else if err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		p, err := s.championOutreachPage(r, c, ok, f)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "champion_outreach", p)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "champions.outreach_saved")
	redirect(w, r, "/champion/outreach")
}

// handleChampionOutreachDelete removes one of the champion's own entries.
func (s *Server) handleChampionOutreachDelete(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	c, ok, err := s.championMine(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if ok {
		err = s.store.DeleteOutreach(r.Context(), c.ID, r.PathValue("id"))
	}
	if !ok || errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "champions.outreach_deleted")
	redirect(w, r, "/champion/outreach#mine")
}

func (s *Server) handleChampionRecord(w http.ResponseWriter, r *http.Request) {
	c, ok, err := s.championMine(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var training []store.TrainingRecord
	var mine store.ChampionTotal
	if ok {
		if training, err = s.store.TrainingRecords(r.Context(), c.ID); err != nil {
			s.serverError(w, r, err)
			return
		}
		all, err := s.store.ChampionTotals(r.Context())
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, t := range all {
			if t.Key == c.ID {
				mine = t
			}
		}
	}
	p := s.newPage(r)
	p.Data = struct {
		Here     string
		Has      bool
		Stage    champion.Stage
		Training []store.TrainingRecord
		Totals   store.ChampionTotal
		Hours    string
	}{"record", ok, c.Stage, training, mine, champion.FormatHours(mine.Minutes)}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "champion_record", p)
}
