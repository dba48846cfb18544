package analysis

import (
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// Pair is how often two themes (or codes) are named in the same
// experience, against how often they would be if they had nothing to do
// with each other.
type Pair struct {
	A, B         string
	Both         int // experiences with both
	WithA, WithB int // experiences with A, with B
	Coded        int // experiences with any value of the dimension
	Expected     float64
	Tested       bool // false where an expected count of the 2 x 2 table is under 5
	P            float64
	Unusual      bool // p < 0.05
	Together     bool // more often together than by chance (when Unusual)
}

// CoOccurrence lists the pairs of keys that occur together in at least
// one experience, most often first (ties in the keys' order). Each pair
// is tested with a 2 x 2 chi-square (A or not, B or not, over the
// experiences with any value of d) where all four expected counts are at
// least 5.
func CoOccurrence(facts []Fact, d Dimension, keys []string) []Pair {
	return CoOccurrenceCounts(CountPairs(facts, d), keys)
}

// PairCounts are the counts co-occurrence is made from: the experiences
// with any value of a dimension (Coded), with each value (With), and
// with each pair of values (Both, keyed by the two values in byte
// order).
type PairCounts struct {
	Coded int
	With  map[string]int
	Both  map[[2]string]int
}

// PairKey is the key of two values in Both.
func PairKey(a, b string) [2]string {
	if b < a {
		a, b = b, a
	}
	return [2]string{a, b}
}

// CountPairs counts facts by d's values and pairs of values.
func CountPairs(facts []Fact, d Dimension) PairCounts {
	pc := PairCounts{With: map[string]int{}, Both: map[[2]string]int{}}
	var vals []string
	for _, f := range facts {
		vals = append(vals[:0], f.Values(d)...)
		slices.Sort(vals)
		vals = slices.Compact(vals)
		if len(vals) > 0 {
			pc.Coded++
		}
		for x, a := range vals {
			pc.With[a]++
			for _, b := range vals[x+1:] {
				pc.Both[[2]string{a, b}]++
			}
		}
	}
	return pc
}

// CoOccurrenceCounts is CoOccurrence over counts kept beforehand.
func CoOccurrenceCounts(pc PairCounts, keys []string) []Pair {
	var out []Pair
	n := float64(pc.Coded)
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			both := pc.Both[PairKey(keys[i], keys[j])]
			if both == 0 || keys[i] == keys[j] {
				continue
			}
			p := Pair{A: keys[i], B: keys[j], Both: both, WithA: pc.With[keys[i]], WithB: pc.With[keys[j]], Coded: pc.Coded}
			a, b := float64(p.WithA), float64(p.WithB)
			p.Expected = a * b / n
			observed := []float64{float64(p.Both), a - float64(p.Both), b - float64(p.Both), n - a - b + float64(p.Both)}
			expected := []float64{a * b / n, a * (n - b) / n, (n - a) * b / n, (n - a) * (n - b) / n}
			p.Tested = true
			x := 0.0
			for k := range expected {
				if expected[k] < MinExpected {
					p.Tested = false
					break
				}
				x += sq(observed[k]-expected[k]) / expected[k]
			}
			if p.Tested {
				p.P = distuv.ChiSquared{K: 1}.Survival(x)
				p.Unusual = p.P < 0.05
				p.Together = float64(p.Both) > p.Expected
			}
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(x, y Pair) int { return y.Both - x.Both })
	return out
}
