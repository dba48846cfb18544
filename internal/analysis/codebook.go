package analysis

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/hearme-project/hearme/internal/field"
)

// Code is one theme (no parent) or sub-theme in the codebook. Its ID is
// a UUID, which is also its REFI-QDA guid, so exports and re-imports keep
// every coding attached to the same code.
type Code struct {
	ID           string
	ParentID     string // "" for a top-level theme
	Name         string
	Definition   string
	WhenToUse    string
	WhenNotToUse string
	Example      string
	Colour       string // #rrggbb
	Position     int    // order among its siblings
	Archived     bool   // kept with its codings, no longer offered for coding
	MergedInto   string // the code its codings were moved to, when merged
}

// Active reports whether the code can be applied.
func (c Code) Active() bool { return !c.Archived && c.MergedInto == "" }

// Limits on a code's texts, stated on the form.
const (
	MaxCodeName = 80
	MaxCodeText = 2000
	MaxCodes    = 2000 // a codebook larger than this is refused on import
	MaxDepth    = 4    // theme > sub-theme > ... ; deeper trees stop being readable
)

var colourPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Rule errors: what the codebook refuses, each with a message for people.
var (
	ErrCodeNotFound        = errors.New("analysis: no such code")
	ErrMergeIntoSelf       = errors.New("analysis: a code cannot be merged into itself")
	ErrMergeIntoDescendant = errors.New("analysis: a code cannot be merged into one of its own sub-codes")
	ErrMoveIntoDescendant  = errors.New("analysis: a code cannot be moved under itself or one of its sub-codes")
	ErrCodeInactive        = errors.New("analysis: the code is archived or merged")
	ErrTooDeep             = errors.New("analysis: the codebook would be too deep")
	ErrDuplicateName       = errors.New("analysis: another code under the same parent has this name")
)

// Normalise trims a code's texts in place.
func (c *Code) Normalise() {
	for _, p := range []*string{&c.Name, &c.Definition, &c.WhenToUse, &c.WhenNotToUse, &c.Example, &c.Colour} {
		*p = strings.TrimSpace(*p)
	}
	c.Colour = strings.ToLower(c.Colour)
}

// Validate returns the problems with a code's own fields, keyed by the
// form's input ids in the order the form shows them (name, definition,
// when to use, when not, example, colour). It normalises in place.
func (c *Code) Validate() field.Errors {
	c.Normalise()
	var errs field.Errors
	switch n := utf8.RuneCountInString(c.Name); {
	case n == 0:
		errs.Add("name", "codebook.error.name_required")
	case n > MaxCodeName:
		errs.Add("name", "codebook.error.name_too_long")
	}
	if c.Definition == "" {
		errs.Add("definition", "codebook.error.definition_required")
	}
	for _, f := range []struct{ id, v string }{{"definition", c.Definition}, {"when_to_use", c.WhenToUse}, {"when_not_to_use", c.WhenNotToUse}, {"example", c.Example}} {
		if utf8.RuneCountInString(f.v) > MaxCodeText {
			errs.Add(f.id, "codebook.error.text_too_long")
		}
	}
	if c.Colour != "" && !colourPattern.MatchString(c.Colour) {
		errs.Add("colour", "codebook.error.colour_invalid")
	}
	return errs
}

// Codebook is the whole tree of codes, for the rules that need it.
type Codebook struct {
	byID     map[string]Code
	children map[string][]string // parent id ("" for the root) -> child ids in order
}

// NewCodebook indexes codes (any order) into a tree.
func NewCodebook(codes []Code) *Codebook {
	b := &Codebook{byID: make(map[string]Code, len(codes)), children: map[string][]string{}}
	for _, c := range codes {
		b.byID[c.ID] = c
	}
	sorted := slices.Clone(codes)
	slices.SortStableFunc(sorted, func(x, y Code) int {
		if x.Position != y.Position {
			return x.Position - y.Position
		}
		return strings.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name))
	})
	for _, c := range sorted {
		parent := c.ParentID
		if _, ok := b.byID[parent]; !ok {
			parent = "" // an orphan is shown at the top rather than lost
		}
		b.children[parent] = append(b.children[parent], c.ID)
	}
	return b
}

// Get returns a code by id.
func (b *Codebook) Get(id string) (Code, bool) { c, ok := b.byID[id]; return c, ok }

// Len is the number of codes, archived and merged included.
func (b *Codebook) Len() int { return len(b.byID) }

