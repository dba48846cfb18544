package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/champion"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// The staff side of the champions pipeline: the board by stage, one
// champion's page (details opened from the seal, each opening audited),
// moves between stages with a note, the owner, notes and the training
// record.

// championCard is a champion on the board.
type championCard struct {
	ID, Name, OwnerName string
	Since               time.Time
}

type championColumn struct {
	Stage champion.Stage
	Cards []championCard
}

// open decrypts a sealed value; an empty or unreadable one is "".
func (s *Server) championOpen(sealed string) string {
	if sealed == "" {
		return ""
	}
	v, err := s.keys.Open(sealed)
	if err != nil {
		s.log.Error("champion detail unreadable", "err", err.Error())
		return ""
	}
	return v
}

func (s *Server) handleChampionPipeline(w http.ResponseWriter, r *http.Request) {
	f := store.ChampionFilter{Stage: champion.Stage(r.URL.Query().Get("stage")), OwnerID: r.URL.Query().Get("owner")}
	if !f.Stage.Valid() {
		f.Stage = ""
	}
	if len(f.OwnerID) > 64 {
		f.OwnerID = ""
	}
	list, err := s.store.ChampionPipeline(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	owners, err := s.store.ChampionOwners(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var cols []championColumn
	for _, st := range champion.Stages {
		if f.Stage != "" && st != f.Stage {
			continue
		}
		col := championColumn{Stage: st}
		for _, c := range list {
			if c.Stage == st {
				col.Cards = append(col.Cards, championCard{c.ID, s.championOpen(c.NameSealed), c.OwnerName, c.StageChangedAt})
			}
		}
		cols = append(cols, col)
	}
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	p.Data = struct {
		Columns []championColumn
		Stages  []champion.Stage
		Owners  []account.User
		Filter  store.ChampionFilter
		Total   int
	}{cols, champion.Stages, owners, f, len(list)}
	s.render(w, r, http.StatusOK, "staff_champions", p)
}

// championDetail is one champion opened for staff.
type championDetail struct {
	Record             store.ChampionRecord
	Name, Email, Phone string
	Details            champion.Details
	CommunityNames     []string
	Next               []champion.Stage
	NeedsAccountEmail  bool // active is possible, no account yet, no email given
	Notes              []championNoteView
	Modules            []championModuleRecord
	Owners             []account.User
	Account            *account.User
	Today              string
}

type championNoteView struct {
	Author string
	Stage  champion.Stage
	Body   string
	At     time.Time
}

type championModuleRecord struct {
	Module      champion.Module
	CompletedOn string
	RecordedBy  string
}

// championDetailForm holds what the forms of the page kept on error.
type championDetailForm struct {
	To, Note, AccountEmail, NewNote, Module, CompletedOn, Owner string
}

func (s *Server) championDetailPage(r *http.Request, id string, f championDetailForm) (*Page, error) {
	ctx := r.Context()
	c, err := s.store.ViewChampion(ctx, reqCtx(r).user.ID, id)
	if err != nil {
		return nil, err
	}
	if c.CountsOnly {
		return nil, store.ErrNotFound
	}
	p := s.newPage(r)
	d := championDetail{Record: c, Name: s.championOpen(c.NameSealed), Email: s.championOpen(c.EmailSealed), Phone: s.championOpen(c.PhoneSealed), Next: c.Stage.Next(),
		Today: s.now().In(s.site.Load().loc).Format("2006-01-02")}
	if raw := s.championOpen(c.DetailsSealed); raw != "" {
		if err := json.Unmarshal([]byte(raw), &d.Details); err != nil {
			s.log.Error("champion details unreadable", "err", err.Error())
		}
	}
	for _, slug := range d.Details.Communities {
		d.CommunityNames = append(d.CommunityNames, s.championCommunityName(p.Lang, slug))
	}
	if c.UserID != "" {
		if u, err := s.store.UserByID(ctx, c.UserID); err == nil {
			d.Account = &u
		}
	}
	d.NeedsAccountEmail = c.UserID == "" && d.Email == "" && c.Stage.CanMoveTo(champion.Active)
	notes, err := s.store.ChampionNotes(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, n := range notes {
		d.Notes = append(d.Notes, championNoteView{n.AuthorName, n.Stage, s.championOpen(n.BodySealed), n.CreatedAt})
	}
	mods, err := s.store.TrainingModules(ctx, true)
	if err != nil {
		return nil, err
	}
	recs, err := s.store.TrainingRecords(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, m := range mods {
		mr := championModuleRecord{Module: m}
		for _, t := range recs {
			if t.ModuleID == m.ID {
				mr.CompletedOn, mr.RecordedBy = t.CompletedOn, t.RecordedBy
			}
		}
		if m.Active || mr.CompletedOn != "" {
			d.Modules = append(d.Modules, mr)
		}
	}
	if d.Owners, err = s.store.ChampionOwners(ctx); err != nil {
		return nil, err
	}
	if f.Owner == "" {
		f.Owner = c.OwnerID
	}
	if f.CompletedOn == "" {
		f.CompletedOn = d.Today
	}
	p.Form = f
	p.Data = d
	return p, nil
}

func (s *Server) championShow(w http.ResponseWriter, r *http.Request, status int, f championDetailForm, errs form.Errors) {
	p, err := s.championDetailPage(r, r.PathValue("id"), f)
	if s.storeFailed(w, r, err) {
		return
	}
	p.Errors = errs
	if status == http.StatusOK {
		p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	}
	s.render(w, r, status, "staff_champion", p)
}

func (s *Server) handleChampionView(w http.ResponseWriter, r *http.Request) {
	s.championShow(w, r, http.StatusOK, championDetailForm{}, nil)
}

func (s *Server) championDone(w http.ResponseWriter, r *http.Request, flash string) {
	s.sessions.Put(r.Context(), sessFlash, flash)
	redirect(w, r, "/staff/champions/"+r.PathValue("id"))
}

// championSealNote seals a note ("" stays "").
func (s *Server) championSealNote(note string) (string, error) {
	if note == "" {
		return "", nil
	}
	return s.keys.Seal(note)
}

func (s *Server) handleChampionStage(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	ctx := r.Context()
	id := r.PathValue("id")
	f := championDetailForm{To: form.Value(r, "to", 20), Note: form.Value(r, "note", champion.MaxText+100), AccountEmail: form.Value(r, "account_email", 254)}
	c, err := s.store.ChampionByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && c.CountsOnly {
		s.errorPage(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	to := champion.Stage(f.To)
	var errs form.Errors
	if !c.Stage.CanMoveTo(to) {
		errs.Add("to", "champions.error.stage_invalid")
	}
	if utf8.RuneCountInString(f.Note) > champion.MaxText {
		errs.Add("note", "champions.error.too_long")
	}
	var act *store.Activation
	var token string
	if len(errs) == 0 && to == champion.Active && c.UserID == "" {
		email := s.championOpen(c.EmailSealed)
		if email == "" {
			email = strings.ToLower(f.AccountEmail)
			if email == "" {
				errs.Add("account_email", "champions.error.account_email_required")
			} else if e, err := account.NormaliseEmail(email); err != nil {
				errs.Add("account_email", "champions.error.email_invalid")
			} else {
				email = e
			}
		}
		if len(errs) == 0 {
			name := s.championOpen(c.NameSealed)
			token = auth.RandomToken(32)
			link := s.baseURL(r) + "/setup/" + token
			welcome, err := s.mail.Compose(c.Lang, email, "champion_welcome", struct{ Name, Link string }{name, link})
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			act = &store.Activation{Email: email, DisplayName: name, TokenHash: auth.HashToken(token), TTL: ChampionLinkTTL, Welcome: welcome}
		}
	}
	if len(errs) > 0 {
		s.championShow(w, r, http.StatusUnprocessableEntity, f, errs)
		return
	}
	note, err := s.championSealNote(f.Note)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	err = s.store.MoveChampion(ctx, reqCtx(r).user.ID, id, to, note, act)
	switch {
	case errors.Is(err, store.ErrConflict):
		errs.Add("account_email", "champions.error.email_taken")
	case errors.Is(err, champion.ErrIllegalMove):
		errs.Add("to", "champions.error.stage_invalid")
	case errors.Is(err, store.ErrNotFound):
		s.errorPage(w, r, http.StatusNotFound)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	if len(errs) > 0 {
		s.championShow(w, r, http.StatusUnprocessableEntity, f, errs)
		return
	}
	flash := "champions.moved"
	if act != nil {
		flash = "champions.activated"
	}
	s.championDone(w, r, flash)
}

// ChampionLinkTTL is how long the set-password link in a new champion's
// welcome email works: longer than a staff link, as a volunteer may not
// read their email every day.
const ChampionLinkTTL = 7 * 24 * time.Hour

func (s *Server) handleChampionOwner(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	f := championDetailForm{Owner: form.Value(r, "owner", 64)}
	err := s.store.SetChampionOwner(r.Context(), reqCtx(r).user.ID, r.PathValue("id"), f.Owner)
	if errors.Is(err, store.ErrNotFound) {
		if _, err2 := s.store.ChampionByID(r.Context(), r.PathValue("id")); err2 != nil {
			s.errorPage(w, r, http.StatusNotFound)
			return
		}
		var errs form.Errors
		errs.Add("owner", "champions.error.owner_invalid")
		s.championShow(w, r, http.StatusUnprocessableEntity, f, errs)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.championDone(w, r, "champions.owner_saved")
}

func (s *Server) handleChampionNote(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	f := championDetailForm{NewNote: form.Value(r, "new_note", champion.MaxText+100)}
	var errs form.Errors
	switch {
	case f.NewNote == "":
		errs.Add("new_note", "champions.error.note_required")
	case utf8.RuneCountInString(f.NewNote) > champion.MaxText:
		errs.Add("new_note", "champions.error.too_long")
	}
	if len(errs) > 0 {
		s.championShow(w, r, http.StatusUnprocessableEntity, f, errs)
		return
	}
	sealed, err := s.championSealNote(f.NewNote)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	err = s.store.AddChampionNote(r.Context(), reqCtx(r).user.ID, r.PathValue("id"), sealed)
	if s.storeFailed(w, r, err) {
		return
	}
	s.championDone(w, r, "champions.note_saved")
}

func (s *Server) handleChampionTraining(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	ctx := r.Context()
	f := championDetailForm{Module: form.Value(r, "module", 64), CompletedOn: form.Value(r, "completed_on", 20)}
	var errs form.Errors
	if _, err := s.store.TrainingModule(ctx, f.Module); err != nil {
		errs.Add("module", "champions.error.module_required")
	}
	d, err := time.Parse("2006-01-02", f.CompletedOn)
	switch {
	case f.CompletedOn == "":
		errs.Add("completed_on", "champions.error.date_required")
	case err != nil:
		errs.Add("completed_on", "champions.error.date_invalid")
	case d.After(s.now()):
		errs.Add("completed_on", "champions.error.date_future")
	}
	if len(errs) == 0 {
		err = s.store.RecordTraining(ctx, reqCtx(r).user.ID, r.PathValue("id"), f.Module, f.CompletedOn)
		switch {
		case errors.Is(err, champion.ErrInvalidDate):
			errs.Add("completed_on", "champions.error.date_future")
		case errors.Is(err, store.ErrNotFound):
			s.errorPage(w, r, http.StatusNotFound)
			return
		case err != nil:
			s.serverError(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		s.championShow(w, r, http.StatusUnprocessableEntity, f, errs)
		return
	}
	s.championDone(w, r, "champions.training_saved")
}
