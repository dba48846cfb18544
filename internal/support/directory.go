package support

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// SearchText is what the free-text search looks in: the name, the
// organisation, the English summary and the summaries in other languages
// (in the order of their language codes), lower-cased, separated by a
// control character a search can never contain. The store keeps it in a
// column for the SQL search; a Directory computes the same text.
func SearchText(sv Service) string {
	parts := []string{sv.Name, sv.Organisation, sv.Summary}
	keys := make([]string, 0, len(sv.Summaries))
	for k := range sv.Summaries {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		parts = append(parts, sv.Summaries[k])
	}
	return strings.ToLower(strings.Join(parts, " \u0001 "))
}

// Directory is an immutable copy of the whole directory, searched in
// memory: the public search and the support offers read it instead of
// the database. It gives the same results, in the same order, as the
// store's SearchSupport and SupportOffer (a test checks this on both
// databases). Build one with NewDirectory and never change it; replace
// it with a new one when the directory changes.
type Directory struct {
	version  string
	loadedAt time.Time
	entries  []dirEntry // by name, then id (byte order)
	langs    []string   // every language some service gives support in, sorted
}

type dirEntry struct {
	sv   Service
	text string // SearchText(sv)
}

// NewDirectory builds a Directory from every service of the directory.
// version identifies the state of the database it was read from (see
// store.SupportVersion). The services are not copied: the caller must
// not change them afterwards.
func NewDirectory(svs []Service, version string, loadedAt time.Time) *Directory {
	d := &Directory{version: version, loadedAt: loadedAt, entries: make([]dirEntry, len(svs))}
	for i, sv := range svs {
		d.entries[i] = dirEntry{sv: sv, text: SearchText(sv)}
		for _, l := range sv.Languages {
			if !slices.Contains(d.langs, l) {
				d.langs = append(d.langs, l)
			}
		}
	}
	slices.SortFunc(d.entries, func(a, b dirEntry) int {
		return cmp.Or(strings.Compare(a.sv.Name, b.sv.Name), strings.Compare(a.sv.ID, b.sv.ID))
	})
	slices.Sort(d.langs)
	return d
}

// Version is the database state the directory was read from.
func (d *Directory) Version() string { return d.version }

// LoadedAt is when the directory was read.
func (d *Directory) LoadedAt() time.Time { return d.loadedAt }

// Len is how many services the directory has.
func (d *Directory) Len() int { return len(d.entries) }

// Languages lists the language codes some service gives support in,
// sorted. The slice is shared: do not change it.
func (d *Directory) Languages() []string { return d.langs }

// matches reports whether a service passes every filter of f; text is
// the lower-cased, trimmed free text.
func (e *dirEntry) matches(f *Filter, text string) bool {
	sv := &e.sv
	if f.Need != "" && !slices.Contains(sv.Needs, f.Need) {
		return false
	}
	if f.Language != "" && !slices.Contains(sv.Languages, f.Language) {
		return false
	}
	if f.Community != "" && !slices.Contains(sv.Communities, f.Community) {
		return false
	}
	// A service that names no stage is for every stage.
	if f.Stage != "" && len(sv.Stages) > 0 && !slices.Contains(sv.Stages, f.Stage) {
		return false
	}
	if f.Area != "" && sv.Area != f.Area {
		return false
	}
	if text != "" && !strings.Contains(e.text, text) {
		return false
	}
	if !f.UncheckedBefore.IsZero() && !sv.CheckedAt.IsZero() && !sv.CheckedAt.Before(f.UncheckedBefore) {
		return false
	}
	return true
}

// Search returns a page of the services matching f (Limit 20 when not
// set), by name, and how many match in all. The services returned are
// copies of the directory's; their slices and maps are shared and must
// not be changed.
func (d *Directory) Search(f Filter) ([]Service, int) {
	if f.Limit <= 0 {
		f.Limit = 20
	}
	f.Offset = max(f.Offset, 0)
	text := strings.ToLower(strings.TrimSpace(f.Text))
	var out []Service
	total := 0
	for i := range d.entries {
		e := &d.entries[i]
		if !e.matches(&f, text) {
			continue
		}
		if total >= f.Offset && len(out) < f.Limit {
			if out == nil {
				out = make([]Service, 0, f.Limit)
			}
			out = append(out, e.sv)
		}
		total++
	}
	return out, total
}

// Offer picks limit services (5 when not set) to offer someone: those
// giving support in their language first, then those meeting one of
// their needs or their pathway stage, with national services as the
// fallback; a service only for other stages comes after the rest. Ties
// go by name, then id.
func (d *Directory) Offer(lang string, needs []string, stage string, limit int) []Service {
	if limit <= 0 {
		limit = 5
	}
	type scored struct {
		score int
		e     *dirEntry
	}
	// The best limit so far, best first; a service enters only if it
	// beats the last (entries are visited by name, so an equal score
	// never beats an earlier one).
	best := make([]scored, 0, limit+1)
	for i := range d.entries {
		e := &d.entries[i]
		sv := &e.sv
		score := 0
		if lang != "" && slices.Contains(sv.Languages, lang) {
			score += 8
		}
		for _, n := range needs {
			if n != "" && slices.Contains(sv.Needs, n) {
				score += 4
				break
			}
		}
		switch {
		case len(sv.Stages) == 0:
		case stage != "" && slices.Contains(sv.Stages, stage):
			score += 2
		default:
			score -= 16
		}
		if sv.Area == "national" {
			score++
		}
		if len(best) == limit && score <= best[len(best)-1].score {
			continue
		}
		at := len(best)
		for at > 0 && best[at-1].score < score {
			at--
		}
		best = slices.Insert(best, at, scored{score, e})
		if len(best) > limit {
			best = best[:limit]
		}
	}
	out := make([]Service, len(best))
	for i, b := range best {
		out[i] = b.e.sv
	}
	return out
}
