package web

import (
	"encoding/json"
	"net/http"
)

// openSealedJSON opens a value this server sealed and handed out (a
// draft in the session, a receipt in a cookie) and decodes it into v.
// One that cannot be opened or read (sealed under a key since retired,
// a cookie tampered with) is logged and leaves v as it was: the person
// starts again rather than seeing an error page. It reports whether v
// was filled.
func (s *Server) openSealedJSON(r *http.Request, what, sealed string, v any) bool {
	plain, err := s.keys.Open(sealed)
	if err == nil {
		err = json.Unmarshal([]byte(plain), v)
	}
	if err != nil {
		s.log.Warn("sealed value unreadable", "what", what, "route", reqCtx(r).route, "err", err.Error())
		return false
	}
	return true
}
