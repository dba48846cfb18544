package web

import (
	"net/http"
	"strings"

	"github.com/hearme-project/hearme/internal/abuse"
	"github.com/hearme-project/hearme/internal/invitation"
	"github.com/hearme-project/hearme/internal/programme"
	"github.com/hearme-project/hearme/internal/web/form"
)

// A community group invites the connectors: to its own gathering, or to
// bring a mini "hear me" event. One public page, with the same abuse
// protection as the other public forms; the contact details are sealed
// before they are stored and the group is told by email at each step.

type inviteForm struct {
	invitation.Request
	ExpectedText string // as typed, kept on error
}

// inviteCommunities are the programme's active communities the form
// lists above its own "Another community" choice (which asks which one):
// a programme's catch-all community (slug "other", "another" or
// "another-community", or named as the form's own choice) is left out,
// so that the choice is offered once.
func (s *Server) inviteCommunities(p *Page) []programme.Item {
	other := strings.ToLower(p.T("invitations.community_other_choice"))
	var out []programme.Item
	for _, c := range s.programme().Communities {
		switch {
		case !c.Active, c.Slug == "other", c.Slug == "another", c.Slug == "another-community",
			strings.ToLower(c.Name(p.Lang)) == other, strings.ToLower(c.Name("en")) == "another community":
			continue
		}
		out = append(out, c)
	}
	return out
}

func (s *Server) invitePage(r *http.Request, f inviteForm) *Page {
	p := s.newPage(r)
	p.Form = f
	communities := s.inviteCommunities(p)
	p.Data = struct {
		Kinds           []invitation.Kind
		Communities     []programme.Item
		Languages       []programme.Language
		Token, Honeypot string
		MaxLong         int
	}{invitation.Kinds, communities, s.programme().Languages, s.forms.Signer().Issue("invite"), abuse.HoneypotField, invitation.MaxLong}
	return p
}

func (s *Server) handleInviteForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "invite", s.invitePage(r, inviteForm{}))
}

// readInvite reads the posted request, every value cleaned and capped
// (a little over each limit, so an over-long answer is reported rather
// than silently cut).
func readInvite(r *http.Request) inviteForm {
	f := inviteForm{ExpectedText: form.Value(r, "expected", 12)}
	f.Kind = invitation.Kind(form.Value(r, "kind", 20))
	f.Group = form.Value(r, "group", invitation.MaxShort+1)
	f.Community = form.Value(r, "community", 60)
	f.CommunityOther = form.Value(r, "community_other", invitation.MaxShort+1)
	for i, l := range r.PostForm["languages"] {
		if i >= 20 {
			break
		}
		f.Languages = append(f.Languages, form.Clean(l, 10))
	}
	f.OtherLanguages = form.Value(r, "other_languages", invitation.MaxShort+1)
	f.PreferredDates = form.Value(r, "preferred_dates", invitation.MaxShort+1)
	f.Venue = form.Value(r, "venue", invitation.MaxShort+1)
	f.Notes = form.Value(r, "notes", invitation.MaxLong+1)
	f.Contact = invitation.Contact{Name: form.Value(r, "contact_name", invitation.MaxShort+1),
		Email: form.Value(r, "contact_email", invitation.MaxShort+1), Phone: form.Value(r, "contact_phone", 41)}
	return f
}

func (s *Server) handleInviteSend(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	f := readInvite(r)
	var communities, languages []string
	for _, c := range s.inviteCommunities(s.newPage(r)) {
		communities = append(communities, c.Slug)
	}
	for _, l := range s.programme().Languages {
		languages = append(languages, l.Code)
	}
	p := s.invitePage(r, f)
	p.Errors = f.Validate(f.ExpectedText, communities, languages)
	if len(p.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "invite", p)
		return
	}
	if !s.guardPublicForm(w, r, publicForm{"invite", "invite", func() *Page { return s.invitePage(r, f) }, "/invite/sent", nil}) {
		return
	}
	f.Lang = reqCtx(r).lang
	// The acknowledgement is composed from the plain address, then the
	// details are sealed for the store.
	m, err := s.mail.Compose(f.Lang, f.Contact.Email, "invitation_received", s.invitationMailData(f.Lang, invitation.Invitation{Request: f.Request}, nil))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	req := f.Request
	for _, p := range []*string{&req.Contact.Name, &req.Contact.Email, &req.Contact.Phone} {
		if *p == "" {
			continue
		}
		if *p, err = s.keys.Seal(*p); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if _, err := s.store.CreateInvitation(r.Context(), req, m); err != nil {
		s.serverError(w, r, err)
		return
	}
	redirect(w, r, "/invite/sent")
}

func (s *Server) handleInviteSent(w http.ResponseWriter, r *http.Request) {
	s.renderStatic(w, r, "invite_sent", func(p *Page) {})
}
