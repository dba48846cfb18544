package awareness

import "errors"

// ErrNoEnglish means a page cannot be published: it has no text in the
// fallback language, which every visitor may be shown. The store checks
// it in the transaction that publishes the page.
var ErrNoEnglish = errors.New("awareness page has no text in the fallback language")
