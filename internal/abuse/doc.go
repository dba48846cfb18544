// Package abuse protects hearme's public, anonymous forms (for example
// "share" and "idea") against automated and repeated submissions without
// any third-party service: no CAPTCHA, no external script, nothing that
// sends a resident's address or behaviour to someone else.
//
// It combines three cheap checks:
//
//   - a signed time token (token.go) put in a hidden field when the form is
//     rendered, proving the submission comes from a form we served, to the
//     same form, not implausibly fast and not days later — optionally single
//     use (seen.go);
//   - a honeypot field (honeypot.go) that people never see or reach but
//     naive bots fill in;
//   - per-address token-bucket rate limits (limiter.go) keyed by a keyed
//     hash of the client address, so no raw address is ever held.
//
// Guard (guard.go) composes them into one Verdict per submission and
// documents which response the web layer should give for each.
//
// Like internal/auth, the package has no HTTP dependency: every type takes
// an injected clock and is unit-tested in isolation. All state is in
// memory, per process, and resets on restart.
package abuse
