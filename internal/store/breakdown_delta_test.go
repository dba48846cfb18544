package store

import (
	"math/rand/v2"
	"testing"
)

// countDelta works the difference out once per scope when the scopes
// are the same: it must give exactly what taking every key of the old
// fact away and adding every key of the new one gives, whatever changed
// (codes, themes, stages, community, month, equality answers, the
// experience counted or not).
func TestCountDeltaEqualsEveryKeyOutAndIn(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 11))
	pick := func(vals []string, most int) []string {
		var out []string
		for _, v := range vals {
			if len(out) < most && rng.IntN(2) == 0 {
				out = append(out, v)
			}
		}
		return out
	}
	one := func(vals ...string) string { return vals[rng.IntN(len(vals))] }
	fact := func() countFact {
		f := countFact{Month: one("2026-01", "2026-02"), Community: one("", "south-asian", "polish"), Source: one("online", "event"),
			Lang: one("en", "pl"), Event: one("", "ev1"), Codes: pick([]string{"a", "b", "c", "d", "e"}, 5),
			Themes: pick([]string{"t1", "t2", "t3"}, 3), Stages: pick([]string{"screening", "treatment", "diagnosis"}, 3)}
		f.FromEvent = f.Event != "" && rng.IntN(2) == 0
		if rng.IntN(2) == 0 {
			f.Equality = []string{one("", "asian"), "", one("", "female"), "", "", one("", "urdu")}
		}
		return f
	}
	naive := func(old countFact, had bool, now countFact, ok bool) map[countKey]int {
		d := map[countKey]int{}
		if had {
			for _, k := range old.keys() {
				d[k]--
			}
		}
		if ok {
			for _, k := range now.keys() {
				d[k]++
			}
		}
		return d
	}
	nonZero := func(d map[countKey]int) map[countKey]int {
		out := map[countKey]int{}
		for k, v := range d {
			if v != 0 {
				out[k] = v
			}
		}
		return out
	}
	sameScopes := 0
	for i := range 3000 {
		old, now := fact(), fact()
		if i%2 == 0 { // a coding added or removed: only the codes and themes differ
			now = old
			now.Codes, now.Themes = pick([]string{"a", "b", "c", "d", "e"}, 5), pick([]string{"t1", "t2", "t3"}, 3)
		}
		had, ok := i%7 != 3, i%11 != 5
		if had && ok && len(old.scopes()) == len(now.scopes()) && old.Community == now.Community {
			sameScopes++
		}
		got, want := nonZero(countDelta(old, had, now, ok)), nonZero(naive(old, had, now, ok))
		if len(got) != len(want) {
			t.Fatalf("case %d: %d counts change, want %d\nold %+v\nnow %+v", i, len(got), len(want), old, now)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("case %d: count %+v changes by %d, want %d", i, k, got[k], v)
			}
		}
	}
	if sameScopes < 1000 {
		t.Fatalf("only %d cases with the same scopes: the shortcut was hardly tried", sameScopes)
	}
}
