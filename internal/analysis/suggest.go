package analysis

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// MinExamples is how many coded experiences a code needs before it is
// suggested: fewer, and a suggestion would only repeat one person's words.
const MinExamples = 3

// SuggestCount is how many codes are suggested at a time.
const SuggestCount = 3

// Example is one coded experience the model learns from: its text (the
// original and any translation) and the codes applied to it.
type Example struct {
	Text  string
	Codes []string
}

// Model is a multinomial naive Bayes classifier, one yes/no model per code
// (an experience can have several themes). It is small, explains itself
// (the words that pushed a code up) and retrains in well under a second
// on thousands of experiences, all in Go with no network.
type Model struct {
	Version string
	docs    int
	codes   map[string]*codeStats
	vocab   int
	all     map[string]int // token -> count over all documents
	total   int            // all tokens
}

type codeStats struct {
	docs   int
	tokens map[string]int // token -> count in documents with the code
	total  int
}

// Train builds a model from coded examples. Codes with fewer than
// MinExamples examples are left out.
func Train(examples []Example) *Model {
	m := &Model{codes: map[string]*codeStats{}, all: map[string]int{}}
	h := sha256.New()
	for _, ex := range examples {
		toks := Tokens(ex.Text)
		if len(toks) == 0 || len(ex.Codes) == 0 {
			continue
		}
		m.docs++
		for _, t := range toks {
			m.all[t]++
		}
		m.total += len(toks)
		seen := map[string]bool{}
		for _, c := range ex.Codes {
			if seen[c] {
				continue
			}
			seen[c] = true
			s := m.codes[c]
			if s == nil {
				s = &codeStats{tokens: map[string]int{}}
				m.codes[c] = s
			}
			s.docs++
			for _, t := range toks {
				s.tokens[t]++
			}
			s.total += len(toks)
		}
	}
	for c, s := range m.codes {
		if s.docs < MinExamples {
			delete(m.codes, c)
		}
	}
	m.vocab = len(m.all)
	// The version names what the model learned from, so an accepted or
	// rejected suggestion can be traced to the model that made it.
	names := make([]string, 0, len(m.codes))
	for c := range m.codes {
		names = append(names, c)
	}
	sort.Strings(names)
	fmt.Fprintf(h, "nb1:%d:%d", m.docs, m.total)
	for _, c := range names {
		fmt.Fprintf(h, ":%s=%d/%d", c, m.codes[c].docs, m.codes[c].total)
	}
	m.Version = "nb1-" + hex.EncodeToString(h.Sum(nil))[:12]
	return m
}

// Codes returns the codes the model can suggest, sorted.
func (m *Model) Codes() []string {
	out := make([]string, 0, len(m.codes))
	for c := range m.codes {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Examples is the number of coded experiences the model learned from.
func (m *Model) Examples() int { return m.docs }

// Suggestion is one suggested code with the words that drove it.
type Suggestion struct {
	Code  string
	Score float64  // log-odds that the code applies; higher is more likely
	Why   []string // up to five words of the text that pushed it up most
}

// Suggest returns up to n codes for a text, most likely first, leaving
// out the codes in exclude (already applied). Only codes whose evidence
// is for rather than against are suggested.
func (m *Model) Suggest(text string, n int, exclude []string) []Suggestion {
	if m == nil || m.docs == 0 {
		return nil
	}
	toks := Tokens(text)
	if len(toks) == 0 {
		return nil
	}
	counts := map[string]int{}
	for _, t := range toks {
		counts[t]++
	}
	v := float64(m.vocab + 1)
	var out []Suggestion
	for c, s := range m.codes {
		if slices.Contains(exclude, c) {
			continue
		}
		restDocs := m.docs - s.docs
		// Laplace-smoothed priors and likelihoods for "has the code" and
		// "does not".
		score := math.Log(float64(s.docs)+1) - math.Log(float64(restDocs)+1)
		restTotal := float64(m.total - s.total)
		type contrib struct {
			w string
			v float64
		}
		var cs []contrib
		for t, k := range counts {
			in := float64(s.tokens[t])
			out := float64(m.all[t]) - in
			if m.all[t] == 0 {
				continue // an unseen word says nothing either way
			}
			d := math.Log((in+1)/(float64(s.total)+v)) - math.Log((out+1)/(restTotal+v))
			score += float64(k) * d
			if d > 0 && !strings.HasSuffix(t, "~") {
				cs = append(cs, contrib{t, float64(k) * d})
			}
		}
		sort.Slice(cs, func(i, j int) bool {
			if cs[i].v != cs[j].v {
				return cs[i].v > cs[j].v
			}
			return cs[i].w < cs[j].w
		})
		why := make([]string, 0, 5)
		for _, c := range cs {
			if len(why) == 5 {
				break
			}
			why = append(why, c.w)
		}
		out = append(out, Suggestion{Code: c, Score: score, Why: why})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Code < out[j].Code
	})
	// A suggestion needs words in the text that speak for it; a code
	// carried by its prior alone is not worth a coder's attention.
	kept := out[:0]
	for _, s := range out {
		if len(s.Why) > 0 {
			kept = append(kept, s)
		}
	}
	if len(kept) > n {
		kept = kept[:n]
	}
	return kept
}

// Evaluation is how well suggestions matched codes people applied.
type Evaluation struct {
	Experiences  int     // held-out experiences scored
	PrecisionAt3 float64 // share of the suggested codes (up to 3 each) that were right
	HitAt3       float64 // share of experiences with at least one right suggestion
	RecallAt3    float64 // share of the right codes that were among the suggestions
}

// Evaluate scores a model on held-out coded examples it did not learn from.
func Evaluate(m *Model, heldOut []Example) Evaluation {
	var e Evaluation
	var suggested, right, hits, gold, found int
	for _, ex := range heldOut {
		if len(ex.Codes) == 0 {
			continue
		}
		e.Experiences++
		ss := m.Suggest(ex.Text, SuggestCount, nil)
		hit := false
		for _, s := range ss {
			suggested++
			if slices.Contains(ex.Codes, s.Code) {
				right++
				hit = true
			}
		}
		if hit {
			hits++
		}
		gold += len(ex.Codes)
		for _, c := range ex.Codes {
			for _, s := range ss {
				if s.Code == c {
					found++
					break
				}
			}
		}
	}
	if suggested > 0 {
		e.PrecisionAt3 = float64(right) / float64(suggested)
	}
	if e.Experiences > 0 {
		e.HitAt3 = float64(hits) / float64(e.Experiences)
	}
	if gold > 0 {
		e.RecallAt3 = float64(found) / float64(gold)
	}
	return e
}
