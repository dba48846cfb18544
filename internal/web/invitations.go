package web

// invitationRoutes lists this part's routes (see routes.go): a
// community group's invitation and its triage, and the event on the day
// (check-in, capture, the event's report, the public summary).
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

		{"GET /staff/events/{id}/check-in", moderators, s.handleCheckIn},
		{"POST /staff/events/{id}/check-in/{reg}", moderators, s.handleCheckInToggle},
		{"POST /staff/events/{id}/walk-ins", moderators, s.handleWalkIns},
		{"GET /staff/events/{id}/report", moderators, s.handleEventReport},
		{"GET /events/summary", public, s.handleEventsSummary},
	}
}
