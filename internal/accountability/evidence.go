package accountability

import (
	"slices"

	"github.com/hearme-project/hearme/internal/analysis"
)

// Figure is one frozen figure: the experiences naming a theme (Community
// "") or naming it in one community, as disclosure control published it
// on the day ("*", "0", "10"). It is a string on purpose: the raw count
// is never kept.
type Figure struct {
	ThemeID, ThemeName, Community, Value string
}

// Quote is one frozen quote. Withdrawn quotes keep their place and lose
// their words.
type Quote struct {
	ThemeID, ThemeName, Lang, Words, Translation string
	Withdrawn                                    bool
}

// Evidence is what a published recommendation shows.
type Evidence struct {
	Figures []Figure
	Quotes  []Quote
}

// ThemeFigures is one theme's frozen figures, ready to show.
type ThemeFigures struct {
	ThemeID, ThemeName, Total string
	ByCommunity               []Figure // in the programme's order
}

// ByTheme groups the figures by theme, in the order they were frozen.
func (e Evidence) ByTheme() []ThemeFigures {
	var out []ThemeFigures
	for _, f := range e.Figures {
		i := slices.IndexFunc(out, func(t ThemeFigures) bool { return t.ThemeID == f.ThemeID })
		if i < 0 {
			out = append(out, ThemeFigures{ThemeID: f.ThemeID, ThemeName: f.ThemeName})
			i = len(out) - 1
		}
		if f.Community == "" {
			out[i].Total = f.Value
		} else {
			out[i].ByCommunity = append(out[i].ByCommunity, f)
		}
	}
	return out
}

// Freeze computes the figures of the chosen themes as the stakeholders'
// evidence page does: the table of every theme by every community goes
// through disclosure control as a whole (so its secondary suppression is
// the same as the one stakeholders see, and no cell can be recovered by
// comparing the two), each theme's total through the rule on its own. Only
// the published strings come out.
func Freeze(facts []analysis.Fact, allThemes, communities []string, chosen []string, name func(string) string) ([]Figure, error) {
	table, err := analysis.PublishedThemes(facts, allThemes, communities)
	if err != nil {
		return nil, err
	}
	var out []Figure
	for _, theme := range chosen {
		i := slices.Index(allThemes, theme)
		if i < 0 {
			continue
		}
		out = append(out, Figure{ThemeID: theme, ThemeName: name(theme), Value: table.Totals[i].String()})
		for j, c := range communities {
			out = append(out, Figure{ThemeID: theme, ThemeName: name(theme), Community: c, Value: table.Cells[i][j].String()})
		}
	}
	return out, nil
}
