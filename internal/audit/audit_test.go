package audit

import (
	"testing"
	"time"
)

func chain(n int) []Entry {
	var out []Entry
	prev := GenesisHash
	for i := 1; i <= n; i++ {
		e := Entry{Seq: int64(i), At: time.Date(2026, 1, 1, 0, 0, i, 123456789, time.UTC), ActorID: "a", Action: "x", Subject: "s", Detail: "{}", PrevHash: prev}
		e.Hash = ComputeHash(e)
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func verify(es []Entry) *Break {
	v := NewVerifier()
	for _, e := range es {
		if b := v.Next(e); b != nil {
			return b
		}
	}
	return nil
}

func TestVerifierFindsTheFirstBrokenLink(t *testing.T) {
	if b := verify(chain(5)); b != nil {
		t.Fatalf("intact chain reported broken: %+v", b)
	}
	edits := map[string]func([]Entry){
		"changed field":  func(es []Entry) { es[2].Subject = "edited" },
		"changed time":   func(es []Entry) { es[2].At = es[2].At.Add(time.Second) },
		"rehashed entry": func(es []Entry) { es[2].Action = "y"; es[2].Hash = ComputeHash(es[2]) },
	}
	for name, edit := range edits {
		es := chain(5)
		edit(es)
		b := verify(es)
		want := int64(3)
		if name == "rehashed entry" {
			want = 4 // the next entry's previous-hash no longer matches
		}
		if b == nil || b.Seq != want {
			t.Errorf("%s: break %+v, want at %d", name, b, want)
		}
	}
	es := chain(5)
	es = append(es[:2], es[3:]...) // a removed row
	if b := verify(es); b == nil || b.Seq != 4 {
		t.Errorf("removed row: %+v", b)
	}
}

func TestHashFieldsCannotBeShuffled(t *testing.T) {
	a := Entry{Seq: 1, ActorID: "ab", Action: "c"}
	b := Entry{Seq: 1, ActorID: "a", Action: "bc"}
	if ComputeHash(a) == ComputeHash(b) {
		t.Fatal("field boundaries are not part of the hash")
	}
}
