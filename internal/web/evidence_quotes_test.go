package web_test

import (
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
)

// TestEvidenceQuotesShowOnlyTheQuotedWords: a stakeholder reads a quoted
// sentence of a Polish answer without the English rendering of the
// sentence that was not quoted, and a quote on the English rendering is
// gone from the page once the answer is redacted (the rendering still
// holds what the moderator took out).
func TestEvidenceQuotesShowOnlyTheQuotedWords(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	codes, _ := demo.Codebook()
	if _, _, err := e.store.ImportCodes(ctx, "test", codes, true); err != nil {
		t.Fatal(err)
	}
	answer := "Czekaliśmy trzy miesiące. Dr Nowak powiedział, że to nic."
	rendering := "We waited three months. Dr Nowak said it was nothing."
	rc, err := e.store.SubmitExperience(ctx, experience.Submission{Kind: experience.KindExperience, Lang: "pl", Role: "person-with-cancer",
		Stages: []string{"diagnosis"}, WhatHappened: answer,
		Consent: experience.Consent{Version: "t", Evidence: true, Quote: true}, Source: experience.SourceOnline}, experience.Contact{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.DecideExperience(ctx, "test", rc.ID, experience.StatusApproved, ""); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SaveTranslation(ctx, "test", rc.ID, "what_happened", rendering); err != nil {
		t.Fatal(err)
	}
	quote := func(field string, start, end int) {
		t.Helper()
		if _, err := e.store.AddCoding(ctx, "coder", store.NewCoding{ExperienceID: rc.ID, CodeID: demo.CodeID("waiting"), Quote: true,
			Passage: analysis.Passage{Field: field, Start: start, End: end}}); err != nil {
			t.Fatal(err)
		}
	}
	quote("what_happened", 0, 25)              // "Czekaliśmy trzy miesiące."
	quote("translation.what_happened", 24, 53) // "Dr Nowak said it was nothing."

	c := icbClient(t, e)
	r := c.get("/staff/evidence")
	if r.status != 200 {
		t.Fatalf("evidence: %d", r.status)
	}
	if !strings.Contains(r.body, "Czekaliśmy trzy miesiące.") || !strings.Contains(r.body, "Dr Nowak said it was nothing.") {
		t.Fatal("a consented quote is missing")
	}
	if strings.Contains(r.body, "We waited three months. Dr Nowak") {
		t.Error("the rendering of the whole answer is shown beside a one-sentence quote")
	}

	v, err := e.store.ExperienceForCoding(ctx, rc.ID, "test", "")
	if err != nil {
		t.Fatal(err)
	}
	texts := v.Experience.Submission
	texts.WhatHappened = "Czekaliśmy trzy miesiące. Dr [name] powiedział, że to nic."
	if err := e.store.RedactExperience(ctx, "test", rc.ID, texts, nil, "v1:k:o"); err != nil {
		t.Fatal(err)
	}
	r = c.get("/staff/evidence")
	if strings.Contains(r.body, "Nowak") {
		t.Error("a quote on the rendering of a redacted answer still names who the redaction took out")
	}
	if !strings.Contains(r.body, "Czekaliśmy trzy miesiące.") {
		t.Error("the quote the redaction left alone went")
	}
}
