package programme

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Census is the area's population as the census counted it, so that the
// analysts can compare who is heard with who lives there. Every figure is
// cited (table, release, where it was read): a programme carries only
// figures it can point to, never an estimate of its own.
type Census struct {
	Area   string        `json:"area"` // "Luton (E06000032)"
	Tables []CensusTable `json:"tables"`
}

// The measures a census table can count, and what an experience is
// matched on for each.
const (
	// CensusEthnicGroup (ONS TS021) is compared by community: each
	// category lists the programme's communities that belong to it.
	CensusEthnicGroup = "ethnic_group"
	// CensusMainLanguage (ONS TS024) is compared by the person's answer
	// to the main-language question: each category lists the answers
	// (a programme language code, or "another-language") that belong to it.
	CensusMainLanguage = "main_language"
)

// AnotherLanguage is the main-language answer "another language" (the
// equality package's code), which a language category may list.
const AnotherLanguage = "another-language"

// CensusTable is one census table for the area.
type CensusTable struct {
	Measure string `json:"measure"`
	Table   string `json:"table"`   // "TS021"
	Release string `json:"release"` // the census and the release the figures come from
	Source  string `json:"source"`  // where the figures were read (an address)
	Note    string `json:"note,omitempty"`
	// Total is the table's own total; the categories must add up to it.
	Total      int              `json:"total"`
	Categories []CensusCategory `json:"categories"`
}

// CensusCategory is one row of a census table.
type CensusCategory struct {
	Slug       string            `json:"slug"`
	Names      map[string]string `json:"names"`
	Population int               `json:"population"`
	// Match lists what an experience is counted in this category by:
	// community slugs for an ethnic-group table, main-language answers
	// for a main-language table. A category with none is shown but not
	// compared.
	Match []string `json:"match,omitempty"`
}

// Name returns the category's name in lang, or in English.
func (c CensusCategory) Name(lang string) string {
	if n := c.Names[lang]; n != "" {
		return n
	}
	return c.Names["en"]
}

// Table returns the census table of a measure, if the programme has one.
func (c *Census) Table(measure string) (CensusTable, bool) {
	if c == nil {
		return CensusTable{}, false
	}
	for _, t := range c.Tables {
		if t.Measure == measure {
			return t, true
		}
	}
	return CensusTable{}, false
}

// Sum is what the categories add up to.
func (t CensusTable) Sum() int {
	n := 0
	for _, c := range t.Categories {
		n += c.Population
	}
	return n
}

// validateCensus checks the census against the rest of the configuration:
// each table cited, its categories adding up to its total, and each
// category matched only to communities or languages the programme has.
func (c Config) validateCensus() []error {
	if c.Census == nil {
		return nil
	}
	var errs []error
	if strings.TrimSpace(c.Census.Area) == "" {
		errs = append(errs, errors.New("census: area is required (the place the figures describe)"))
	}
	communities := map[string]bool{}
	for _, it := range c.Communities {
		communities[it.Slug] = true
	}
	languages := map[string]bool{AnotherLanguage: true}
	for _, l := range c.Languages {
		languages[l.Code] = true
	}
	measures := map[string]bool{}
	for _, t := range c.Census.Tables {
		name := fmt.Sprintf("census table %q (%s)", t.Table, t.Measure)
		known := communities
		switch t.Measure {
		case CensusEthnicGroup:
		case CensusMainLanguage:
			known = languages
		default:
			errs = append(errs, fmt.Errorf("%s: measure must be %q or %q", name, CensusEthnicGroup, CensusMainLanguage))
			continue
		}
		if measures[t.Measure] {
			errs = append(errs, fmt.Errorf("%s: a second table for the same measure", name))
		}
		measures[t.Measure] = true
		for field, v := range map[string]string{"table": t.Table, "release": t.Release, "source": t.Source} {
			if strings.TrimSpace(v) == "" {
				errs = append(errs, fmt.Errorf("%s: %s is required, so that every figure is cited", name, field))
			}
		}
		if len(t.Categories) == 0 {
			errs = append(errs, fmt.Errorf("%s: no categories", name))
			continue
		}
		slugs := map[string]bool{}
		matched := map[string]string{}
		negative := false
		for _, cat := range t.Categories {
			if !slugRE.MatchString(cat.Slug) || slugs[cat.Slug] {
				errs = append(errs, fmt.Errorf("%s: category slug %q is invalid or repeated", name, cat.Slug))
			}
			slugs[cat.Slug] = true
			if cat.Names["en"] == "" {
				errs = append(errs, fmt.Errorf("%s: category %q needs an English name", name, cat.Slug))
			}
			if cat.Population < 0 {
				errs = append(errs, fmt.Errorf("%s: category %q has a negative population", name, cat.Slug))
				negative = true
			}
			for _, m := range cat.Match {
				switch {
				case !known[m]:
					what := "community"
					if t.Measure == CensusMainLanguage {
						what = "language"
					}
					errs = append(errs, fmt.Errorf("%s: category %q matches %q, which is not a %s of the programme", name, cat.Slug, m, what))
				case matched[m] != "":
					errs = append(errs, fmt.Errorf("%s: %q is matched to both %q and %q", name, m, matched[m], cat.Slug))
				default:
					matched[m] = cat.Slug
				}
			}
		}
		if t.Total <= 0 {
			errs = append(errs, fmt.Errorf("%s: total must be the table's total population", name))
		} else if sum := t.Sum(); !negative && sum != t.Total {
			errs = append(errs, fmt.Errorf("%s does not add up: its categories come to %d but its total is %d (a difference of %d); check each figure against the source, %s",
				name, sum, t.Total, sum-t.Total, t.Source))
		}
	}
	return errs
}

// Measures are the census measures the programme has, in order.
func (c *Census) Measures() []string {
	var out []string
	if c == nil {
		return out
	}
	for _, m := range []string{CensusEthnicGroup, CensusMainLanguage} {
		if _, ok := c.Table(m); ok {
			out = append(out, m)
		}
	}
	return slices.Clip(out)
}
