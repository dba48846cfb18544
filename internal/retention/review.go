package retention

import "time"

// RuleReviewComments deletes a resident's comment on a draft
// recommendation (community review, docs/accountability.md) once it is
// ReviewComments old, whether it was approved, rejected or never
// moderated. The ranking it came with stays: it holds no words.
const RuleReviewComments = "review-comments"

// ReviewComments is how long a comment on a draft is kept: 180 days,
// long enough for the drafts to be revised, published and answered. It
// is a fixed period, not a setting.
const ReviewComments = 180 * 24 * time.Hour
