package abuse

import "strings"

// HoneypotField is the name of the honeypot input. "website" is a name
// form-filling bots readily fill in, and it is not one of the field names
// browsers autofill (unlike "email", "name" or "phone"), so people's
// browsers leave it empty.
//
// Markup. Put this inside every public <form>, among the real fields (not
// first or last, where some bots look for traps):
//
//	<div class="hm-hp" aria-hidden="true">
//	  <label for="hm-website">Leave this field empty</label>
//	  <input type="text" id="hm-website" name="website" value=""
//	         tabindex="-1" autocomplete="off">
//	</div>
//
// and this rule in ui/static/app.css (the Content-Security-Policy allows
// no inline style attributes, so it must live in the stylesheet):
//
//	.hm-hp { position: absolute; left: -10000px; top: auto;
//	         width: 1px; height: 1px; overflow: hidden; }
//
// Why each part:
//
//   - aria-hidden="true" on the wrapper removes the label and input from
//     the accessibility tree, so screen readers neither announce nor list
//     them.
//   - tabindex="-1" takes the input out of the keyboard tab order, so no
//     keyboard user lands on it (and it keeps axe's "aria-hidden-focus"
//     rule satisfied: hidden content must not be tabbable).
//   - autocomplete="off" asks browsers and password managers not to fill
//     it in.
//   - The wrapper is moved off-screen with CSS, not hidden with
//     display:none, visibility:hidden or the hidden attribute: many bots
//     skip fields hidden those ways. Do not reuse .visually-hidden, which
//     means "for screen readers only" — the opposite of what is wanted.
//   - The visible-if-reached label ("Leave this field empty", translated
//     like any other label) tells anyone who does see it — with CSS off, in
//     a text browser or reader mode — what to do.
//   - Never set required, and never render a submitted value back into it
//     when a form is re-shown: value must always be empty.
const HoneypotField = "website"

// HoneypotClass is the CSS class of the honeypot's wrapper (see
// HoneypotField for the markup and the rule).
const HoneypotClass = "hm-hp"

// Tripped reports whether the honeypot was filled in, i.e. value (the
// submitted HoneypotField) contains anything other than white space. A
// tripped honeypot means a bot: store nothing and answer as if it had
// worked (see Guard).
func Tripped(value string) bool {
	return strings.TrimSpace(value) != ""
}
