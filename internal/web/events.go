package web

// eventRoutes lists this part's routes (see routes.go).
func (s *Server) eventRoutes() []Route { return nil }
