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
	services []Service   // by name, then id (byte order)
	meta     []entryMeta // services[i]'s codes as bits, compact for scanning
	langs    []string    // every language some service gives support in, sorted
	kinds    [numKinds]codeIndex
	areas    map[string]int32 // area code -> number (from 1)
	// texts is every service's SearchText, in order, each followed by a
	// NUL (which no search text holds), so a free-text search is one pass
	// of strings.Index over it; starts[i] is where service i's text begins.
	texts  string
	starts []int
}

// The kinds of codes a filter matches, as bits.
const (
	kindNeed = iota
	kindLanguage
	kindCommunity
	kindStage
	numKinds
)

// codeIndex gives each code of a kind a bit, for the first 64 codes;
// services with others are matched by comparing strings (overflow).
type codeIndex struct {
	bit      map[string]uint64
	overflow bool
}

func (c *codeIndex) mask(codes []string) uint64 {
	var m uint64
	for _, code := range codes {
		b, ok := c.bit[code]
		if !ok && len(c.bit) < 64 {
			b = 1 << len(c.bit)
			c.bit[code] = b
			ok = true
		}
		if ok {
			m |= b
		} else {
			c.overflow = true
		}
	}
	return m
}

type entryMeta struct {
	masks     [numKinds]uint64
	none      uint8 // bit k set: the service has no code of kind k
	area      int32
	checkedAt int64 // Unix ns, 0 when never checked
}

func codesOf(sv *Service, kind int) []string {
	switch kind {
	case kindNeed:
		return sv.Needs
	case kindLanguage:
		return sv.Languages
	case kindCommunity:
		return sv.Communities
	default:
		return sv.Stages
	}
}

