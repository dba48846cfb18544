package web

// supportRoutes lists this part's routes (see routes.go).
func (s *Server) supportRoutes() []Route { return nil }
