package sealed

import (
	"strings"
	"testing"
)

func TestDataKeySealOpenAndShred(t *testing.T) {
	ring, err := Parse(NewKeyLine())
	if err != nil {
		t.Fatal(err)
	}
	d := NewDataKey()
	v := d.Seal("rec-1", "We waited six weeks")
	if strings.Contains(v, "six weeks") || !IsDataSealed(v) {
		t.Fatalf("sealed value: %s", v)
	}
	stored, err := ring.SealDataKey(d)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ring.OpenDataKey(stored)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := back.Open("rec-1", v); err != nil || got != "We waited six weeks" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := back.Open("rec-2", v); err == nil {
		t.Fatal("text sealed for one record opened for another")
	}
	if _, err := NewDataKey().Open("rec-1", v); err == nil {
		t.Fatal("another data key opened the text")
	}
	if _, err := (DataKey{}).Open("rec-1", v); err != ErrUnknownKey {
		t.Fatalf("no key (shredded): %v", err)
	}
	if got, _ := (DataKey{}).Open("rec-1", "written before sealing"); got != "written before sealing" {
		t.Fatal("plain text from before sealing should read as it is")
	}
	if d.Seal("rec-1", "") != "" {
		t.Fatal("empty should stay empty")
	}
}
