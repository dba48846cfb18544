// Package accountability holds the rules of the Account step: the
// recommendations staff draw from the evidence, what they must contain
// before an administrator publishes them, and the evidence frozen at
// publication (figures only as disclosure control publishes them, quotes
// only as consented and redacted). No HTTP, no SQL.
package accountability
