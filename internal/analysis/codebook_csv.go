package analysis

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hearme-project/hearme/internal/tabular"
)

// csvColumns are the codebook CSV's columns, in order.
var csvColumns = []string{"id", "parent_id", "name", "definition", "when_to_use", "when_not_to_use", "example", "colour", "archived"}

// WriteCodebookCSV writes the codebook, parents before children, every
// cell neutralised, with a byte-order mark for spreadsheets.
func WriteCodebookCSV(w io.Writer, codes []Code) error {
	if _, err := io.WriteString(w, tabular.BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvColumns); err != nil {
		return err
	}
	for _, n := range NewCodebook(codes).Walk(true) {
		if n.MergedInto != "" {
			continue
		}
		archived := "no"
		if n.Archived {
			archived = "yes"
		}
		row := []string{n.ID, n.ParentID, n.Name, n.Definition, n.WhenToUse, n.WhenNotToUse, n.Example, n.Colour, archived}
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

// ErrCSVHeader means the first row is not the codebook's columns.
var ErrCSVHeader = errors.New("analysis: the first row must be: " + strings.Join(csvColumns, ","))

// ReadCodebookCSV parses a codebook CSV. Every problem is returned with
// its line; nothing should be imported unless there are none.
func ReadCodebookCSV(r io.Reader) ([]Code, []ImportProblem, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, nil, ErrCSVHeader
	}
	if len(head) > 0 {
		head[0] = tabular.TrimBOM(head[0])
	}
	if len(head) < len(csvColumns) || strings.Join(head[:len(csvColumns)], ",") != strings.Join(csvColumns, ",") {
		return nil, nil, ErrCSVHeader
	}
	var codes []Code
	var problems []ImportProblem
	seen := map[string]bool{}
	for line := 2; ; line++ {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		where := fmt.Sprintf("line %d", line)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				where = fmt.Sprintf("line %d", pe.Line)
			}
			return nil, append(problems, ImportProblem{where, errors.New("the row cannot be read as CSV")}), nil
		}
		if len(codes) >= MaxCodes {
			return nil, nil, ErrTooManyCodes
		}
		if len(row) < len(csvColumns) {
			problems = append(problems, ImportProblem{where, fmt.Errorf("%d columns, %d expected", len(row), len(csvColumns))})
			continue
		}
		for i := range row {
			row[i] = tabular.Unneutralise(row[i])
		}
		c := Code{ID: strings.ToLower(strings.TrimSpace(row[0])), ParentID: strings.ToLower(strings.TrimSpace(row[1])), Name: row[2], Definition: row[3],
			WhenToUse: row[4], WhenNotToUse: row[5], Example: row[6], Colour: row[7], Position: line}
		switch strings.ToLower(strings.TrimSpace(row[8])) {
		case "yes", "true", "1":
			c.Archived = true
		}
		c.Normalise()
		problems = append(problems, checkImported(c, where, 0, seen)...)
		seen[c.ID] = true
		codes = append(codes, c)
	}
	if len(codes) == 0 {
		return nil, problems, ErrEmptyCodebook
	}
	// Parents must be in the file, and the tree no deeper than allowed.
	byID := map[string]Code{}
	for _, c := range codes {
		byID[c.ID] = c
	}
	for i, c := range codes {
		if c.ParentID == "" {
			continue
		}
		if _, ok := byID[c.ParentID]; !ok || c.ParentID == c.ID {
			problems = append(problems, ImportProblem{fmt.Sprintf("line %d", i+2), ErrImportParent})
			continue
		}
		d := 0
		for p := c.ParentID; p != "" && d <= MaxDepth; p = byID[p].ParentID {
			d++
		}
		if d >= MaxDepth {
			problems = append(problems, ImportProblem{fmt.Sprintf("line %d", i+2), ErrImportDepth})
		}
	}
	return codes, problems, nil
}
