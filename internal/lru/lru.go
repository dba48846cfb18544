// Package lru provides a small bounded least-recently-used table whose
// entries also expire by time.
package lru

import (
	"container/list"
	"time"
)

// Cache is a bounded map plus a recency list (front = most recently
// touched). Every entry carries a time stamp; Expire drops entries whose
// stamp is at or before a given time. The stamp may be a deadline (stamp
// = now + TTL, then Expire(now)) or the time of last use (stamp = now,
// then Expire(now - TTL)). Callers stamp entries with a non-decreasing
// clock and a fixed TTL per cache, so the back of the list is (nearly
// always) the first to expire and expiry is amortised O(1); an entry
// whose stamp is out of order merely lingers until it reaches the back.
// When the cache is full, Add evicts the least recently touched entry.
//
// Not safe for concurrent use: callers hold their own mutex.
type Cache[K comparable, V any] struct {
	max int
	m   map[K]*list.Element
	l   *list.List
}

// Entry is one entry of a Cache. Value may be modified in place.
type Entry[K comparable, V any] struct {
	key   K
	stamp time.Time
	Value V
}

// New returns an empty Cache holding at most max entries (at least 1).
func New[K comparable, V any](max int) *Cache[K, V] {
	if max < 1 {
		max = 1
	}
	return &Cache[K, V]{max: max, m: make(map[K]*list.Element), l: list.New()}
}

// Len returns the number of entries.
func (c *Cache[K, V]) Len() int { return len(c.m) }

// Get returns k's entry, or nil if there is none. It does not change the
// entry's recency (see Touch).
func (c *Cache[K, V]) Get(k K) *Entry[K, V] {
	if el, ok := c.m[k]; ok {
		return el.Value.(*Entry[K, V])
	}
	return nil
}

// Add sets k's value to v and its stamp to t, makes it the most recently
// touched entry and returns it. If k is new and the cache is full, the
// least recently touched entries are evicted first.
func (c *Cache[K, V]) Add(k K, v V, t time.Time) *Entry[K, V] {
	if el, ok := c.m[k]; ok {
		e := el.Value.(*Entry[K, V])
		e.Value, e.stamp = v, t
		c.l.MoveToFront(el)
		return e
	}
	for len(c.m) >= c.max {
		c.removeElement(c.l.Back())
	}
	e := &Entry[K, V]{key: k, stamp: t, Value: v}
	c.m[k] = c.l.PushFront(e)
	return e
}

// Touch marks e as the most recently touched entry and moves its stamp
// forward to t (never back). It does nothing if e's key is no longer in
// the cache.
func (c *Cache[K, V]) Touch(e *Entry[K, V], t time.Time) {
	if el, ok := c.m[e.key]; ok {
		if t.After(e.stamp) {
			e.stamp = t
		}
		c.l.MoveToFront(el)
	}
}

// Remove deletes k's entry, if any.
func (c *Cache[K, V]) Remove(k K) {
	if el, ok := c.m[k]; ok {
		c.removeElement(el)
	}
}

func (c *Cache[K, V]) removeElement(el *list.Element) {
	e := c.l.Remove(el).(*Entry[K, V])
	delete(c.m, e.key)
}

// Expire removes entries, from the least recently touched, whose stamp is
// at or before t, stopping at the first whose stamp is after t.
func (c *Cache[K, V]) Expire(t time.Time) {
	for el := c.l.Back(); el != nil; el = c.l.Back() {
		if el.Value.(*Entry[K, V]).stamp.After(t) {
			return
		}
		c.removeElement(el)
	}
}

// Keys returns the cache's keys in no particular order (for tests and
// diagnostics).
func (c *Cache[K, V]) Keys() []K {
	ks := make([]K, 0, len(c.m))
	for k := range c.m {
		ks = append(ks, k)
	}
	return ks
}