// NewDirectory builds a Directory from every service of the directory.
// version identifies the state of the database it was read from (see
// store.SupportVersion). The services are not copied: the caller must
// not change them afterwards.
func NewDirectory(svs []Service, version string, loadedAt time.Time) *Directory {
	d := &Directory{version: version, loadedAt: loadedAt, services: slices.Clone(svs), meta: make([]entryMeta, len(svs)),
		starts: make([]int, 0, len(svs)+1), areas: map[string]int32{}}
	for k := range d.kinds {
		d.kinds[k].bit = map[string]uint64{}
	}
	slices.SortFunc(d.services, func(a, b Service) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	var texts strings.Builder
	for i := range d.services {
		sv := &d.services[i]
		m := &d.meta[i]
		for k := range numKinds {
			codes := codesOf(sv, k)
			m.masks[k] = d.kinds[k].mask(codes)
			if len(codes) == 0 {
				m.none |= 1 << k
			}
		}
		a, ok := d.areas[sv.Area]
		if !ok {
			a = int32(len(d.areas) + 1)
			d.areas[sv.Area] = a
		}
		m.area = a
		if !sv.CheckedAt.IsZero() {
			m.checkedAt = sv.CheckedAt.UnixNano()
		}
		for _, l := range sv.Languages {
			if !slices.Contains(d.langs, l) {
				d.langs = append(d.langs, l)
			}
		}
		d.starts = append(d.starts, texts.Len())
		texts.WriteString(SearchText(*sv))
		texts.WriteByte(0)
	}
	d.starts = append(d.starts, texts.Len())
	d.texts = texts.String()
	slices.Sort(d.langs)
	return d
}

// Version is the database state the directory was read from.
func (d *Directory) Version() string { return d.version }

// LoadedAt is when the directory was read.
func (d *Directory) LoadedAt() time.Time { return d.loadedAt }

// Len is how many services the directory has.
func (d *Directory) Len() int { return len(d.services) }

// Languages lists the language codes some service gives support in,
// sorted. The slice is shared: do not change it.
func (d *Directory) Languages() []string { return d.langs }

// codeTest is one filter on a kind of code, resolved once per search.
type codeTest struct {
	kind int
	code string
	bit  uint64 // 0 when the code has no bit
	slow bool   // the code has no bit but some service may have it
	// orNone: a service with no code of this kind passes (stages).
	orNone bool
}

func (d *Directory) codeTest(kind int, code string, orNone bool) codeTest {
	t := codeTest{kind: kind, code: code, orNone: orNone}
	t.bit = d.kinds[kind].bit[code]
	t.slow = t.bit == 0 && d.kinds[kind].overflow
	return t
}

func (d *Directory) pass(t *codeTest, i int) bool {
	m := &d.meta[i]
	if m.masks[t.kind]&t.bit != 0 || t.orNone && m.none&(1<<t.kind) != 0 {
		return true
	}
	return t.slow && slices.Contains(codesOf(&d.services[i], t.kind), t.code)
}

// search is a Search under way.
type search struct {
	d         *Directory
	tests     []codeTest
	area      int32 // 0: any area
	unchecked int64 // Unix ns; 0: no such filter
	offset    int
	limit     int
	out       []Service
	total     int
}

func (q *search) visit(i int) {
	d := q.d
	m := &d.meta[i]
	if q.area != 0 && m.area != q.area {
		return
	}
	for j := range q.tests {
		if !d.pass(&q.tests[j], i) {
			return
		}
	}
	if q.unchecked != 0 && m.checkedAt != 0 && m.checkedAt >= q.unchecked {
		return
	}
	if q.total >= q.offset && len(q.out) < q.limit {
		if q.out == nil {
			q.out = make([]Service, 0, q.limit)
		}
		q.out = append(q.out, d.services[i])
	}
	q.total++
}

// Search returns a page of the services matching f (Limit 20 when not
// set), by name, and how many match in all. The services returned are
// copies of the directory's; their slices and maps are shared and must
// not be changed.
func (d *Directory) Search(f Filter) ([]Service, int) {
	q := search{d: d, limit: f.Limit, offset: max(f.Offset, 0)}
	if q.limit <= 0 {
		q.limit = 20
	}
	for _, c := range []struct {
		kind   int
		code   string
		orNone bool
	}{{kindNeed, f.Need, false}, {kindLanguage, f.Language, false}, {kindCommunity, f.Community, false}, {kindStage, f.Stage, true}} {
		if c.code != "" {
			q.tests = append(q.tests, d.codeTest(c.kind, c.code, c.orNone))
		}
	}
	if f.Area != "" {
		a, ok := d.areas[f.Area]
		if !ok {
			return nil, 0
		}
		q.area = a
	}
	if !f.UncheckedBefore.IsZero() {
		q.unchecked = f.UncheckedBefore.UnixNano()
	}
	text := strings.ToLower(strings.TrimSpace(f.Text))
	switch {
	case text == "":
		for i := range d.meta {
			q.visit(i)
		}
	case strings.IndexByte(text, 0) >= 0:
		// No service's text holds a NUL.
	default:
		// Each match in the joined texts falls in one service's text; go
		// on from the next service's.
		i := 0
		for at := 0; at < len(d.texts); {
			j := strings.Index(d.texts[at:], text)
			if j < 0 {
				break
			}
			for d.starts[i+1] <= at+j {
				i++
			}
			q.visit(i)
			i++
			at = d.starts[i]
		}
	}
	return q.out, q.total
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
		i     int
	}
	// The best limit so far, best first; a service enters only if it
	// beats the last (entries are visited by name, so an equal score
	// never beats an earlier one).
	best := make([]scored, 0, limit+1)
	langTest := d.codeTest(kindLanguage, lang, false)
	stageTest := d.codeTest(kindStage, stage, false)
	var needTests []codeTest
	for _, n := range needs {
		if n != "" {
			needTests = append(needTests, d.codeTest(kindNeed, n, false))
		}
	}
	national := d.areas["national"]
	for i := range d.services {
		m := &d.meta[i]
		score := 0
		if lang != "" && d.pass(&langTest, i) {
			score += 8
		}
		for j := range needTests {
			if d.pass(&needTests[j], i) {
				score += 4
				break
			}
		}
		switch {
		case m.none&(1<<kindStage) != 0:
		case stage != "" && d.pass(&stageTest, i):
			score += 2
		default:
			score -= 16
		}
		if national != 0 && m.area == national {
			score++
		}
		if len(best) == limit && score <= best[len(best)-1].score {
			continue
		}
		at := len(best)
		for at > 0 && best[at-1].score < score {
			at--
		}
		best = slices.Insert(best, at, scored{score, i})
		if len(best) > limit {
			best = best[:limit]
		}
	}
	out := make([]Service, len(best))
	for i, b := range best {
		out[i] = d.services[b.i]
	}
	return out
}
