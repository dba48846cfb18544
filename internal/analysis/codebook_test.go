package analysis

import (
	"errors"
	"testing"
)

func tree() []Code {
	return []Code{
		{ID: "a", Name: "Access", Definition: "d"},
		{ID: "a1", ParentID: "a", Name: "Appointments", Definition: "d"},
		{ID: "a2", ParentID: "a", Name: "Referral", Definition: "d"},
		{ID: "a11", ParentID: "a1", Name: "Phone lines", Definition: "d"},
		{ID: "w", Name: "Waiting", Definition: "d"},
		{ID: "x", Name: "Old", Definition: "d", Archived: true},
	}
}

func TestCodeCheckReportsFieldsInFormOrder(t *testing.T) {
	t.Parallel()
	c := Code{Name: "", Definition: "", Colour: "red"}
	ps := c.Validate()
	want := []string{"name", "definition", "colour"}
	if len(ps) != len(want) {
		t.Fatalf("problems = %v, want fields %v", ps, want)
	}
	for i, p := range ps {
		if p.Field != want[i] {
			t.Errorf("problem %d is on %q, want %q", i, p.Field, want[i])
		}
	}
	ok := Code{Name: "  Waiting ", Definition: "Time spent waiting.", Colour: "#AABBCC"}
	if ps := ok.Validate(); len(ps) != 0 {
		t.Fatalf("a good code has problems: %v", ps)
	}
	if ok.Name != "Waiting" || ok.Colour != "#aabbcc" {
		t.Errorf("not normalised: %q %q", ok.Name, ok.Colour)
	}
}

func TestMergeRules(t *testing.T) {
	t.Parallel()
	b := NewCodebook(tree())
	cases := []struct {
		from, into string
		want       error
	}{
		{"a1", "a1", ErrMergeIntoSelf},
		{"a", "a11", ErrMergeIntoDescendant},
		{"a", "a1", ErrMergeIntoDescendant},
		{"a2", "x", ErrCodeInactive},
		{"a2", "nope", ErrCodeNotFound},
		{"a2", "w", nil},
		{"a11", "a", nil}, // a sub-code into its ancestor is fine
	}
	for _, c := range cases {
		if got := b.CheckMerge(c.from, c.into); !errors.Is(got, c.want) {
			t.Errorf("merge %s into %s: %v, want %v", c.from, c.into, got, c.want)
		}
	}
}

func TestMoveRules(t *testing.T) {
	t.Parallel()
	b := NewCodebook(tree())
	if err := b.CheckParent("a", "a11"); !errors.Is(err, ErrMoveIntoDescendant) {
		t.Errorf("move under own sub-code: %v", err)
	}
	if err := b.CheckParent("a", "a"); !errors.Is(err, ErrMoveIntoDescendant) {
		t.Errorf("move under itself: %v", err)
	}
	if err := b.CheckParent("w", "x"); !errors.Is(err, ErrCodeInactive) {
		t.Errorf("move under archived: %v", err)
	}
	if err := b.CheckParent("w", "a11"); err != nil {
		t.Errorf("depth 3 is allowed: %v", err)
	}
	deep := append(tree(), Code{ID: "a111", ParentID: "a11", Name: "Deep", Definition: "d"})
	if err := NewCodebook(deep).CheckParent("", "a111"); !errors.Is(err, ErrTooDeep) {
		t.Errorf("a fifth level: %v", err)
	}
	if err := b.CheckName("", "a", "appointments"); !errors.Is(err, ErrDuplicateName) {
		t.Errorf("sibling with the same name: %v", err)
	}
	if err := b.CheckName("", "w", "Appointments"); err != nil {
		t.Errorf("same name elsewhere: %v", err)
	}
}

func TestResolveFollowsMerges(t *testing.T) {
	t.Parallel()
	codes := tree()
	codes[1].MergedInto = "a2" // a1 -> a2
	codes = append(codes, Code{ID: "y", Name: "y", Definition: "d", MergedInto: "a1"})
	b := NewCodebook(codes)
	if got := b.Resolve("y"); got != "a2" {
		t.Errorf("Resolve(y) = %s, want a2 (through a1)", got)
	}
	// A corrupt loop ends rather than hanging.
	loop := NewCodebook([]Code{{ID: "p", MergedInto: "q"}, {ID: "q", MergedInto: "p"}})
	_ = loop.Resolve("p")
}

func TestWalkOrdersThemesAndHidesInactive(t *testing.T) {
	t.Parallel()
	b := NewCodebook(tree())
	var got []string
	for _, n := range b.Walk(false) {
		got = append(got, n.Path)
	}
	want := []string{"Access", "Access › Appointments", "Access › Appointments › Phone lines", "Access › Referral", "Waiting"}
	if len(got) != len(want) {
		t.Fatalf("walk = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("walk[%d] = %q, want %q", i, got[i], want[i])
		}
	}
	if n := len(b.Walk(true)); n != 6 {
		t.Errorf("walk(all) = %d codes, want 6", n)
	}
}
