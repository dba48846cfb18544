package web

import (
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/invitation"
	"github.com/hearme-project/hearme/internal/mail"
)

// invitationMailData is what the invitation_* email templates read as .Data.
type invitationMailData struct {
	Group, Reason string
	MiniEvent     bool
	EventTitle    string
	EventWhen     string // in the programme's time zone, in the reader's style
	EventVenue    string
	EventLink     string // absolute when the site's address is configured
	InviteLink    bool   // the link carries the invitation key: only the group should use it
}

func (s *Server) invitationMailData(lang string, v invitation.Invitation, ev *event.Event) invitationMailData {
	// The group's name is isolated, so a Latin name keeps its direction
	// inside a right-to-left sentence (and the reverse).
	d := invitationMailData{Group: "\u2068" + v.Group + "\u2069", Reason: v.DeclineReason, MiniEvent: v.Kind == invitation.KindMiniEvent}
	if ev != nil {
		d.EventTitle = ev.Text(lang).Title
		d.EventWhen = mailWhen(lang, ev.Start.In(s.site.Load().loc), ev.End.In(s.site.Load().loc))
		d.EventVenue = strings.TrimSpace(strings.Trim(ev.VenueName+", "+ev.VenueAddress, ", "))
		d.EventLink = s.cfg.PublicURL() + "/events/" + ev.ID
		if ev.Visibility == event.Invitation && ev.InviteKey != "" {
			d.EventLink += "?k=" + ev.InviteKey
			d.InviteLink = true
		}
	}
	return d
}

// mailWhen shows a start and end time: "Saturday 6 March 2027, 10:00 to
// 12:00" in English, and in figures (06/03/2027, 10:00–12:00) in other
// languages, rather than with English day and month names.
func mailWhen(lang string, start, end time.Time) string {
	if lang == "en" {
		return start.Format("Monday 2 January 2006, 15:04") + " to " + end.Format("15:04")
	}
	return start.Format("02/01/2006, 15:04") + "–" + end.Format("15:04")
}

// invitationMail composes the email telling the requester their request
// moved to status to, in the language they wrote in. A request whose
// contact details are gone (or never given) gets none.
func (s *Server) invitationMail(v invitation.Invitation, to invitation.Status, ev *event.Event) ([]mail.Queued, error) {
	if v.ContactGone || v.Contact.Email == "" {
		return nil, nil
	}
	addr, err := s.keys.Open(v.Contact.Email)
	if err != nil || addr == "" {
		return nil, nil // sealed with a key no longer held: nobody to write to
	}
	lang := v.Lang
	if !s.cat.Has(lang) {
		lang = "en"
	}
	m, err := s.mail.Compose(lang, addr, "invitation_"+string(to), s.invitationMailData(lang, v, ev))
	if err != nil {
		return nil, err
	}
	return []mail.Queued{m}, nil
}
