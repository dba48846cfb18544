package support

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/tabular"
)

// The CSV format staff import and export: a header row, one service a
// row, codes in multi-valued columns separated by ";". Columns
// summary_<lang> hold the summary in other languages. A row with an id
// updates that service (or creates it with that id); a row without one
// updates the service of the same name and organisation, or creates a
// new one, so that importing one file twice never lists a service twice.
// An export starts with a UTF-8 byte order mark, without which
// spreadsheet programs read the file in a legacy code page and garble
// Urdu, Bengali and every other non-Latin script.

// Columns are the fixed columns, in export order.
var Columns = []string{"id", "name", "organisation", "summary", "needs", "stages", "area", "languages", "communities",
	"phone", "email", "website", "opening_hours", "eligibility", "referral", "last_checked"}

var requiredColumns = []string{"name", "organisation", "summary", "needs", "area", "languages"}

// MaxImportRows caps one import file.
const MaxImportRows = 20000

// RowError is one problem in an import file: the line (1 is the header),
// the column (when known) and a translation key.
type RowError struct {
	Line   int
	Column string
	Key    string
}

// column names the CSV column of a form field.
func column(field string) string {
	switch field {
	case "hours":
		return "opening_hours"
	case "languages_other": // the staff form's box for other codes
		return "languages"
	}
	return field
}

// ReadCSV parses an import file. It returns every service, or every
// problem with its line: a caller imports nothing when there is any
// problem. It never panics, whatever the input.
func ReadCSV(r io.Reader, a Allowed) ([]Service, []RowError) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3) // a byte order mark, as spreadsheet programs write
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, []RowError{{Line: 1, Key: "support.import.empty"}}
		}
		return nil, []RowError{{Line: 1, Key: "support.import.malformed"}}
	}
	index := map[string]int{}
	var errs []RowError
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(clean(h)))
		known := slices.Contains(Columns, h)
		if lang, ok := strings.CutPrefix(h, "summary_"); ok && langRE.MatchString(lang) {
			known = true
		}
		switch {
		case !known:
			errs = append(errs, RowError{Line: 1, Column: truncate(h, 40), Key: "support.import.unknown_column"})
		case index[h] != 0:
			errs = append(errs, RowError{Line: 1, Column: h, Key: "support.import.duplicate_column"})
		default:
			index[h] = i + 1 // 0 means absent
		}
	}
	for _, c := range requiredColumns {
		if index[c] == 0 {
			errs = append(errs, RowError{Line: 1, Column: c, Key: "support.import.missing_column"})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var out []Service
	ids := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			line = max(line, 1)
			errs = append(errs, RowError{Line: line, Key: "support.import.malformed"})
			break // the rest of the file cannot be read reliably
		}
		line, _ := cr.FieldPos(0)
		if len(out)+1 > MaxImportRows {
			errs = append(errs, RowError{Line: line, Key: "support.import.too_many_rows"})
			break
		}
		if len(rec) != len(header) {
			errs = append(errs, RowError{Line: line, Key: "support.import.field_count"})
			continue
		}
		get := func(c string) string {
			if i := index[c]; i != 0 {
				return tabular.Unneutralise(rec[i-1])
			}
			return ""
		}
		list := func(c string) []string {
			var out []string
			for _, v := range strings.Split(get(c), ";") {
				if v = strings.TrimSpace(v); v != "" {
					out = append(out, v)
				}
			}
			return out
		}
		s := Service{
			ID: strings.ToLower(strings.TrimSpace(get("id"))), Name: get("name"), Organisation: get("organisation"), Summary: get("summary"),
			Needs: list("needs"), Stages: list("stages"), Area: get("area"), Languages: list("languages"), Communities: list("communities"),
			Phone: get("phone"), Email: get("email"), Website: get("website"), Hours: get("opening_hours"),
			Eligibility: get("eligibility"), Referral: get("referral"),
		}
		for c := range index {
			if lang, ok := strings.CutPrefix(c, "summary_"); ok {
				if v := get(c); strings.TrimSpace(v) != "" {
					if s.Summaries == nil {
						s.Summaries = map[string]string{}
					}
					s.Summaries[lang] = v
				}
			}
		}
		bad := false
		if s.ID != "" {
			switch {
			case !ValidID(s.ID):
				errs = append(errs, RowError{Line: line, Column: "id", Key: "support.import.id_invalid"})
				bad = true
			case ids[s.ID] != 0:
				errs = append(errs, RowError{Line: line, Column: "id", Key: "support.import.id_duplicate"})
				bad = true
			default:
				ids[s.ID] = line
			}
		}
		if v := strings.TrimSpace(get("last_checked")); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				errs = append(errs, RowError{Line: line, Column: "last_checked", Key: "support.import.date_invalid"})
				bad = true
			}
			s.CheckedAt = t
		}
		for _, fe := range s.Validate(a) {
			errs = append(errs, RowError{Line: line, Column: column(fe.Field), Key: fe.Key})
			bad = true
		}
		if !bad {
			out = append(out, s)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(out) == 0 {
		return nil, []RowError{{Line: 2, Key: "support.import.no_rows"}}
	}
	return out, nil
}

// MatchKey is what a row without an id is matched on: its name and
// organisation, trimmed and without regard to case.
func MatchKey(name, organisation string) string {
	return strings.ToLower(strings.TrimSpace(name)) + "\x00" + strings.ToLower(strings.TrimSpace(organisation))
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// WriteCSV writes services in the import format, with a summary_<lang>
// column for each of langs but English, every cell neutralised.
func WriteCSV(w io.Writer, services []Service, langs []string) error {
	if _, err := io.WriteString(w, tabular.BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	header := slices.Clone(Columns)
	var extra []string
	for _, l := range langs {
		if l != "en" && langRE.MatchString(l) {
			extra = append(extra, l)
			header = append(header, "summary_"+l)
		}
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, s := range services {
		checked := ""
		if !s.CheckedAt.IsZero() {
			checked = s.CheckedAt.UTC().Format("2006-01-02")
		}
		row := []string{s.ID, s.Name, s.Organisation, s.Summary, strings.Join(s.Needs, ";"), strings.Join(s.Stages, ";"), s.Area,
			strings.Join(s.Languages, ";"), strings.Join(s.Communities, ";"), s.Phone, s.Email, s.Website, s.Hours, s.Eligibility, s.Referral, checked}
		for _, l := range extra {
			row = append(row, s.Summaries[l])
		}
		for i := range row {
			row[i] = tabular.Neutralise(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
