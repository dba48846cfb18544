package retention

import "time"

// RuleBreaches deletes a breach register entry, with every version of
// it, once it has not changed for Breaches. The audit trail keeps that
// it was recorded and changed, by whom and when.
const RuleBreaches = "breach-records"

// Breaches is how long a breach record is kept after its last change:
// six years. UK GDPR Article 33(5) requires the record so the ICO can
// check compliance but sets no period; six years is the limitation
// period for a claim in contract or tort (Limitation Act 1980, sections
// 2 and 5), within which a person affected could still bring one. A
// fixed period, not a setting; docs/rights.md.
const Breaches = 6 * 365 * 24 * time.Hour
