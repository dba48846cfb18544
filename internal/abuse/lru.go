package abuse

import (
	"container/list"
	"crypto/sha256"
	"time"
)

// hashKey is the key of every in-memory table in this package: always a
// hash (SHA-256 or HMAC-SHA256), never raw input.
type hashKey [sha256.Size]byte

// lru is a bounded map plus a recency list (front = most recently
// touched). Every entry carries a deadline after which it is useless and
// may be dropped. Callers set deadlines as "now + a fixed TTL" with a
// non-decreasing clock, so the back of the list is (nearly always) the
// first to expire and expiry is amortised O(1); an entry whose deadline
// is out of order merely lingers until it reaches the back. When the map
// is full, adding evicts the least recently touched entry. Not safe for
// concurrent use: callers hold their own mutex.
type lru[V any] struct {
	max int
	m   map[hashKey]*list.Element
	l   *list.List
}

type lruEntry[V any] struct {
	key      hashKey
	deadline time.Time
	val      V
}

func newLRU[V any](max int) lru[V] {
	if max < 1 {
		max = 1
	}
	return lru[V]{max: max, m: make(map[hashKey]*list.Element), l: list.New()}
}

func (c *lru[V]) len() int { return len(c.m) }

func (c *lru[V]) get(k hashKey) *lruEntry[V] {
	if el, ok := c.m[k]; ok {
		return el.Value.(*lruEntry[V])
	}
	return nil
}

// add inserts k (which must not be present) with value v, evicting the
// least recently touched entries if the table is full.
func (c *lru[V]) add(k hashKey, v V, deadline time.Time) *lruEntry[V] {
	for len(c.m) >= c.max {
		c.removeElement(c.l.Back())
	}
	e := &lruEntry[V]{key: k, deadline: deadline, val: v}
	c.m[k] = c.l.PushFront(e)
	return e
}

// touch marks e as most recently used and extends its deadline.
func (c *lru[V]) touch(e *lruEntry[V], deadline time.Time) {
	if el, ok := c.m[e.key]; ok {
		if deadline.After(e.deadline) {
			e.deadline = deadline
		}
		c.l.MoveToFront(el)
	}
}

func (c *lru[V]) removeElement(el *list.Element) {
	e := c.l.Remove(el).(*lruEntry[V])
	delete(c.m, e.key)
}

// expire removes entries, from the least recently touched, whose deadline
// is at or before now.
func (c *lru[V]) expire(now time.Time) {
	for el := c.l.Back(); el != nil; el = c.l.Back() {
		if el.Value.(*lruEntry[V]).deadline.After(now) {
			return
		}
		c.removeElement(el)
	}
}

// keys returns the table's keys (for tests and diagnostics).
func (c *lru[V]) keys() []hashKey {
	ks := make([]hashKey, 0, len(c.m))
	for k := range c.m {
		ks = append(ks, k)
	}
	return ks
}
