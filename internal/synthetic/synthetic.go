// Package synthetic makes invented programmes for measuring hearme at
// scale (issue 12: breakdowns and search over 1,000,000 experiences with
// 3,000,000 codings). Nothing here is about a real person: the stories
// are assembled from per-language phrase banks, and the seeder marks
// every row it writes as synthetic (store.LoadSynthetic), refusing a
// database that holds real experiences or events.
//
// The phrase banks are the sentences of the demo's invented experiences
// (internal/demo/experiences.json: six languages, the non-English ones
// awaiting review by a native speaker, as there), each carrying the
// codes the demo's coding gave its experience, so that a synthetic
// story's codes match its words as a coder's would; plus connecting
// phrases with the time and place details that make stories differ.
package synthetic

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/programme"
	"github.com/hearme-project/hearme/internal/store"
)

// Options say how big and how spread a synthetic programme is.
type Options struct {
	Experiences int       // how many experiences
	Codings     float64   // codings per experience on average (3 for 3,000,000 over 1,000,000)
	Events      int       // how many events experiences were heard at
	From, To    time.Time // when they were shared
	Seed        uint64    // the same seed makes the same programme
}

// sentence is one phrase of a bank with the codes its story had.
type sentence struct {
	text  string
	codes []string // code ids
}

// bank is one language's phrases.
type bank struct {
	what, better, well []sentence
}

// Generator makes a programme's experiences one at a time.
type Generator struct {
	opt         Options
	rng         *rand.Rand
	banks       map[string]*bank
	langs       []weighted
	communities []weighted
	stages      []string
	sources     []weighted
	codes       []string // active codes, to fill a story up to its number of codings
	ethnic      []string
	ages        []string
	sexes       []string
	disability  []string
	religion    []string
	mainLang    []string
	events      []store.SyntheticEvent
	byComm      map[string][]int // community -> events of it
	n           int
	span        time.Duration
}

type weighted struct {
	v string
	w float64
}

func pick(r *rand.Rand, ws []weighted) string {
	t := 0.0
	for _, w := range ws {
		t += w.w
	}
	x := r.Float64() * t
	for _, w := range ws {
		if x < w.w {
			return w.v
		}
		x -= w.w
	}
	return ws[len(ws)-1].v
}

