package web

// choice is one answer a form offers (a radio button or a box), with its
// label's translation key: the share journey's roles and services, the
// capture page's sources.
type choice struct{ Code, LabelKey string }
