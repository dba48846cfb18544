package web

// championRoutes lists this part's routes (see routes.go).
func (s *Server) championRoutes() []Route { return nil }
