package store

import "time"

// ResealWait exposes the pause after a batch to tests.
func ResealWait(p ResealPace, took time.Duration) time.Duration { return p.wait(took) }
