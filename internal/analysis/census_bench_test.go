package analysis

import (
	"fmt"
	"testing"
)

// benchFacts are n experiences over 5 communities, each with 3 of 14
// themes (the demo codebook's count), as the breakdown page reads them.
func benchFacts(n int) ([]Fact, []string) {
	themes := make([]string, 14)
	for i := range themes {
		themes[i] = fmt.Sprintf("theme-%02d", i)
	}
	communities := []string{"south-asian", "black-african", "black-caribbean", "eastern-european", "another-community"}
	facts := make([]Fact, n)
	for i := range facts {
		facts[i] = Fact{Community: communities[i%len(communities)], Themes: []string{themes[i%14], themes[(i/14)%14], themes[(i*7+3)%14]}}
	}
	return facts, themes
}

// The census comparison and the co-occurrence of themes over 10,000
// experiences: what each breakdown request adds to reading the facts.
func BenchmarkCompareCensus10000(b *testing.B) {
	facts, _ := benchFacts(10000)
	groups := []PopulationGroup{{Key: "asian", Population: 83343, Match: []string{"south-asian"}},
		{Key: "black", Population: 22741, Match: []string{"black-african", "black-caribbean"}}, {Key: "white", Population: 101790}, {Key: "other", Population: 17419}}
	for b.Loop() {
		CompareCensus(facts, DimCommunity, groups, 225293).Publish()
	}
}

func BenchmarkCoOccurrence10000(b *testing.B) {
	facts, themes := benchFacts(10000)
	for b.Loop() {
		CoOccurrence(facts, DimTheme, themes)
	}
}
