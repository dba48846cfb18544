package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/contact"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/field"
	"github.com/hearme-project/hearme/internal/rights"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// What is held about the person a rights request is from
// (/staff/rights/{id}/person): found by the request's reference and
// contact detail, or by others typed in; shown with sealed values opened
// (the view is audited); the response pack prepared and downloaded once;
// erasure, restriction and correction. The person's details travel in
// form bodies, never in a URL.

func (s *Server) rightsPersonRoutes() []Route {
	return []Route{
		{"GET /staff/rights/{id}/person", protectors, s.handleRightsPerson},
		{"POST /staff/rights/{id}/person", protectors, s.handleRightsPersonFind},
		{"POST /staff/rights/{id}/pack", protectors, s.handleRightsPackPrepare},
		{"POST /staff/rights/{id}/pack/download", protectors, s.handleRightsPackDownload},
		{"POST /staff/rights/{id}/pack/sent", protectors, s.handleRightsPackSent},
		{"POST /staff/rights/{id}/erase", protectors, s.handleRightsErase},
		{"POST /staff/rights/{id}/restrict", protectors, s.handleRightsRestrict},
		{"POST /staff/rights/{id}/correct", protectors, s.handleRightsCorrect},
	}
}

// personForm is who is looked for, as typed.
type personForm struct {
	Reference, Email, Phone string
	Format, Lang            string // the pack
	Experience, Correction  string
	Story                   string // the one to correct
	Confirm                 bool
}

// query reads the form into the store's query, checking each detail by
// the product's one rule for it.
func (f personForm) query() (store.PersonQuery, field.Errors) {
	var errs field.Errors
	q := store.PersonQuery{Reference: store.NormaliseReference(f.Reference), Email: strings.TrimSpace(f.Email), Phone: strings.TrimSpace(f.Phone)}
	if strings.TrimSpace(f.Reference) != "" && (q.Reference == "" || utf8.RuneCountInString(f.Reference) > rights.MaxReference) {
		errs.Add("reference", "rights.error.reference_invalid")
	}
	if q.Email != "" {
		e, ok := contact.NormaliseEmail(q.Email)
		if !ok {
			errs.Add("email", "rights.error.email_invalid")
		}
		q.Email = e
	}
	if q.Phone != "" && !contact.ValidPhone(q.Phone) {
		errs.Add("phone", "rights.error.phone_invalid")
	}
	if len(errs) == 0 && q.Empty() {
		errs.Add("reference", rights.ErrWhoMissing.Error())
	}
	return q, errs
}

// requestPerson is the person a request names: its reference, and its
// contact detail as an email address or a phone number.
func (s *Server) requestPerson(q rights.Request) (personForm, error) {
	f := personForm{Reference: q.Reference}
	if q.ContactSealed != "" {
		plain, err := s.keys.Open(q.ContactSealed)
		if err != nil {
			return f, err
		}
		switch {
		case strings.Contains(plain, "@"):
			f.Email = plain
		case contact.ValidPhone(plain):
			f.Phone = plain
		}
	}
	return f, nil
}

func readPersonForm(r *http.Request) personForm {
	return personForm{Reference: form.Value(r, "reference", rights.MaxReference+20), Email: form.Value(r, "email", contact.MaxEmail+20),
		Phone: form.Value(r, "phone", contact.MaxPhone+20), Format: form.Value(r, "format", 10), Lang: form.Value(r, "lang", 10),
		Experience: form.Value(r, "experience", 40), Story: form.Value(r, "story", 40), Correction: form.Value(r, "correction", experience.MaxTextRunes+100),
		Confirm: form.Value(r, "confirm", 5) == "yes"}
}

// personGroup is one kind of record on the page and in the pack.
type personGroup struct {
	Key     string // rights.person.group_<key>
	Records []store.Record
}

// groupOf says under which heading a table's records are shown.
func groupOf(table string) string {
	switch {
	case table == "registrations":
		return "registrations"
	case strings.HasPrefix(table, "invitation"):
		return "invitations"
	case strings.HasPrefix(table, "champion") || table == "event_helpers":
		return "champion"
	case table == "users" || table == "setup_tokens" || table == "recovery_codes":
		return "account"
	case strings.HasPrefix(table, "rights_"):
		return "rights"
	case table == "outbox":
		return "emails"
	}
	return "experiences"
}

var groupOrder = []string{"experiences", "registrations", "invitations", "champion", "account", "rights", "emails"}

