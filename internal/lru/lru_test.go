package lru

import (
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

func sortedKeys(c *Cache[int, string]) []int {
	ks := c.Keys()
	slices.Sort(ks)
	return ks
}

func TestAddGetRemove(t *testing.T) {
	c := New[int, string](10)
	if c.Get(1) != nil || c.Len() != 0 {
		t.Fatal("new cache not empty")
	}
	e := c.Add(1, "a", at(0))
	if g := c.Get(1); g != e || g.Value != "a" {
		t.Fatalf("Get(1) = %v", g)
	}
	e.Value = "b" // in place
	if c.Get(1).Value != "b" {
		t.Fatal("Value not modifiable in place")
	}
	// Adding an existing key replaces value and stamp, keeping the entry.
	if e2 := c.Add(1, "c", at(5)); e2 != e || e.Value != "c" || !e.stamp.Equal(at(5)) || c.Len() != 1 {
		t.Fatalf("re-Add: %+v, Len %d", e2, c.Len())
	}
	c.Remove(1)
	c.Remove(2) // absent: no-op
	if c.Get(1) != nil || c.Len() != 0 {
		t.Fatal("Remove did not remove")
	}
}

func TestMinimumSize(t *testing.T) {
	c := New[int, string](0)
	c.Add(1, "a", at(0))
	c.Add(2, "b", at(0))
	if got := sortedKeys(c); !slices.Equal(got, []int{2}) {
		t.Fatalf("keys %v, want [2]", got)
	}
}

func TestEvictsLeastRecentlyTouched(t *testing.T) {
	c := New[int, string](3)
	c.Add(1, "a", at(0))
	c.Add(2, "b", at(1))
	c.Add(3, "c", at(2))
	c.Touch(c.Get(1), at(3)) // 2 is now least recently touched
	_ = c.Get(2)             // Get does not count as a touch
	c.Add(4, "d", at(4))
	if got := sortedKeys(c); !slices.Equal(got, []int{1, 3, 4}) {
		t.Fatalf("keys %v, want [1 3 4]", got)
	}
	c.Add(3, "c2", at(5)) // re-Add counts as a touch
	c.Add(5, "e", at(6))
	if got := sortedKeys(c); !slices.Equal(got, []int{3, 4, 5}) {
		t.Fatalf("keys %v, want [3 4 5]", got)
	}
}

func TestTouch(t *testing.T) {
	c := New[int, string](10)
	e := c.Add(1, "a", at(10))
	c.Touch(e, at(5)) // never moves the stamp back
	if !e.stamp.Equal(at(10)) {
		t.Fatalf("stamp %v moved back", e.stamp)
	}
	c.Touch(e, at(20))
	if !e.stamp.Equal(at(20)) {
		t.Fatalf("stamp %v, want %v", e.stamp, at(20))
	}
	c.Remove(1)
	c.Touch(e, at(30)) // removed: no-op
	if c.Len() != 0 || !e.stamp.Equal(at(20)) {
		t.Fatal("Touch of a removed entry had an effect")
	}
}

func TestExpire(t *testing.T) {
	c := New[int, string](10)
	for i := 1; i <= 5; i++ {
		c.Add(i, "", at(i))
	}
	c.Expire(at(0))
	if c.Len() != 5 {
		t.Fatalf("Len %d, want 5", c.Len())
	}
	c.Expire(at(2)) // at or before: 1 and 2
	if got := sortedKeys(c); !slices.Equal(got, []int{3, 4, 5}) {
		t.Fatalf("keys %v, want [3 4 5]", got)
	}
	// Expiry works from the least recently touched and stops at the first
	// live entry, so an out-of-order stamp lingers until it reaches the back.
	c.Touch(c.Get(3), at(10)) // order (front to back): 3 5 4
	c.Add(6, "", at(4))       // out of order: 6 3 5 4
	c.Expire(at(5))           // 4 and 5 expire; 3 (stamp 10) stops it
	if got := sortedKeys(c); !slices.Equal(got, []int{3, 6}) {
		t.Fatalf("keys %v, want [3 6]", got)
	}
	c.Expire(at(9)) // back is 3 (stamp 10): 6 lingers
	if got := sortedKeys(c); !slices.Equal(got, []int{3, 6}) {
		t.Fatalf("keys %v, want [3 6] (6 lingers behind 3)", got)
	}
	c.Expire(at(10))
	if c.Len() != 0 {
		t.Fatalf("Len %d, want 0", c.Len())
	}
}
