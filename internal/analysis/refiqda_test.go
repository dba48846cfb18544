package analysis_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/demo"
)

func demoCodes(t testing.TB) []analysis.Code {
	t.Helper()
	codes, err := demo.Codebook()
	if err != nil {
		t.Fatal(err)
	}
	return codes
}

func TestQDCRoundTrip(t *testing.T) {
	t.Parallel()
	codes := demoCodes(t)
	codes[3].Archived = true
	var buf bytes.Buffer
	if err := analysis.WriteQDC(&buf, codes); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `<CodeBook xmlns="urn:QDA-XML:codebook:1.0"`) {
		t.Fatalf("no codebook root in the namespace:\n%.300s", buf.String())
	}
	back, problems, err := analysis.ReadQDC(&buf)
	if err != nil || len(problems) > 0 {
		t.Fatalf("read back: %v %v", err, problems)
	}
	if len(back) != len(codes) {
		t.Fatalf("%d codes back, want %d", len(back), len(codes))
	}
	byID := map[string]analysis.Code{}
	for _, c := range back {
		byID[c.ID] = c
	}
	for _, c := range codes {
		got := byID[c.ID]
		if got.Name != c.Name || got.ParentID != c.ParentID || got.Definition != c.Definition || got.WhenToUse != c.WhenToUse ||
			got.WhenNotToUse != c.WhenNotToUse || got.Example != c.Example || got.Colour != c.Colour || got.Archived != c.Archived {
			t.Errorf("code %s came back as %+v, want %+v", c.Name, got, c)
		}
	}
}

