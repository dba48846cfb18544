package retention

import "time"

// RuleRightsRequests deletes a rights request (with its sealed contact
// detail and notes) once it has been closed for RightsRequests. The
// audit trail keeps that it was logged, extended and closed, by whom
// and when, without the person.
const RuleRightsRequests = "rights-requests"

// RightsRequests is how long a closed rights request is kept: two years,
// long enough to answer a complaint to the ICO about how it was handled
// or a repeat request. A fixed period, not a setting; docs/rights.md.
const RightsRequests = 2 * 365 * 24 * time.Hour
