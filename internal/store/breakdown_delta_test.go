package store

import (
	"math/rand/v2"
	"testing"
)

// countDelta works the difference out once per scope when the scopes
// are the same: it must give exactly what taking every key of the old
// fact away and adding every key of the new one gives, whatever changed
// (codes, themes, their passages, stages, community, month, equality answers, the
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
	passages := func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = 1 + rng.IntN(3)
		}
		return out
	}
	fact := func() countFact {
		f := countFact{Month: one("2026-01", "2026-02"), Community: one("", "south-asian", "polish"), Source: one("online", "event"),
			Lang: one("en", "pl"), Event: one("", "ev1"), Codes: pick([]string{"a", "b", "c", "d", "e"}, 5),
			Themes: pick([]string{"t1", "t2", "t3"}, 3), Stages: pick([]string{"screening", "treatment", "diagnosis"}, 3)}
		f.FromEvent = f.Event != "" && rng.IntN(2) == 0
		f.CodePassages, f.ThemePassages = passages(len(f.Codes)), passages(len(f.Themes))
		if rng.IntN(2) == 0 {
			f.Equality = []string{one("", "asian"), "", one("", "female"), "", "", one("", "urdu")}
		}
		return f
	}
	naive := func(old countFact, had bool, now countFact, ok bool) map[countKey]tally {
		d := map[countKey]tally{}
		if had {
			for _, r := range old.keys() {
				d[r.key] = d[r.key].add(-1, -r.passages)
			}
		}
		if ok {
			for _, r := range now.keys() {
				d[r.key] = d[r.key].add(1, r.passages)
			}
		}
		return d
	}
	nonZero := func(d map[countKey]tally) map[countKey]tally {
		out := map[countKey]tally{}
		for k, v := range d {
			if v != (tally{}) {
				out[k] = v
			}
		}
		return out
	}
	sameScopes := 0
	for i := range 3000 {
		old, now := fact(), fact()
		if i%2 == 0 { // a coding added or removed: only the codes and themes (and their passages) differ
			now = old
			now.Codes, now.Themes = pick([]string{"a", "b", "c", "d", "e"}, 5), pick([]string{"t1", "t2", "t3"}, 3)
			now.CodePassages, now.ThemePassages = passages(len(now.Codes)), passages(len(now.Themes))
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
				t.Fatalf("case %d: count %+v changes by %+v, want %+v", i, k, got[k], v)
			}
		}
	}
	if sameScopes < 1000 {
		t.Fatalf("only %d cases with the same scopes: the shortcut was hardly tried", sameScopes)
	}
}
