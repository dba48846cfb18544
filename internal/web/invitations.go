package web

// invitationRoutes lists this part's routes (see routes.go).
func (s *Server) invitationRoutes() []Route { return nil }