func groups(p store.Person) []personGroup {
	by := map[string][]store.Record{}
	for _, r := range p.Records {
		g := groupOf(r.Table)
		by[g] = append(by[g], r)
	}
	var out []personGroup
	for _, g := range groupOrder {
		if len(by[g]) > 0 {
			out = append(out, personGroup{g, by[g]})
		}
	}
	return out
}

// personStory is one thing the person shared, for the actions on it.
type personStory struct {
	ID, Reference, Kind, Status string
}

// personPage is what the person page shows.
type personPage struct {
	Req        rights.Request
	Searched   bool
	Person     store.Person
	Groups     []personGroup
	Stories    []personStory
	Languages  []LangLink
	Formats    []string
	Pack       *preparedPack
	Open       []store.OpenPlace
	Notice     string
	ErasedNote string
}

// preparedPack is a pack ready to download: its token is only in the page.
type preparedPack struct {
	Token, Format, Lang string
	Expires             time.Time
}

func (s *Server) renderPerson(w http.ResponseWriter, r *http.Request, status int, q rights.Request, f personForm, errs field.Errors, d personPage) {
	pq, qerrs := f.query()
	if len(qerrs) == 0 {
		person, err := s.store.FindPerson(r.Context(), pq)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if err := s.store.AuditPersonFoundBy(r.Context(), reqCtx(r).user.ID, q.ID, person); err != nil {
			s.serverError(w, r, err)
			return
		}
		d.Searched, d.Person, d.Groups = true, person, groups(person)
		for _, rec := range person.Of("experiences") {
			d.Stories = append(d.Stories, personStory{rec.ID, rec.Value("reference"), rec.Value("kind"), rec.Value("status")})
		}
	} else if !errs.Has("reference") && !errs.Has("email") && !errs.Has("phone") {
		errs.Append(qerrs)
	}
	d.Req, d.Formats = q, rights.PackFormats
	p := s.newPage(r)
	d.Languages = p.Languages
	if f.Lang == "" {
		f.Lang = s.personLang(d.Person, p.Lang)
	}
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	p.Errors, p.Form, p.Data = errs, f, d
	s.render(w, r, status, "staff_rights_person", p)
}

// personLang is the language the person used (their latest story or
// registration), else fallback.
func (s *Server) personLang(p store.Person, fallback string) string {
	for _, table := range []string{"experiences", "registrations", "invitations", "champion_applications"} {
		if recs := p.Of(table); len(recs) > 0 {
			if l := recs[len(recs)-1].Value("lang"); l != "" && s.cat.Has(l) {
				return l
			}
		}
	}
	return fallback
}

func (s *Server) handleRightsPerson(w http.ResponseWriter, r *http.Request) {
	q, ok := s.rightsRequestOf(w, r)
	if !ok {
		return
	}
	f, err := s.requestPerson(q)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if store.NormaliseReference(f.Reference) == "" && f.Email == "" && f.Phone == "" {
		s.renderPerson(w, r, http.StatusOK, q, personForm{}, field.Errors{}, personPage{})
		return
	}
	s.renderPerson(w, r, http.StatusOK, q, f, nil, personPage{})
}

// personPost parses a POST on the person page and reads its form.
func (s *Server) personPost(w http.ResponseWriter, r *http.Request) (rights.Request, personForm, bool) {
	q, ok := s.rightsRequestOf(w, r)
	if !ok {
		return q, personForm{}, false
	}
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return q, personForm{}, false
	}
	return q, readPersonForm(r), true
}

func (s *Server) handleRightsPersonFind(w http.ResponseWriter, r *http.Request) {
	q, f, ok := s.personPost(w, r)
	if !ok {
		return
	}
	_, errs := f.query()
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	s.renderPerson(w, r, status, q, f, errs, personPage{})
}

func validChoice(v string, list []string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Server) handleRightsPackPrepare(w http.ResponseWriter, r *http.Request) {
	q, f, ok := s.personPost(w, r)
	if !ok {
		return
	}
	_, errs := f.query()
	if !validChoice(f.Format, rights.PackFormats) {
		errs.Add("format", "rights.error.format")
	}
	if !s.cat.Has(f.Lang) {
		errs.Add("lang", "rights.error.lang")
	}
	if len(errs) > 0 {
		s.renderPerson(w, r, http.StatusUnprocessableEntity, q, f, errs, personPage{})
		return
	}
	token := auth.RandomToken(32)
	if _, err := s.store.PreparePack(r.Context(), reqCtx(r).user.ID, q.ID, f.Format, f.Lang, auth.HashToken(token), rights.PackTTL); s.storeFailed(w, r, err) {
		return
	}
	s.renderPerson(w, r, http.StatusOK, q, f, nil, personPage{Pack: &preparedPack{Token: token, Format: f.Format, Lang: f.Lang, Expires: s.now().Add(rights.PackTTL)}})
}

