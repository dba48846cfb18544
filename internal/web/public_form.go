package web

import (
	"net/http"

	"github.com/hearme-project/hearme/internal/abuse"
)

// publicForm is what the abuse checks need to know about one of the
// public forms (share, idea, register, champion, invite).
type publicForm struct {
	name      string       // the name its time token was issued for
	template  string       // the page shown again when a post is too fast or too old
	reshow    func() *Page // that page, with the answers kept
	blockedTo string       // where a blocked post goes: the page a person would see next
	forget    func()       // optional: what a blocked post must not leave behind (a draft)
}

// guardPublicForm applies the abuse checks to a public form's final post
// and answers the request itself unless the post may be stored: a too
// fast or expired post re-shows the page with an error on its send
// button and the answers kept; a blocked one (honeypot, limit, replay) is
// sent to blockedTo (without a reference), and nothing is stored.
func (s *Server) guardPublicForm(w http.ResponseWriter, r *http.Request, f publicForm) bool {
	switch s.forms.Check(f.name, r.PostForm.Get(abuse.TokenField), r.PostForm.Get(abuse.HoneypotField), reqCtx(r).ip) {
	case abuse.ReshowTooFast:
		p := f.reshow()
		p.Errors.Add("send", "form.too_fast")
		s.render(w, r, http.StatusUnprocessableEntity, f.template, p)
		return false
	case abuse.ReshowExpired:
		p := f.reshow()
		p.Errors.Add("send", "form.expired")
		s.render(w, r, http.StatusUnprocessableEntity, f.template, p)
		return false
	case abuse.BlockSilently:
		if f.forget != nil {
			f.forget()
		}
		redirect(w, r, f.blockedTo)
		return false
	}
	return true
}
