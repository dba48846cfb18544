package demo

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/hearme-project/hearme/internal/analysis"
)

//go:embed codebook.json
var codebookJSON []byte

//go:embed experiences.json
var experiencesJSON []byte

// CodeID is the id of a demo code, derived from its slug so that demo
// experiences, tests and exports agree on it.
func CodeID(slug string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("hearme:demo-code:"+slug)).String()
}

// Codebook returns the Luton demo's starter codebook, parents first.
func Codebook() ([]analysis.Code, error) {
	var f struct {
		Codes []struct {
			Slug, Parent, Name, Colour, Definition, Example string
			WhenToUse                                       string `json:"when_to_use"`
			WhenNotToUse                                    string `json:"when_not_to_use"`
		} `json:"codes"`
	}
	if err := json.Unmarshal(codebookJSON, &f); err != nil {
		return nil, fmt.Errorf("demo codebook: %w", err)
	}
	var out []analysis.Code
	seen := map[string]bool{}
	for i, c := range f.Codes {
		if c.Parent != "" && !seen[c.Parent] {
			return nil, fmt.Errorf("demo codebook: %s names parent %s before it", c.Slug, c.Parent)
		}
		seen[c.Slug] = true
		code := analysis.Code{ID: CodeID(c.Slug), Name: c.Name, Colour: c.Colour, Definition: c.Definition,
			WhenToUse: c.WhenToUse, WhenNotToUse: c.WhenNotToUse, Example: c.Example, Position: i}
		if c.Parent != "" {
			code.ParentID = CodeID(c.Parent)
		}
		if ps := code.Validate(); len(ps) > 0 {
			return nil, fmt.Errorf("demo codebook: %s: %v", c.Slug, ps)
		}
		out = append(out, code)
	}
	return out, nil
}

// Experience is an invented demo experience, marked as demo wherever it
// is stored. Codes are the developers' coding (code ids), used by tests
// and to show coded evidence.
type Experience struct {
	Lang          string   `json:"lang"`
	Community     string   `json:"community"`
	Stages        []string `json:"stages"`
	Role          string   `json:"role"`
	Source        string   `json:"source"`
	Quote         bool     `json:"quote"`
	WhatHappened  string   `json:"what_happened"`
	WentWell      string   `json:"went_well"`
	CouldBeBetter string   `json:"could_be_better"`
	Codes         []string `json:"codes"`
}

// Experiences returns the demo experiences, checked against the demo
// programme and codebook.
func Experiences() ([]Experience, error) {
	var f struct {
		Experiences []Experience `json:"experiences"`
	}
	if err := json.Unmarshal(experiencesJSON, &f); err != nil {
		return nil, fmt.Errorf("demo experiences: %w", err)
	}
	cfg := Luton()
	var stages, communities, langs []string
	for _, s := range cfg.Stages {
		stages = append(stages, s.Slug)
	}
	for _, c := range cfg.Communities {
		communities = append(communities, c.Slug)
	}
	for _, l := range cfg.Languages {
		langs = append(langs, l.Code)
	}
	codes, err := Codebook()
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, c := range codes {
		known[c.ID] = true
	}
	for i := range f.Experiences {
		e := &f.Experiences[i]
		if !slices.Contains(langs, e.Lang) || !slices.Contains(communities, e.Community) || e.WhatHappened == "" {
			return nil, fmt.Errorf("demo experience %d: language, community or text", i+1)
		}
		for _, s := range e.Stages {
			if !slices.Contains(stages, s) {
				return nil, fmt.Errorf("demo experience %d: stage %q", i+1, s)
			}
		}
		for j, slug := range e.Codes {
			e.Codes[j] = CodeID(slug)
			if !known[e.Codes[j]] {
				return nil, fmt.Errorf("demo experience %d: code %q", i+1, slug)
			}
		}
	}
	return f.Experiences, nil
}
