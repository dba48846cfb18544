package retention

import "github.com/hearme-project/hearme/internal/subscription"

// RuleUnconfirmedSubscriptions deletes a subscription to the public
// report, sealed address and all, that was never confirmed within
// UnconfirmedSubscriptions of being made (its confirmation link stops
// working then too). A confirmed subscription is kept until its
// subscriber unsubscribes, which deletes it at once.
const RuleUnconfirmedSubscriptions = "unconfirmed-subscriptions"

// UnconfirmedSubscriptions is seven days: a fixed period, not a setting.
const UnconfirmedSubscriptions = subscription.UnconfirmedFor
