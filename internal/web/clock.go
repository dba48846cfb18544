package web

import "time"

// The server's clock is s.now (time.Now, or a fixed time in tests); these
// read it in the programme's time zone.

// today is the date in the programme's time zone, as midnight UTC.
func (s *Server) today() time.Time {
	n := s.now().In(s.site.Load().loc)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}
