package web

import (
	"net/http"
	"strings"
)

// When the session store cannot load or save a session (the disk is
// full, the database refuses writes), scs calls its ErrorFunc. Its
// default writes a bare English text/plain 500 and a plain log line; the
// person loses what they typed. sessionFailed instead logs a JSON line
// and shows the translated "could not save" page with what was posted
// kept in a form that sends it again (never a password, a security code
// or a secret), so nothing typed is lost when the disk has room again.

// unavailablePage is what the page shows.
type unavailablePage struct {
	Action string        // where the kept answers are sent again
	Fields []postedField // the answers, as posted
}

type postedField struct{ Name, Value string }

// sessionFailed is the session managers' ErrorFunc.
func (s *Server) sessionFailed(w http.ResponseWriter, r *http.Request, err error) {
	rc := reqCtx(r)
	s.log.Error("session store failed", "request_id", rc.id, "route", rc.route, "err", err.Error())
	data := unavailablePage{Action: r.URL.Path}
	if r.Method == http.MethodPost {
		if r.PostForm == nil && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			_ = r.ParseForm()
		}
		for name, values := range r.PostForm {
			if keepsSecret(name) {
				continue
			}
			for _, v := range values {
				data.Fields = append(data.Fields, postedField{name, v})
			}
		}
	}
	// The handler may have set a redirect for the answer it meant to give.
	w.Header().Del("Location")
	p := s.newPage(r)
	p.Data = data
	b, rerr := s.execute("unavailable", p)
	if rerr != nil {
		s.log.Error("render unavailable page", "err", rerr.Error())
		s.errorPage(w, r, http.StatusServiceUnavailable)
	} else {
		w.Header().Set("Retry-After", "120")
		s.write(w, http.StatusServiceUnavailable, p.Lang, b)
	}
	if g, ok := w.(*sessionGuard); ok {
		g.answered = true
	}
}

// keepsSecret names the fields never written back into a page.
func keepsSecret(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "password") || n == "secret" || n == "code"
}

// sessionGuard sits outside a session manager's LoadAndSave. scs calls
// ErrorFunc from inside the response (when the handler first writes),
// then lets the handler go on writing its own status and body after the
// error page; once sessionFailed has answered, the guard drops the rest.
type sessionGuard struct {
	http.ResponseWriter
	answered bool
}

func guardSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&sessionGuard{ResponseWriter: w}, r)
	})
}

func (g *sessionGuard) WriteHeader(code int) {
	if !g.answered {
		g.ResponseWriter.WriteHeader(code)
	}
}

func (g *sessionGuard) Write(b []byte) (int, error) {
	if g.answered {
		return len(b), nil
	}
	return g.ResponseWriter.Write(b)
}

func (g *sessionGuard) Unwrap() http.ResponseWriter { return g.ResponseWriter }
