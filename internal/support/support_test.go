package support

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

var allowed = Allowed{Stages: []string{"screening", "treatment"}, Communities: []string{"black-african", "south-asian"}}

func good() Service {
	return Service{Name: " Somali circle ", Organisation: "Org", Summary: "Talk", Needs: []string{"emotional", "Peer"}, Area: "local",
		Languages: []string{"so", "en", "so"}, Phone: "+44 1632 960000", Website: "https://example.org/x"}
}

func TestValidate(t *testing.T) {
	s := good()
	if errs := s.Validate(allowed); len(errs) != 0 {
		t.Fatalf("good service refused: %+v", errs)
	}
	if s.Name != "Somali circle" || !reflect.DeepEqual(s.Languages, []string{"en", "so"}) || !reflect.DeepEqual(s.Needs, []string{"emotional", "peer"}) {
		t.Fatalf("not normalised: %+v", s)
	}
	bad := Service{Needs: []string{"magic"}, Stages: []string{"nope"}, Area: "galactic", Languages: []string{"english"},
		Communities: []string{"x"}, Phone: "call me", Email: "not-an-email", Website: "javascript:alert(1)"}
	var fields []string
	for _, e := range bad.Validate(allowed) {
		fields = append(fields, e.Field)
	}
	want := []string{"name", "organisation", "summary", "needs", "area", "languages_other", "communities", "stages", "phone", "email", "website"}
	if !reflect.DeepEqual(fields, want) {
		t.Fatalf("errors on %v, want %v", fields, want)
	}
	none := good()
	none.Phone, none.Website = "", ""
	if errs := none.Validate(allowed); len(errs) != 1 || errs[0].Key != "support.error.contact_required" {
		t.Fatalf("no way to contact: %+v", errs)
	}
}

func TestSafeURL(t *testing.T) {
	for u, want := range map[string]bool{
		"https://www.macmillan.org.uk/": true, "http://example.org/a?b=c": true,
		"//evil.example/": false, "/support": false, "javascript:alert(1)": false, "https://user@evil.example/": false,
		"https:evil.example": false, "ftp://example.org/": false, "https://exa mple.org": false, "https://\\evil": false,
	} {
		if got := SafeURL(u); got != want {
			t.Errorf("SafeURL(%q) = %v, want %v", u, got, want)
		}
	}
}

func TestCSVRoundTripAndNeutralisation(t *testing.T) {
	s := good()
	s.ID = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
	s.Hours = "=HYPERLINK(\"http://evil\")"
	s.Summaries = map[string]string{"so": "Taageero"}
	s.Validate(allowed)
	var buf bytes.Buffer
	if err := WriteCSV(&buf, []Service{s}, []string{"en", "so"}); err != nil {
		t.Fatal(err)
	}
	recs, _ := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
	for _, row := range recs[1:] {
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("column %s starts with a formula character: %q", recs[0][i], cell)
			}
		}
	}
	if !strings.Contains(buf.String(), "'+44 1632 960000") || !strings.Contains(buf.String(), `'=HYPERLINK`) {
		t.Fatalf("not neutralised:\n%s", buf.String())
	}
	got, errs := ReadCSV(&buf, allowed)
	if len(errs) != 0 || len(got) != 1 {
		t.Fatalf("round trip: %+v %+v", got, errs)
	}
	if got[0].Phone != s.Phone || got[0].Hours != s.Hours || got[0].ID != s.ID || got[0].Summaries["so"] != "Taageero" {
		t.Fatalf("round trip changed the service: %+v", got[0])
	}
}