// New makes a generator for the programme's configuration (its
// languages, communities and pathway stages) and codebook.
func New(opt Options, prog programme.Config, codes []analysis.Code) (*Generator, error) {
	if opt.Experiences < 1 {
		return nil, fmt.Errorf("synthetic: at least one experience")
	}
	if opt.Codings <= 0 {
		opt.Codings = 3
	}
	if !opt.To.After(opt.From) {
		return nil, fmt.Errorf("synthetic: the period must end after it starts")
	}
	g := &Generator{opt: opt, rng: rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15)), banks: map[string]*bank{},
		byComm: map[string][]int{}, span: opt.To.Sub(opt.From)}
	demoCodes := map[string]string{} // demo slug -> code id in this codebook
	active := map[string]bool{}
	for _, c := range codes {
		if !c.Archived && c.MergedInto == "" {
			g.codes = append(g.codes, c.ID)
			active[c.ID] = true
		}
	}
	if len(g.codes) == 0 {
		return nil, fmt.Errorf("synthetic: the codebook has no code to code with")
	}
	exps, err := demo.Experiences()
	if err != nil {
		return nil, err
	}
	for _, e := range exps {
		var ids []string
		for _, slug := range e.Codes {
			id, ok := demoCodes[slug]
			if !ok {
				id = demo.CodeID(slug)
				demoCodes[slug] = id
			}
			if active[id] {
				ids = append(ids, id)
			}
		}
		b := g.banks[e.Lang]
		if b == nil {
			b = &bank{}
			g.banks[e.Lang] = b
		}
		b.what = append(b.what, split(e.WhatHappened, ids)...)
		b.better = append(b.better, split(e.CouldBeBetter, ids)...)
		b.well = append(b.well, split(e.WentWell, ids)...)
	}
	// Languages: the programme's, English most often, then as a Luton
	// programme might hear them.
	share := map[string]float64{"en": 45, "pl": 18, "ur": 12, "bn": 10, "ro": 10, "so": 5}
	for _, l := range prog.Languages {
		if g.banks[l.Code] == nil {
			continue // no phrases in that language
		}
		w := share[l.Code]
		if w == 0 {
			w = 3
		}
		g.langs = append(g.langs, weighted{l.Code, w})
	}
	if len(g.langs) == 0 {
		g.langs = []weighted{{"en", 1}}
	}
	for i, c := range prog.Communities {
		g.communities = append(g.communities, weighted{c.Slug, float64(len(prog.Communities) - i + 2)})
	}
	for _, s := range prog.Stages {
		g.stages = append(g.stages, s.Slug)
	}
	if len(g.communities) == 0 || len(g.stages) == 0 {
		return nil, fmt.Errorf("synthetic: the programme needs communities and pathway stages (hearme demo load)")
	}
	g.sources = []weighted{{string(experience.SourceOnline), 45}, {string(experience.SourceEvent), 25}, {string(experience.SourcePhone), 10},
		{string(experience.SourcePaper), 8}, {string(experience.SourceChampion), 12}}
	codesOf := func(os []equality.Option) []string {
		var out []string
		for _, o := range os {
			out = append(out, o.Code)
		}
		return out
	}
	g.ethnic, g.ages, g.sexes = codesOf(equality.EthnicOptions()), codesOf(equality.AgeBandOptions()), codesOf(equality.SexOptions())
	g.disability, g.religion = codesOf(equality.DisabilityOptions()), codesOf(equality.ReligionOptions())
	var choices []equality.Choice
	for _, l := range prog.Languages {
		choices = append(choices, equality.Choice{Code: l.Code, Label: l.NativeName})
	}
	g.mainLang = codesOf(equality.LanguageOptions(choices))
	for i := range max(opt.Events, 1) {
		comm := ""
		if i%4 != 0 {
			comm = pick(g.rng, g.communities)
		}
		at := opt.From.Add(time.Duration(g.rng.Int64N(int64(g.span))))
		g.events = append(g.events, store.SyntheticEvent{ID: store.NewID(), Community: comm, Start: at.Truncate(time.Hour)})
		g.byComm[comm] = append(g.byComm[comm], i)
	}
	return g, nil
}

// split cuts a text into its sentences.
func split(text string, codes []string) []sentence {
	rs := []rune(text)
	var out []sentence
	for _, sp := range analysis.Sentences(text) {
		if t := strings.TrimSpace(string(rs[sp.Start:sp.End])); t != "" {
			out = append(out, sentence{t, codes})
		}
	}
	return out
}

// Events are the synthetic events, to be written before the experiences.
func (g *Generator) Events() []store.SyntheticEvent { return g.events }