// handleRightsPackDownload gives the pack once: to the member of staff
// who prepared it, before it expires. What it disclosed is recorded.
func (s *Server) handleRightsPackDownload(w http.ResponseWriter, r *http.Request) {
	q, f, ok := s.personPost(w, r)
	if !ok {
		return
	}
	token := form.Value(r, "token", 100)
	pq, errs := f.query()
	hash := auth.HashToken(token)
	lang, format, err := s.store.PackLang(r.Context(), q.ID, hash)
	if errors.Is(err, rights.ErrPackGone) || len(errs) > 0 {
		errs.Add("reference", rights.ErrPackGone.Error())
		s.renderPerson(w, r, http.StatusGone, q, f, errs, personPage{})
		return
	}
	if s.storeFailed(w, r, err) {
		return
	}
	person, err := s.store.FindPerson(r.Context(), pq)
	if s.storeFailed(w, r, err) {
		return
	}
	if _, err := s.store.TakePack(r.Context(), reqCtx(r).user.ID, q.ID, hash, person.Found); errors.Is(err, rights.ErrPackGone) {
		errs.Add("reference", rights.ErrPackGone.Error())
		s.renderPerson(w, r, http.StatusGone, q, f, errs, personPage{})
		return
	} else if s.storeFailed(w, r, err) {
		return
	}
	s.writePack(w, r, person, lang, format, "hearme-response-"+q.ID[:8], &q)
}

// packDoc is the pack's content, in the JSON and behind the HTML.
type packDoc struct {
	Programme   string         `json:"programme"`
	Controller  string         `json:"data_controller"`
	GeneratedAt string         `json:"generated_at"`
	Language    string         `json:"language"`
	Request     map[string]any `json:"request,omitempty"`
	Records     []store.Record `json:"records"`
	Groups      []personGroup  `json:"-"`
	Date        time.Time      `json:"-"`
	Received    time.Time      `json:"-"`
}

// writePack writes what is held as a file to save: JSON, or a readable
// page in lang that needs nothing from the site to open.
func (s *Server) writePack(w http.ResponseWriter, r *http.Request, person store.Person, lang, format, name string, q *rights.Request) {
	st := s.site.Load()
	doc := packDoc{Programme: st.prog.Settings.Name, Controller: st.prog.Settings.Organisation, GeneratedAt: s.now().UTC().Format(time.RFC3339),
		Language: lang, Records: person.Records, Groups: groups(person), Date: s.today()}
	if doc.Records == nil {
		doc.Records = []store.Record{}
	}
	if q != nil {
		doc.Request = map[string]any{"kind": q.Kind, "received_on": q.ReceivedOn.Format(time.DateOnly)}
		doc.Received = q.ReceivedOn
	}
	w.Header().Set("Cache-Control", "no-store")
	if format == "json" {
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.json"`)
		w.Write(b)
		return
	}
	p := s.newPage(r)
	p.L, p.Lang, p.Dir = s.cat.Localizer(lang), lang, "ltr"
	for _, l := range st.prog.Languages {
		if l.Code == lang {
			p.Dir = l.Dir()
		}
	}
	p.Data = doc
	t, err := s.pages.page("rights_pack")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "pack", p); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.html"`)
	w.Write(buf.Bytes())
}

func (s *Server) handleRightsPackSent(w http.ResponseWriter, r *http.Request) {
	s.rightsStep(w, r, func(q rights.Request) (rightsDetail, field.Errors, func() error) {
		pack, on, how := form.Value(r, "pack", 40), form.Value(r, "sent_on", 20), form.Value(r, "sent_how", 20)
		var errs field.Errors
		if pack == "" {
			errs.Add("pack", "rights.error.pack_missing")
		}
		day := checkDay(&errs, "sent_on", on, s.today())
		if !validChoice(how, rights.SentHows) {
			errs.Add("sent_how", "rights.error.sent_how")
		}
		return rightsDetail{SentOn: on, SentHow: how}, errs, func() error {
			err := s.store.MarkPackSent(r.Context(), reqCtx(r).user.ID, q.ID, pack, day, how)
			if errors.Is(err, rights.ErrPackNotDownloaded) {
				return store.ErrNotFound
			}
			return err
		}
	}, "rights.person.marked_sent")
}

