package web

// invitationRoutes lists this part's routes (see routes.go): a
// community group's invitation and its triage. The event on the day
// (check-in, walk-ins, the event's report, the public summary) is the
// events part's (events.go).
func (s *Server) invitationRoutes() []Route {
	return []Route{
		{"GET /invite", public, s.handleInviteForm},
		{"POST /invite", public, s.handleInviteSend},
		{"GET /invite/sent", public, s.handleInviteSent},
		{"GET /staff/invitations", moderators, s.handleInvitationBoard},
		{"GET /staff/invitations/{id}", moderators, s.handleInvitationView},
		{"POST /staff/invitations/{id}/status", moderators, s.handleInvitationMove},
		{"POST /staff/invitations/{id}/owner", moderators, s.handleInvitationOwner},
		{"POST /staff/invitations/{id}/notes", moderators, s.handleInvitationNote},
		{"GET /staff/invitations/{id}/schedule", moderators, s.handleScheduleForm},
		{"POST /staff/invitations/{id}/schedule", moderators, s.handleSchedule},
	}
}
