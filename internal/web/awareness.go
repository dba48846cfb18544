package web

// awarenessRoutes lists this part's routes (see routes.go).
func (s *Server) awarenessRoutes() []Route { return nil }