// checkDay parses a required YYYY-MM-DD date not after today.
func checkDay(errs *field.Errors, id, v string, today time.Time) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		errs.Add(id, rights.ErrReceivedMissing.Error())
		return time.Time{}
	}
	d, err := time.Parse(time.DateOnly, v)
	switch {
	case err != nil:
		errs.Add(id, rights.ErrDateInvalid.Error())
	case d.After(today):
		errs.Add(id, rights.ErrDateFuture.Error())
	}
	return d
}

func (s *Server) handleRightsErase(w http.ResponseWriter, r *http.Request) {
	q, f, ok := s.personPost(w, r)
	if !ok {
		return
	}
	pq, errs := f.query()
	if !f.Confirm {
		errs.Add("confirm", "rights.error.confirm_erase")
	}
	if len(errs) > 0 {
		s.renderPerson(w, r, http.StatusUnprocessableEntity, q, f, errs, personPage{})
		return
	}
	erased, _, err := s.store.ErasePerson(r.Context(), reqCtx(r).user.ID, q.ID, pq)
	var open *store.OpenRegistrationError
	switch {
	case errors.As(err, &open):
		errs.Add("confirm", rights.ErrOpenRegistration.Error())
		s.renderPerson(w, r, http.StatusConflict, q, f, errs, personPage{Open: open.Events})
		return
	case errors.Is(err, rights.ErrNothingFound):
		errs.Add("confirm", rights.ErrNothingFound.Error())
		s.renderPerson(w, r, http.StatusUnprocessableEntity, q, f, errs, personPage{})
		return
	case s.storeFailed(w, r, err):
		return
	}
	_ = erased
	s.sessions.Put(r.Context(), sessFlash, "rights.person.erased")
	redirect(w, r, "/staff/rights/"+q.ID)
}

func (s *Server) handleRightsRestrict(w http.ResponseWriter, r *http.Request) {
	q, f, ok := s.personPost(w, r)
	if !ok {
		return
	}
	_, errs := f.query()
	action := form.Value(r, "action", 10)
	if f.Experience == "" {
		errs.Add("experience", "rights.error.experience_missing")
	}
	if len(errs) > 0 {
		s.renderPerson(w, r, http.StatusUnprocessableEntity, q, f, errs, personPage{})
		return
	}
	var err error
	notice := "rights.person.restricted"
	if action == "lift" {
		err, notice = s.store.LiftRestriction(r.Context(), reqCtx(r).user.ID, q.ID, f.Experience), "rights.person.lifted"
	} else {
		err = s.store.RestrictExperience(r.Context(), reqCtx(r).user.ID, q.ID, f.Experience)
	}
	if errors.Is(err, rights.ErrNothingFound) {
		errs.Add("experience", "rights.error.restrict_state")
		s.renderPerson(w, r, http.StatusUnprocessableEntity, q, f, errs, personPage{})
		return
	}
	if s.storeFailed(w, r, err) {
		return
	}
	f.Experience = ""
	s.renderPerson(w, r, http.StatusOK, q, f, nil, personPage{Notice: notice})
}

func (s *Server) handleRightsCorrect(w http.ResponseWriter, r *http.Request) {
	q, f, ok := s.personPost(w, r)
	if !ok {
		return
	}
	_, errs := f.query()
	if f.Story == "" {
		errs.Add("story", "rights.error.experience_missing")
	}
	text := strings.TrimSpace(f.Correction)
	switch {
	case text == "":
		errs.Add("correction", "rights.error.correction_missing")
	case utf8.RuneCountInString(text) > experience.MaxTextRunes:
		errs.Add("correction", rights.ErrTooLong.Error())
	}
	if len(errs) > 0 {
		s.renderPerson(w, r, http.StatusUnprocessableEntity, q, f, errs, personPage{})
		return
	}
	err := s.store.CorrectExperience(r.Context(), reqCtx(r).user.ID, q.ID, f.Story, text)
	if s.storeFailed(w, r, err) {
		return
	}
	f.Story, f.Correction = "", ""
	s.renderPerson(w, r, http.StatusOK, q, f, nil, personPage{Notice: "rights.person.corrected"})
}