func TestReadCSVReportsEveryBadRowWithItsLine(t *testing.T) {
	in := "\ufeffname,organisation,summary,needs,area,languages,phone\n" +
		"Good,Org,Help,emotional,local,en,01632 960000\n" +
		",Org,Help,emotional,local,en,01632 960000\n" + // line 3: no name
		"Good,Org,Help,emotional;magic,local,en,01632 960000\n" + // line 4: unknown need
		"\"Multi\nline\",Org,Help,emotional,local,en,01632 960000\n" + // lines 5-6: fine
		"Short,row\n" + // line 7: wrong field count
		"Good,Org,Help,emotional,moon,en,\n" // line 8: bad area, no contact
	got, errs := ReadCSV(strings.NewReader(in), allowed)
	if got != nil {
		t.Fatalf("services returned despite errors: %d", len(got))
	}
	type le struct {
		line int
		col  string
	}
	var have []le
	for _, e := range errs {
		have = append(have, le{e.Line, e.Column})
	}
	want := []le{{3, "name"}, {4, "needs"}, {7, ""}, {8, "area"}, {8, "phone"}}
	if !reflect.DeepEqual(have, want) {
		t.Fatalf("errors %+v\nwant %+v", errs, want)
	}
	_, errs = ReadCSV(strings.NewReader("name,colour\nx,y\n"), allowed)
	if len(errs) == 0 || errs[0].Key != "support.import.unknown_column" || errs[0].Line != 1 {
		t.Fatalf("unknown column: %+v", errs)
	}
	_, errs = ReadCSV(strings.NewReader("name,organisation,summary,needs,area,languages\n\"unterminated,x\n"), allowed)
	if len(errs) != 1 || errs[0].Key != "support.import.malformed" || errs[0].Line != 2 {
		t.Fatalf("malformed: %+v", errs)
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add("name,organisation,summary,needs,area,languages,phone\nA,B,C,emotional,local,en,01632 960000\n")
	f.Add("id,name\n\"x\"y\",\n")
	f.Add("\ufeffsummary_so,name,organisation,summary,needs,area,languages,website\nTaageero,A,B,C,peer,national,so,https://example.org\n")
	f.Add("name,name\n,,,\n")
	f.Fuzz(func(t *testing.T, in string) {
		got, errs := ReadCSV(strings.NewReader(in), allowed)
		if (got == nil) == (errs == nil) {
			t.Fatalf("want services or errors, not both or neither: %d %d", len(got), len(errs))
		}
		for _, e := range errs {
			if e.Line < 1 || !strings.HasPrefix(e.Key, "support.") {
				t.Fatalf("bad error %+v", e)
			}
		}
		for _, s := range got {
			if errs := s.Validate(allowed); len(errs) != 0 {
				t.Fatalf("an accepted service does not validate: %+v", errs)
			}
			if !utf8.ValidString(s.Name + s.Summary + s.Hours) {
				t.Fatal("invalid UTF-8 accepted")
			}
			if s.Website != "" && !SafeURL(s.Website) {
				t.Fatalf("unsafe website accepted: %q", s.Website)
			}
		}
		// What is accepted exports and imports back the same.
		if got != nil {
			var buf bytes.Buffer
			if err := WriteCSV(&buf, got, []string{"so", "pl"}); err != nil {
				t.Fatal(err)
			}
			again, errs := ReadCSV(&buf, allowed)
			if len(errs) != 0 || len(again) != len(got) {
				t.Fatalf("re-import of the export: %d services, errors %+v", len(again), errs)
			}
		}
	})
}

// An export opens in a spreadsheet program as UTF-8 (Urdu and Bengali
// intact) only if it starts with a byte order mark; ReadCSV skips it.
func TestWriteCSVStartsWithByteOrderMark(t *testing.T) {
	s := good()
	s.Name = "مدد گروپ"
	var buf bytes.Buffer
	if err := WriteCSV(&buf, []Service{s}, []string{"en", "ur"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatalf("export does not start with a UTF-8 byte order mark: % x", buf.Bytes()[:8])
	}
	got, errs := ReadCSV(&buf, allowed)
	if len(errs) != 0 || len(got) != 1 || got[0].Name != "مدد گروپ" {
		t.Fatalf("the export does not read back: %+v %+v", got, errs)
	}
}
