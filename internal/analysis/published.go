package analysis

import "github.com/hearme-project/hearme/internal/disclosure"

// ThemeTable is the themes by community as they may leave the analyst's
// screen: every cell through disclosure control as one table (so any two
// outputs made from it suppress the same cells, and none can be recovered
// by comparing them), and each theme's total (its experiences in any
// community or none) through the rule on its own.
type ThemeTable struct {
	Cells  [][]disclosure.Value // [theme][community]; nil when there is no community
	Totals []disclosure.Value   // [theme]
}

// PublishedThemes counts facts by theme x community and publishes them.
func PublishedThemes(facts []Fact, themes, communities []string) (ThemeTable, error) {
	totals := map[string]int{}
	for _, f := range facts {
		for _, t := range f.Themes {
			totals[t]++
		}
	}
	return publishThemes(Tabulate(facts, DimTheme, DimCommunity, themes, communities), totals, themes, communities)
}

// PublishedThemesCounts is PublishedThemes over kept counts of theme x
// community, with the themes' co-occurrence counts (each theme's
// experiences in any community or none).
func PublishedThemesCounts(c Counts, themes, communities []string) (ThemeTable, error) {
	return publishThemes(TabulateCounts(c, themes, communities), c.Pairs.With, themes, communities)
}

func publishThemes(b Breakdown, totals map[string]int, themes, communities []string) (ThemeTable, error) {
	var out ThemeTable
	for _, t := range themes {
		out.Totals = append(out.Totals, disclosure.Count(totals[t]))
	}
	if len(communities) == 0 {
		return out, nil
	}
	counts := make([][]int, len(themes))
	for i := range themes {
		for _, c := range b.Cells[i] {
			counts[i] = append(counts[i], c.Count)
		}
	}
	table, err := disclosure.NewTable(themes, communities, counts)
	if err != nil {
		return out, err
	}
	out.Cells = table.Cells
	return out, nil
}

// PublishedThemeStagesCounts is PublishedThemeStages over kept counts:
// byStage[stage][theme] is how many experiences name both.
func PublishedThemeStagesCounts(byStage map[string]map[string]int, themes, stages []string) ([][]disclosure.Value, error) {
	if len(stages) == 0 {
		return nil, nil
	}
	counts := make([][]int, len(themes))
	for i, t := range themes {
		counts[i] = make([]int, len(stages))
		for j, st := range stages {
			counts[i][j] = byStage[st][t]
		}
	}
	table, err := disclosure.NewTable(themes, stages, counts)
	if err != nil {
		return nil, err
	}
	return table.Cells, nil
}

// PublishedThemeStages counts facts by theme x pathway stage (a story
// with two stages counts under each) and publishes the cells as one
// table; nil when there is no stage.
func PublishedThemeStages(facts []Fact, themes, stages []string) ([][]disclosure.Value, error) {
	if len(stages) == 0 {
		return nil, nil
	}
	ti, si := map[string]int{}, map[string]int{}
	for i, t := range themes {
		ti[t] = i
	}
	for j, st := range stages {
		si[st] = j
	}
	counts := make([][]int, len(themes))
	for i := range counts {
		counts[i] = make([]int, len(stages))
	}
	for _, f := range facts {
		seen := map[[2]int]bool{}
		for _, t := range f.Themes {
			i, ok := ti[t]
			if !ok {
				continue
			}
			for _, st := range f.Stages {
				if j, ok := si[st]; ok && !seen[[2]int{i, j}] {
					seen[[2]int{i, j}] = true
					counts[i][j]++
				}
			}
		}
	}
	table, err := disclosure.NewTable(themes, stages, counts)
	if err != nil {
		return nil, err
	}
	return table.Cells, nil
}