// Next makes the next experience, or false after the last. Experiences
// come in the order they were shared.
func (g *Generator) Next() (store.SyntheticExperience, bool) {
	if g.n >= g.opt.Experiences {
		return store.SyntheticExperience{}, false
	}
	r := g.rng
	i := g.n
	g.n++
	e := store.SyntheticExperience{ID: store.NewID()}
	e.CreatedAt = g.opt.From.Add(time.Duration(float64(g.span) * (float64(i) + r.Float64()) / float64(g.opt.Experiences))).UTC()
	e.Lang = pick(r, g.langs)
	e.Source = pick(r, g.sources)
	e.Role = string(experience.Roles[r.IntN(len(experience.Roles))])
	b := g.banks[e.Lang]
	// The story: 2 to 6 sentences, mostly about one or two themes.
	var codes []string
	var what []string
	for range 2 + r.IntN(5) {
		s := b.what[r.IntN(len(b.what))]
		what = append(what, s.text)
		if len(s.codes) > 0 && r.IntN(3) > 0 {
			codes = addOnce(codes, s.codes[r.IntN(len(s.codes))])
		}
	}
	if e.Lang == "en" {
		what = append([]string{details[r.IntN(len(details))]}, what...)
	}
	e.WhatHappened = strings.Join(what, " ")
	if len(b.better) > 0 && r.IntN(3) > 0 {
		e.CouldBeBetter = b.better[r.IntN(len(b.better))].text
	}
	if len(b.well) > 0 && r.IntN(2) == 0 {
		e.WentWell = b.well[r.IntN(len(b.well))].text
	}
	// Its codings: as many as the average asks (Poisson-like around it).
	want := int(g.opt.Codings)
	if r.Float64() < g.opt.Codings-float64(want) {
		want++
	}
	want += r.IntN(3) - 1
	want = max(want, 0)
	for len(codes) > want {
		codes = codes[:len(codes)-1]
	}
	for len(codes) < want && len(codes) < len(g.codes) {
		codes = addOnce(codes, g.codes[r.IntN(len(g.codes))])
	}
	e.Codes = codes
	e.Stages = []string{g.stages[r.IntN(len(g.stages))]}
	if r.IntN(4) == 0 {
		e.Stages = addOnce(e.Stages, g.stages[r.IntN(len(g.stages))])
	}
	// Equality answers: most people answer the community question; some
	// leave it to the event they came to.
	e.Equality = map[string]string{}
	comm := pick(r, g.communities)
	if e.Source == string(experience.SourceEvent) {
		evs := g.byComm[comm]
		if len(evs) == 0 {
			evs = g.byComm[""]
		}
		if len(evs) > 0 {
			e.EventID = g.events[evs[r.IntN(len(evs))]].ID
		}
		if r.IntN(3) == 0 {
			comm = "" // taken from the event
		}
	}
	if comm != "" {
		e.Equality["community"] = comm
	}
	if r.IntN(10) < 7 {
		e.Equality["ethnic_group"] = g.ethnic[r.IntN(len(g.ethnic))]
		e.Equality["age_band"] = g.ages[r.IntN(len(g.ages))]
		e.Equality["sex"] = g.sexes[r.IntN(len(g.sexes))]
		e.Equality["disability"] = g.disability[r.IntN(len(g.disability))]
		e.Equality["religion"] = g.religion[r.IntN(len(g.religion))]
		e.Equality["main_language"] = g.mainLang[r.IntN(len(g.mainLang))]
	}
	e.Quote = r.IntN(3) > 0
	// Analysts mark a few passages as quotes: one story in twenty here.
	e.Quoted = e.Quote && len(e.Codes) > 0 && r.IntN(20) == 0
	return e, true
}

func addOnce(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// details open English stories with when and where (invented).
var details = func() []string {
	var out []string
	for _, when := range []string{"Last spring", "In March", "Two years ago", "Over the winter", "In the summer holidays", "Just before Christmas", "After my birthday", "Early last year"} {
		for _, where := range []string{"at the surgery on Dunstable Road", "at the hospital", "at the walk-in centre", "at the screening van by the mosque", "at the community centre", "on the phone to the practice", "at the pharmacy", "at the breast clinic"} {
			out = append(out, when+" "+where+" things started to go wrong for us.")
		}
	}
	return out
}()

// Sentences are the phrase bank's sentences in a language (for making
// queries that find something, as a person's would).
func Sentences(lang string) ([]string, error) {
	exps, err := demo.Experiences()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range exps {
		if e.Lang != lang {
			continue
		}
		for _, t := range []string{e.WhatHappened, e.WentWell, e.CouldBeBetter} {
			for _, s := range split(t, nil) {
				out = append(out, s.text)
			}
		}
	}
	return out, nil
}
