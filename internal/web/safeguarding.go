package web

import (
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/programme"
	"github.com/hearme-project/hearme/internal/safeguarding"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// Safeguarding: when what a person wrote suggests a risk of harm
// (internal/safeguarding), the page they see next offers crisis support
// in their language at once (the "crisis-support" partial), and the store
// has put a flag on the item that moderators see with the programme's
// escalation path until one of them records what they did. It is a
// prompt for a human, not a diagnosis (docs/safeguarding.md).

// sessCrisis, in the drafts session, asks the next page (the story's
// view after a correction) to show crisis support. (After a share it
// travels in the sealed receipt; after a capture in the capture receipt.)
const sessCrisis = "safeguarding_crisis"

// Values of Page.Crisis.
const (
	crisisPerson   = "person"   // the person who wrote it sees the page
	crisisCaptured = "captured" // a connector recorded it for someone
)

// crisisFor reports how to show crisis support for a submission's texts.
func crisisFor(kind string, texts ...string) string {
	if safeguarding.Flagged(texts...) {
		return kind
	}
	return ""
}

// safeguardingView is a moderation item's flags and escalation path.
type safeguardingView struct {
	ItemID    string
	Flags     []flagView
	AnyOpen   bool
	Path      programme.Safeguarding
	PhoneHref template.URL
}

type flagView struct {
	store.SafeguardingFlag
	At time.Time // when the escalation was recorded
}

func (s *Server) safeguardingView(r *http.Request, itemID string) (safeguardingView, error) {
	fs, err := s.store.SafeguardingFlags(r.Context(), itemID)
	if err != nil {
		return safeguardingView{}, err
	}
	path := s.programme().Safeguarding
	v := safeguardingView{ItemID: itemID, Path: path, PhoneHref: telHref(path.Phone)}
	for _, f := range fs {
		fv := flagView{SafeguardingFlag: f}
		if f.EscalatedAt != nil {
			fv.At = *f.EscalatedAt
		}
		v.AnyOpen = v.AnyOpen || f.Open()
		v.Flags = append(v.Flags, fv)
	}
	return v, nil
}

// handleSafeguardingEscalate records that a moderator escalated the
// item's open flags: whom they told and what was done (both required).
func (s *Server) handleSafeguardingEscalate(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	to := strings.TrimSpace(form.Value(r, "escalated_to", 300))
	action := strings.TrimSpace(form.Value(r, "action", 2000))
	var errs form.Errors
	if to == "" {
		errs.Add("escalated_to", "safeguarding.error.escalated_to_required")
	}
	if action == "" {
		errs.Add("action", "safeguarding.error.action_required")
	}
	if len(errs) > 0 {
		p, _, ok := s.moderationPage(w, r)
		if !ok {
			return
		}
		p.Errors = errs
		p.Form = moderationForm{EscalatedTo: to, Action: action}
		s.render(w, r, http.StatusUnprocessableEntity, "moderation_item", p)
		return
	}
	id := r.PathValue("id")
	err := s.store.RecordEscalation(r.Context(), reqCtx(r).user.ID, id, to, action)
	switch {
	case errors.Is(err, store.ErrConflict):
		s.sessions.Put(r.Context(), sessFlash, "safeguarding.already_recorded")
	case s.storeFailed(w, r, err):
		return
	default:
		s.sessions.Put(r.Context(), sessFlash, "safeguarding.recorded")
	}
	redirect(w, r, "/staff/moderation/"+id)
}
