package retention

import "time"

// RuleInvitationContacts removes a community group's invitation's
// contact details and the requester's own free text once the request
// has been closed (done or declined) for InvitationContacts. The request
// itself (group, community, numbers, status) stays for the programme's
// records.
const RuleInvitationContacts = "invitation-contacts"

// InvitationContacts is how long a closed invitation keeps its contact
// details: 90 days, long enough for a follow-up or a complaint. It is a
// fixed period, not a setting.
const InvitationContacts = 90 * 24 * time.Hour