func TestQDCBadFiles(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"not xml":      "hello",
		"wrong root":   `<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>`,
		"no namespace": `<CodeBook><Codes><Code guid="0c1f5c4e-6a4e-4a8a-9d5e-3f6a1b2c3d4e" name="a" isCodable="true"/></Codes></CodeBook>`,
		"no codes":     `<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes></Codes></CodeBook>`,
		"entity":       `<!DOCTYPE x [<!ENTITY a "aaaa">]><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="0c1f5c4e-6a4e-4a8a-9d5e-3f6a1b2c3d4e" name="&a;" isCodable="true"/></Codes></CodeBook>`,
		"unclosed":     `<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="x"`,
	}
	for name, doc := range cases {
		if _, _, err := analysis.ReadQDC(strings.NewReader(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	bad := `<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
	  <Code guid="not-a-guid" name="" isCodable="true" color="red"/>
	  <Code guid="0c1f5c4e-6a4e-4a8a-9d5e-3f6a1b2c3d4e" name="ok" isCodable="true"/>
	  <Code guid="0c1f5c4e-6a4e-4a8a-9d5e-3f6a1b2c3d4e" name="dupe" isCodable="true"/>
	</Codes></CodeBook>`
	_, problems, err := analysis.ReadQDC(strings.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	var found []error
	for _, p := range problems {
		found = append(found, p.Err)
	}
	for _, want := range []error{analysis.ErrImportGUID, analysis.ErrImportName, analysis.ErrImportColour, analysis.ErrImportDupe} {
		ok := false
		for _, f := range found {
			ok = ok || errors.Is(f, want)
		}
		if !ok {
			t.Errorf("problem %v not reported (got %v)", want, problems)
		}
	}
}

func TestQDCRefusesAHugeCodebook(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(`<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>`)
	for i := range analysis.MaxCodes + 1 {
		fmt.Fprintf(&b, `<Code guid="00000000-0000-4000-8000-%012d" name="c%d" isCodable="true"/>`, i, i)
	}
	b.WriteString(`</Codes></CodeBook>`)
	if _, _, err := analysis.ReadQDC(strings.NewReader(b.String())); !errors.Is(err, analysis.ErrTooManyCodes) {
		t.Errorf("err = %v, want ErrTooManyCodes", err)
	}
}

func TestCodebookCSVRoundTripAndNeutralisation(t *testing.T) {
	t.Parallel()
	codes := demoCodes(t)
	codes[0].Definition = "=HYPERLINK(\"http://x\")"
	var buf bytes.Buffer
	if err := analysis.WriteCodebookCSV(&buf, codes); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "\ufeffid,parent_id,name") {
		t.Errorf("no byte-order mark and header: %.40q", buf.String())
	}
	if strings.Contains(buf.String(), ",=HYPERLINK") || !strings.Contains(buf.String(), "'=HYPERLINK") {
		t.Error("a formula cell was not neutralised")
	}
	back, problems, err := analysis.ReadCodebookCSV(&buf)
	if err != nil || len(problems) > 0 {
		t.Fatalf("read back: %v %v", err, problems)
	}
	if len(back) != len(codes) || back[0].Definition != codes[0].Definition {
		t.Errorf("round trip lost something: %d codes, first definition %q", len(back), back[0].Definition)
	}
	_, problems, _ = analysis.ReadCodebookCSV(strings.NewReader("id,parent_id,name,definition,when_to_use,when_not_to_use,example,colour,archived\n" +
		"0c1f5c4e-6a4e-4a8a-9d5e-3f6a1b2c3d4e,00000000-0000-4000-8000-000000000001,a,d,,,,,no\n"))
	if len(problems) != 1 || !errors.Is(problems[0].Err, analysis.ErrImportParent) || problems[0].Where != "line 2" {
		t.Errorf("missing parent: %v", problems)
	}
	if _, _, err := analysis.ReadCodebookCSV(strings.NewReader("name,definition\nx,y\n")); !errors.Is(err, analysis.ErrCSVHeader) {
		t.Errorf("wrong header: %v", err)
	}
}

// sampleProject is a small coded project in three scripts.
func sampleProject(t testing.TB) analysis.Project {
	codes := demoCodes(t)
	user := analysis.User{GUID: "3f1c9a52-8d7e-4b1a-9c2d-5e6f7a8b9c0d", Name: "Coder 1"}
	when := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	text, starts := analysis.SourceText([]analysis.FieldText{
		{Field: "what_happened", Heading: "What happened", Text: "ڈاکٹر نے میری بیٹی سے کہا کہ وہ ترجمہ کرے۔ کسی نے مترجم کا نہیں پوچھا۔"},
		{Field: "could_be_better", Heading: "What could be better", Text: "Book an interpreter."},
	})
	sel := func(guid, field string, s, e int, code string) analysis.Selection {
		return analysis.Selection{GUID: guid, Start: starts[field] + s, End: starts[field] + e, Code: code, By: user.GUID, Created: when}
	}
	return analysis.Project{
		Name: "Luton Cancer Connectors", Created: when, Users: []analysis.User{user}, Codes: codes,
		CodeMemos: map[string][]analysis.Memo{demo.CodeID("language"): {{GUID: "6a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", Title: "Memo", Text: "Family interpreting comes up in every community.", By: user.GUID, Created: when}}},
		Variables: []string{"community", "language"},
		Sources: []analysis.Source{{
			GUID: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", Name: "HM-7K4Q-9XPT", Text: text, Created: when,
			Selections: []analysis.Selection{
				sel("1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e", "what_happened", 0, 40, demo.CodeID("language-family-interpreting")),
				sel("2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f", "could_be_better", 0, 20, demo.CodeID("language")),
			},
			Memos:  []analysis.Memo{{GUID: "4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a", Title: "Memo", Text: "Daughter aged 15.", By: user.GUID, Created: when}},
			Values: map[string]string{"community": "South Asian", "language": "ur"},
		}},
	}
}

// checkAgainstStandard checks project.qde against what the REFI-QDA
// project schema (Project.xsd, QDA-XML 1.0, March 2019) requires of the
// elements we write: the namespace, the order of a Project's children,
// the required attributes, GUID and colour formats, integer positions,
// and that every reference points at something that exists.
func checkAgainstStandard(t *testing.T, qde []byte, files map[string][]byte) {
	t.Helper()
	guid := regexp.MustCompile(`^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$`)
	rgb := regexp.MustCompile(`^#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})$`)
	required := map[string][]string{
		"Project": {"name"}, "User": {"guid"}, "Code": {"guid", "name", "isCodable"}, "Variable": {"guid", "name", "typeOfVariable"},
		"TextSource": {"guid"}, "PlainTextSelection": {"guid", "startPosition", "endPosition"}, "Coding": {"guid"},
		"CodeRef": {"targetGUID"}, "NoteRef": {"targetGUID"}, "VariableRef": {"targetGUID"}, "Note": {"guid"},
	}
	guidAttrs := map[string]bool{"guid": true, "targetGUID": true, "creatingUser": true, "creatingUserGUID": true}
	projectOrder := []string{"Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets", "Graphs", "Description", "NoteRef"}
	// The order of children the schema's sequences require.
	childOrder := map[string][]string{
		"Code":               {"Description", "NoteRef", "Code"},
		"TextSource":         {"Description", "PlainTextContent", "PlainTextSelection", "Coding", "NoteRef", "VariableValue"},
		"Note":               {"Description", "PlainTextContent", "PlainTextSelection", "Coding", "NoteRef", "VariableValue"},
		"PlainTextSelection": {"Description", "Coding", "NoteRef"},
		"Coding":             {"CodeRef", "NoteRef"},
		"VariableValue":      {"VariableRef", "TextValue"},
	}
	defined := map[string]string{} // guid -> element
	type refTo struct{ elem, target string }
	var refs []refTo
	dec := xml.NewDecoder(bytes.NewReader(qde))
	type frame struct {
		name string
		last int
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("project.qde is not well-formed XML: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			name := el.Name.Local
			if el.Name.Space != analysis.ProjectNamespace {
				t.Errorf("<%s> is in namespace %q, want %q", name, el.Name.Space, analysis.ProjectNamespace)
			}
			attrs := map[string]string{}
			for _, a := range el.Attr {
				attrs[a.Name.Local] = a.Value
			}
			for _, req := range required[name] {
				if attrs[req] == "" {
					t.Errorf("<%s> lacks required attribute %s", name, req)
				}
			}
			for a, v := range attrs {
				if guidAttrs[a] && !guid.MatchString(v) {
					t.Errorf("<%s %s=%q> is not a GUID", name, a, v)
				}
			}
			if c, ok := attrs["color"]; ok && !rgb.MatchString(c) {
				t.Errorf("<%s color=%q> is not an RGB colour", name, c)
			}
			if name == "Code" {
				if v := attrs["isCodable"]; v != "true" && v != "false" {
					t.Errorf("isCodable=%q is not a boolean", v)
				}
			}
			if name == "PlainTextSelection" {
				s, err1 := strconv.Atoi(attrs["startPosition"])
				e, err2 := strconv.Atoi(attrs["endPosition"])
				if err1 != nil || err2 != nil || s < 0 || e < s {
					t.Errorf("selection positions %q..%q", attrs["startPosition"], attrs["endPosition"])
				}
			}
			if g := attrs["guid"]; g != "" {
				if prev, dup := defined[g]; dup && !(prev == "Code" && name == "Code") {
					t.Errorf("guid %s is used by <%s> and <%s>", g, prev, name)
				}
				defined[g] = name
			}
			if tg := attrs["targetGUID"]; tg != "" {
				refs = append(refs, refTo{name, tg})
			}
			if p := attrs["plainTextPath"]; p != "" {
				f := strings.TrimPrefix(p, "internal://")
				if f == p {
					t.Errorf("plainTextPath %q is not internal://", p)
				} else if _, ok := files["Sources/"+f]; !ok {
					t.Errorf("plainTextPath %q has no file in Sources/", p)
				}
			}
			// order among siblings
			if len(stack) > 0 {
				parent := &stack[len(stack)-1]
				order := childOrder[parent.name]
				if parent.name == "Project" {
					order = projectOrder
				}
				if order != nil {
					pos := -1
					for i, n := range order {
						if n == name {
							pos = i
						}
					}
					if pos < 0 {
						t.Errorf("<%s> may not appear inside <%s>", name, parent.name)
					} else if pos < parent.last {
						t.Errorf("<%s> comes after a later element inside <%s>", name, parent.name)
					} else {
						parent.last = pos
					}
				}
			} else if name != "Project" {
				t.Errorf("the root element is <%s>, want <Project>", name)
			}
			stack = append(stack, frame{name: name})
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	for _, r := range refs {
		kind := defined[r.target]
		want := map[string]string{"CodeRef": "Code", "NoteRef": "Note", "VariableRef": "Variable"}[r.elem]
		if kind != want {
			t.Errorf("<%s targetGUID=%s> points at %q, want a <%s>", r.elem, r.target, kind, want)
		}
	}
}

func TestQDPXFollowsTheStandardAndReadsBack(t *testing.T) {
	t.Parallel()
	p := sampleProject(t)
	var buf bytes.Buffer
	if err := analysis.WriteQDPX(&buf, p); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = b
	}
	qde, ok := files["project.qde"]
	if !ok {
		t.Fatal("no project.qde in the .qdpx")
	}
	checkAgainstStandard(t, qde, files)

	back, err := analysis.ReadQDPX(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Codes) != len(p.Codes) || len(back.Sources) != 1 || len(back.Users) != 1 {
		t.Fatalf("read back %d codes, %d sources, %d users", len(back.Codes), len(back.Sources), len(back.Users))
	}
	src := back.Sources[0]
	if src.Text != p.Sources[0].Text || src.Name != "HM-7K4Q-9XPT" {
		t.Errorf("source text or name changed")
	}
	if len(src.Selections) != 2 {
		t.Fatalf("%d selections back, want 2", len(src.Selections))
	}
	for i, s := range src.Selections {
		want := p.Sources[0].Selections[i]
		if s.Start != want.Start || s.End != want.End || s.Code != want.Code {
			t.Errorf("selection %d = %+v, want %+v", i, s, want)
		}
		// positions are code points of the source text
		got := string([]rune(src.Text)[s.Start:s.End])
		if got != string([]rune(p.Sources[0].Text)[want.Start:want.End]) {
			t.Errorf("selection %d covers %q", i, got)
		}
	}
	if len(src.Memos) != 1 || src.Memos[0].Text != "Daughter aged 15." || len(back.CodeMemos[demo.CodeID("language")]) != 1 {
		t.Errorf("memos lost: %+v %+v", src.Memos, back.CodeMemos)
	}
	if src.Values["community"] != "South Asian" {
		t.Errorf("variables lost: %v", src.Values)
	}
}

func TestQDPXRefusesOutOfRangeSelections(t *testing.T) {
	t.Parallel()
	p := sampleProject(t)
	p.Sources[0].Selections[0].End = 10_000
	if err := analysis.WriteQDPX(io.Discard, p); err == nil {
		t.Error("a selection past the end of its source was written")
	}
	if _, err := analysis.ReadQDPX(bytes.NewReader([]byte("not a zip")), 9); !errors.Is(err, analysis.ErrNotProject) {
		t.Errorf("not a zip: %v", err)
	}
}
