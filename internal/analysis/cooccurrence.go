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
	at := map[string]int{}
	for i, k := range keys {
		at[k] = i
	}
	with := make([]int, len(keys))
	both := make([][]int, len(keys))
	for i := range both {
		both[i] = make([]int, len(keys))
	}
	coded := 0
	var idx []int
	for _, f := range facts {
		vals := f.Values(d)
		if len(vals) > 0 {
			coded++
		}
		idx = idx[:0]
		for _, v := range vals {
			if i, ok := at[v]; ok && !slices.Contains(idx, i) {
				idx = append(idx, i)
			}
		}
		for x, i := range idx {
			with[i]++
			for _, j := range idx[x+1:] {
				both[min(i, j)][max(i, j)]++
			}
		}
	}
	var out []Pair
	n := float64(coded)
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if both[i][j] == 0 {
				continue
			}
			p := Pair{A: keys[i], B: keys[j], Both: both[i][j], WithA: with[i], WithB: with[j], Coded: coded}
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
