package analysis

import (
	"math"
	"sort"
)

// Unit is one sentence of a double-coded experience, with the codes each
// of the two coders applied to it (a coding applies to every sentence its
// passage overlaps).
type Unit struct {
	A, B map[string]bool
}

// CodeAgreement is the agreement of two coders on one code.
type CodeAgreement struct {
	Code     string
	Units    int     // sentences counted
	Both     int     // both applied the code
	OnlyA    int     // only the first coder
	OnlyB    int     // only the second coder
	Observed float64 // share of sentences where they agreed
	Kappa    float64 // Cohen's kappa; NaN where it is undefined
}

// Defined reports whether kappa could be computed (it cannot when both
// coders used the code on every sentence, or on none: chance agreement
// is then 1).
func (c CodeAgreement) Defined() bool { return !math.IsNaN(c.Kappa) }

// Agreement is kappa per code and pooled over the codes.
type Agreement struct {
	Units  int
	Codes  []CodeAgreement
	Pooled float64 // pooled kappa (De Vries et al., 2008): the codes' tables summed
}

// UnitsFromPassages turns two coders' codings of one answer into
// sentence units. Only sentences that at least one coder coded with
// anything are counted: the sentences nobody coded would otherwise make
// every code look agreed upon.
func UnitsFromPassages(text string, field string, a, b map[string][]Passage) []Unit {
	sentences := Sentences(text)
	n := len([]rune(text))
	var units []Unit
	for _, s := range sentences {
		sp := Passage{Field: field, Start: s.Start, End: s.End}
		u := Unit{A: map[string]bool{}, B: map[string]bool{}}
		mark := func(dst map[string]bool, codings map[string][]Passage) {
			for code, ps := range codings {
				for _, p := range ps {
					if p.Field == field && p.Overlaps(sp, n) {
						dst[code] = true
						break
					}
				}
			}
		}
		mark(u.A, a)
		mark(u.B, b)
		if len(u.A) > 0 || len(u.B) > 0 {
			units = append(units, u)
		}
	}
	return units
}

// Kappa computes Cohen's kappa for each code used by either coder:
// kappa = (po − pe) / (1 − pe), where po is the observed agreement and pe
// the agreement expected by chance from each coder's own rate of use.
func Kappa(units []Unit) Agreement {
	codes := map[string]bool{}
	for _, u := range units {
		for c := range u.A {
			codes[c] = true
		}
		for c := range u.B {
			codes[c] = true
		}
	}
	names := make([]string, 0, len(codes))
	for c := range codes {
		names = append(names, c)
	}
	sort.Strings(names)
	out := Agreement{Units: len(units)}
	var sumBoth, sumA, sumB, sumNeither int
	for _, c := range names {
		ca := CodeAgreement{Code: c, Units: len(units)}
		for _, u := range units {
			switch a, b := u.A[c], u.B[c]; {
			case a && b:
				ca.Both++
			case a:
				ca.OnlyA++
			case b:
				ca.OnlyB++
			}
		}
		neither := ca.Units - ca.Both - ca.OnlyA - ca.OnlyB
		ca.Observed, ca.Kappa = kappa(ca.Both, ca.OnlyA, ca.OnlyB, neither)
		sumBoth += ca.Both
		sumA += ca.OnlyA
		sumB += ca.OnlyB
		sumNeither += neither
		out.Codes = append(out.Codes, ca)
	}
	_, out.Pooled = kappa(sumBoth, sumA, sumB, sumNeither)
	return out
}

func kappa(both, onlyA, onlyB, neither int) (observed, k float64) {
	n := float64(both + onlyA + onlyB + neither)
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	po := float64(both+neither) / n
	aYes := float64(both+onlyA) / n
	bYes := float64(both+onlyB) / n
	pe := aYes*bYes + (1-aYes)*(1-bYes)
	if pe >= 1 {
		return po, math.NaN()
	}
	return po, (po - pe) / (1 - pe)
}
