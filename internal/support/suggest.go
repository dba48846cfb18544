package support

import (
	"slices"
)

// Person is what is known about someone who has just shared, for the
// support suggested to them: the languages they use, main language
// first (their answer to "main language", then the language of the page),
// their community, their pathway stage and what they may need. Any of it
// may be unknown (empty).
type Person struct {
	Languages []string
	Community string
	Stage     string
	Needs     []string
}

// Suggestion is one service suggested to a person.
type Suggestion struct {
	Service
	Lang string // the person's language the service gives support in ("" for none of them)
}

// Suggestions is what Suggest found.
type Suggestions struct {
	Services []Suggestion
	// General says nothing matched the person's main language or their
	// community, so the services are general ones (national, for
	// everyone): the page says so rather than pass them off as a match.
	General bool
}

// Suggest picks up to limit services for a person, best first:
//
//   - a service for particular communities is not offered to someone who
//     said they belong to another (a Polish drop-in is not a South Asian
//     carer's);
//   - support in the person's main language counts most (16), so that a
//     Polish reader is offered what exists in Polish even when it was
//     written for another stage; support in the page's language counts 4;
//   - a service for the person's community counts 8, a need met 4, the
//     person's stage 2 (a service limited to other stages loses 6), and a
//     national service 1 (the fallback).
//
// When no service gives support in the person's main language or is for
// their community, only national services open to everyone are offered,
// and Suggestions.General says so.
func (d *Directory) Suggest(p Person, limit int) Suggestions {
	if limit <= 0 {
		limit = 4
	}
	main := ""
	if len(p.Languages) > 0 {
		main = p.Languages[0]
	}
	type scored struct {
		score, i int
		lang     string
		specific bool
	}
	var all []scored
	for i, sv := range d.services {
		if p.Community != "" && len(sv.Communities) > 0 && !slices.Contains(sv.Communities, p.Community) {
			continue
		}
		c := scored{i: i}
		for k, l := range p.Languages {
			if l != "" && sv.Offers(l) {
				c.lang = l
				if k == 0 {
					c.score += 16
					c.specific = true
				} else {
					c.score += 4
				}
				break
			}
		}
		if p.Community != "" && slices.Contains(sv.Communities, p.Community) {
			c.score += 8
			c.specific = true
		}
		for _, n := range p.Needs {
			if slices.Contains(sv.Needs, n) {
				c.score += 4
				break
			}
		}
		switch {
		case len(sv.Stages) == 0:
		case p.Stage != "" && slices.Contains(sv.Stages, p.Stage):
			c.score += 2
		default:
			c.score -= 6
		}
		if sv.Area == "national" {
			c.score++
		}
		all = append(all, c)
	}
	out := Suggestions{General: !slices.ContainsFunc(all, func(c scored) bool { return c.specific })}
	if out.General {
		all = slices.DeleteFunc(all, func(c scored) bool {
			sv := d.services[c.i]
			return sv.Area != "national" || len(sv.Communities) > 0
		})
	}
	// Stable: services of equal score stay in the directory's order (by
	// name, then id).
	slices.SortStableFunc(all, func(a, b scored) int { return b.score - a.score })
	for _, c := range all[:min(limit, len(all))] {
		out.Services = append(out.Services, Suggestion{Service: d.services[c.i], Lang: c.lang})
	}
	// What exists in the person's main language is offered even when the
	// other criteria ranked it lower.
	if main != "" && !slices.ContainsFunc(out.Services, func(s Suggestion) bool { return s.Lang == main }) {
		for _, c := range all {
			if c.lang == main {
				if len(out.Services) == limit {
					out.Services = out.Services[:limit-1]
				}
				out.Services = append(out.Services, Suggestion{Service: d.services[c.i], Lang: c.lang})
				break
			}
		}
	}
	return out
}
