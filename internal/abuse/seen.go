package abuse

import (
	"sync"
	"time"

	"github.com/hearme-project/hearme/internal/lru"
)

// DefaultSeenCapacity is the default bound on a Seen set: about 10 MB at
// most, far more single-use submissions than hearme's public forms receive
// in DefaultMaxAge.
const DefaultSeenCapacity = 100_000

// Seen remembers which tokens have been accepted by Signer.CheckOnce, so
// a final submit cannot be replayed (a double click, the back button and
// "resubmit", or a captured POST sent again). It holds only SHA-256
// hashes of tokens, each until the token itself has expired (time of use
// plus the signer's maximum age). It is bounded: when full, the oldest
// entry is forgotten, so under a flood of distinct genuine tokens replay
// protection weakens to "the most recent capacity tokens" — Guard
// rate-limits each address before recording, which keeps one address
// from doing that. Safe for concurrent use; share one Seen per process
// (or per form family) between requests.
type Seen struct {
	mu sync.Mutex
	t  *lru.Cache[hashKey, struct{}]
}

// NewSeen returns an empty set holding at most capacity tokens
// (DefaultSeenCapacity if capacity is not positive).
func NewSeen(capacity int) *Seen {
	if capacity <= 0 {
		capacity = DefaultSeenCapacity
	}
	return &Seen{t: lru.New[hashKey, struct{}](capacity)}
}

// add records id until deadline and reports whether it was new, first
// dropping entries that have expired by now.
func (s *Seen) add(id hashKey, now, deadline time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.t.Expire(now)
	if s.t.Get(id) != nil {
		return false
	}
	s.t.Add(id, struct{}{}, deadline)
	return true
}

// has reports whether id is recorded and still live at now.
func (s *Seen) has(id hashKey, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.t.Expire(now)
	return s.t.Get(id) != nil
}

// Sweep drops entries whose deadline is at or before now. CheckOnce keeps
// the set bounded on its own; Sweep only returns memory sooner, e.g. from
// a periodic job.
func (s *Seen) Sweep(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.t.Expire(now)
}

// Len returns the number of tokens recorded.
func (s *Seen) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t.Len()
}
