package mail

import (
	"testing"

	"github.com/hearme-project/hearme/internal/i18n"
	"github.com/hearme-project/hearme/internal/sealed"
)

// A composer parses no template when made (a server held every kind's
// parse trees at idle), and a message parses its own kind only, once.
func TestMailTemplatesAreParsedOnFirstUse(t *testing.T) {
	t.Parallel()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := sealed.Parse(sealed.NewKeyLine())
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewComposer(cat, keys, func() Site { return Site{Name: "Hear me", BaseURL: "https://hearme.example"} })
	if err != nil {
		t.Fatal(err)
	}
	if n := c.parsed.Load(); n != 0 {
		t.Fatalf("%d kinds parsed when the composer was made, want none", n)
	}
	for range 2 {
		if _, err := c.Message("en", "a@example.org", "test", nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.parsed.Load(); n != 1 {
		t.Errorf("%d kinds parsed after two messages of one kind, want 1", n)
	}
	if _, err := c.Message("en", "a@example.org", "no-such-kind", nil); err == nil {
		t.Error("an unknown kind gave no error")
	}
}

// Templates are parsed on first use, so every kind must parse: one that
// does not is found here rather than when its first email is sent.
func TestEveryMailTemplateParses(t *testing.T) {
	t.Parallel()
	c, err := NewComposer(nil, nil, func() Site { return Site{} })
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Kinds()) < 10 {
		t.Fatalf("found only %d kinds", len(c.Kinds()))
	}
	for _, k := range c.Kinds() {
		if _, err := c.templates(k); err != nil {
			t.Error(err)
		}
	}
}