// Children returns a code's direct sub-codes in order ("" for the themes).
func (b *Codebook) Children(id string) []Code {
	out := make([]Code, 0, len(b.children[id]))
	for _, cid := range b.children[id] {
		out = append(out, b.byID[cid])
	}
	return out
}

// Node is a code with its depth, for showing the tree as a list.
type Node struct {
	Code
	Depth int
	Path  string // "Theme › Sub-theme", for the picker and exports
}

// Walk lists the tree depth first, themes in order, each followed by its
// sub-codes; hidden codes (archived, merged) only when all is true.
func (b *Codebook) Walk(all bool) []Node {
	var out []Node
	var visit func(id string, depth int, path string)
	visit = func(id string, depth int, path string) {
		for _, cid := range b.children[id] {
			c := b.byID[cid]
			if !all && !c.Active() {
				continue
			}
			p := c.Name
			if path != "" {
				p = path + " › " + c.Name
			}
			out = append(out, Node{Code: c, Depth: depth, Path: p})
			if depth < 64 { // a corrupt cycle cannot loop forever
				visit(cid, depth+1, p)
			}
		}
	}
	visit("", 0, "")
	return out
}

// IsDescendant reports whether id is ancestor itself or lies below it.
func (b *Codebook) IsDescendant(id, ancestor string) bool {
	for i := 0; id != "" && i < 64; i++ {
		if id == ancestor {
			return true
		}
		id = b.byID[id].ParentID
	}
	return false
}

// depth is a code's depth (0 for a theme); height is the depth of its
// deepest sub-code below it (0 for a leaf).
func (b *Codebook) depth(id string) int {
	d := 0
	for p := b.byID[id].ParentID; p != "" && d < 64; p = b.byID[p].ParentID {
		d++
	}
	return d
}

func (b *Codebook) height(id string) int {
	h := 0
	for _, c := range b.children[id] {
		h = max(h, 1+b.height(c))
	}
	return h
}

// CheckParent says whether a new or moved code may sit under parent.
// id is "" for a new code.
func (b *Codebook) CheckParent(id, parent string) error {
	if parent == "" {
		return nil
	}
	p, ok := b.byID[parent]
	if !ok {
		return ErrCodeNotFound
	}
	if !p.Active() {
		return ErrCodeInactive
	}
	if id != "" && b.IsDescendant(parent, id) {
		return ErrMoveIntoDescendant
	}
	h := 0
	if id != "" {
		h = b.height(id)
	}
	if b.depth(parent)+1+h >= MaxDepth {
		return ErrTooDeep
	}
	return nil
}

// CheckName refuses a name that a sibling already has (case-insensitive),
// so the picker never offers two codes that read the same.
func (b *Codebook) CheckName(id, parent, name string) error {
	for _, sib := range b.children[parent] {
		c := b.byID[sib]
		if c.ID != id && c.Active() && strings.EqualFold(c.Name, strings.TrimSpace(name)) {
			return ErrDuplicateName
		}
	}
	return nil
}

// CheckMerge says whether from's codings may move to into. After a merge
// from stays in the codebook, marked merged, so its history still reads.
func (b *Codebook) CheckMerge(from, into string) error {
	if from == into {
		return ErrMergeIntoSelf
	}
	f, ok := b.byID[from]
	if !ok {
		return ErrCodeNotFound
	}
	t, ok := b.byID[into]
	if !ok {
		return ErrCodeNotFound
	}
	if !f.Active() || !t.Active() {
		return ErrCodeInactive
	}
	if b.IsDescendant(into, from) {
		return ErrMergeIntoDescendant
	}
	return nil
}

// Resolve follows merges to the code a coding now counts under, so a
// coding made with a code that has since been merged is never lost.
func (b *Codebook) Resolve(id string) string {
	for i := 0; i < 64; i++ {
		c, ok := b.byID[id]
		if !ok || c.MergedInto == "" {
			return id
		}
		id = c.MergedInto
	}
	return id
}

// Theme is the top-level theme a code belongs to (itself for a theme).
func (b *Codebook) Theme(id string) string {
	for i := 0; i < 64; i++ {
		c, ok := b.byID[id]
		if !ok || c.ParentID == "" {
			return id
		}
		if _, ok := b.byID[c.ParentID]; !ok {
			return id
		}
		id = c.ParentID
	}
	return id
}
