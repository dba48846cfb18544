package analysis

// REFI-QDA is the exchange standard of qualitative analysis software
// (NVivo, ATLAS.ti, MAXQDA, QualCoder): a codebook file (.qdc, namespace
// urn:QDA-XML:codebook:1.0) and a project file (.qdpx: a zip holding
// project.qde, namespace urn:QDA-XML:project:1.0, and the sources' plain
// text under Sources/). See https://www.qdasoftware.org (REFI-QDA 1.5).

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Namespaces of the two REFI-QDA documents.
const (
	CodebookNamespace = "urn:QDA-XML:codebook:1.0"
	ProjectNamespace  = "urn:QDA-XML:project:1.0"
	refiOrigin        = "hearme"
)

// guidPattern is the standard's GUIDType: 8-4-4-4-12 hex digits, with or
// without braces.
var guidPattern = regexp.MustCompile(`^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$`)

// ValidGUID reports whether s is a GUID as the standard writes them.
func ValidGUID(s string) bool { return guidPattern.MatchString(s) }

// qdcCode is a Code element: Description, then sub-codes.
type qdcCode struct {
	GUID        string    `xml:"guid,attr"`
	Name        string    `xml:"name,attr"`
	IsCodable   bool      `xml:"isCodable,attr"`
	Color       string    `xml:"color,attr,omitempty"`
	Description string    `xml:"Description,omitempty"`
	NoteRefs    []ref     `xml:"NoteRef,omitempty"` // project files only
	Codes       []qdcCode `xml:"Code,omitempty"`
}

type ref struct {
	TargetGUID string `xml:"targetGUID,attr"`
}

type qdcCodebook struct {
	XMLName xml.Name `xml:"urn:QDA-XML:codebook:1.0 CodeBook"`
	Origin  string   `xml:"origin,attr,omitempty"`
	Codes   struct {
		Code []qdcCode `xml:"Code"`
	} `xml:"Codes"`
}

// The labels that carry a code's guidance inside the one Description the
// standard has, so that an exported codebook imports back whole.
const (
	labelWhenToUse    = "When to use: "
	labelWhenNotToUse = "When not to use: "
	labelExample      = "Example: "
)

// describe writes a code's guidance as one Description.
func describe(c Code) string {
	var b strings.Builder
	b.WriteString(c.Definition)
	if c.WhenToUse != "" || c.WhenNotToUse != "" || c.Example != "" {
		b.WriteString("\n")
	}
	for _, f := range []struct{ label, v string }{{labelWhenToUse, c.WhenToUse}, {labelWhenNotToUse, c.WhenNotToUse}, {labelExample, c.Example}} {
		if f.v != "" {
			b.WriteString("\n" + f.label + strings.ReplaceAll(f.v, "\n", " "))
		}
	}
	return b.String()
}

// undescribe reads the guidance back; a description written by other
// software becomes the definition as it is.
func undescribe(d string, c *Code) {
	var def []string
	for _, line := range strings.Split(d, "\n") {
		switch {
		case strings.HasPrefix(line, labelWhenToUse):
			c.WhenToUse = strings.TrimPrefix(line, labelWhenToUse)
		case strings.HasPrefix(line, labelWhenNotToUse):
			c.WhenNotToUse = strings.TrimPrefix(line, labelWhenNotToUse)
		case strings.HasPrefix(line, labelExample):
			c.Example = strings.TrimPrefix(line, labelExample)
		default:
			def = append(def, line)
		}
	}
	c.Definition = strings.TrimSpace(strings.Join(def, "\n"))
}

// treeOf nests the codebook's codes (merged ones left out: their codings
// count under the code they were merged into).
func treeOf(b *Codebook, parent string, notes map[string][]string) []qdcCode {
	var out []qdcCode
	for _, c := range b.Children(parent) {
		if c.MergedInto != "" {
			continue
		}
		q := qdcCode{GUID: c.ID, Name: c.Name, IsCodable: !c.Archived, Color: c.Colour, Description: describe(c)}
		for _, n := range notes[c.ID] {
			q.NoteRefs = append(q.NoteRefs, ref{n})
		}
		q.Codes = treeOf(b, c.ID, notes)
		out = append(out, q)
	}
	return out
}

// WriteQDC writes the codebook as a REFI-QDA codebook file.
func WriteQDC(w io.Writer, codes []Code) error {
	doc := qdcCodebook{Origin: refiOrigin}
	doc.Codes.Code = treeOf(NewCodebook(codes), "", nil)
	if len(doc.Codes.Code) == 0 {
		return ErrEmptyCodebook
	}
	return writeXML(w, doc)
}

func writeXML(w io.Writer, v any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	return enc.Close()
}

// Import errors.
var (
	ErrEmptyCodebook = errors.New("analysis: the codebook has no codes")
	ErrNotCodebook   = errors.New("analysis: the file is not a REFI-QDA codebook")
	ErrTooManyCodes  = fmt.Errorf("analysis: a codebook of more than %d codes", MaxCodes)
)

// ImportProblem is one problem found in an imported codebook, with where.
type ImportProblem struct {
	Where string // a line number (CSV) or a code's path (QDC)
	Err   error
}

func (p ImportProblem) Error() string { return p.Where + ": " + p.Err.Error() }

// Problem errors of single codes on import.
var (
	ErrImportGUID   = errors.New("the code's id is not a GUID")
	ErrImportName   = errors.New("the code has no name, or a name over 80 characters")
	ErrImportColour = errors.New("the colour is not #rrggbb")
	ErrImportText   = errors.New("a text is over 2,000 characters")
	ErrImportDupe   = errors.New("the same id appears twice")
	ErrImportDepth  = errors.New("codes are nested deeper than 4 levels")
	ErrImportParent = errors.New("the parent id names no code in the file")
)

// ReadQDC parses a REFI-QDA codebook. It returns every problem found
// (nothing is imported unless there are none), or the codes in order,
// parents first.
func ReadQDC(r io.Reader) ([]Code, []ImportProblem, error) {
	var doc qdcCodebook
	dec := xml.NewDecoder(r)
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrNotCodebook, err)
	}
	if doc.XMLName.Space != CodebookNamespace {
		return nil, nil, ErrNotCodebook
	}
	var codes []Code
	var problems []ImportProblem
	seen := map[string]bool{}
	var walk func(qs []qdcCode, parent, path string, depth int) error
	walk = func(qs []qdcCode, parent, path string, depth int) error {
		for i, q := range qs {
			if len(codes) >= MaxCodes {
				return ErrTooManyCodes
			}
			where := fmt.Sprintf("%s/%d %q", path, i+1, q.Name)
			c := Code{ID: strings.ToLower(strings.Trim(q.GUID, "{}")), ParentID: parent, Name: q.Name, Colour: strings.ToLower(q.Color), Archived: !q.IsCodable, Position: i}
			undescribe(q.Description, &c)
			c.Normalise()
			problems = append(problems, checkImported(c, where, depth, seen)...)
			seen[c.ID] = true
			codes = append(codes, c)
			if err := walk(q.Codes, c.ID, where, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(doc.Codes.Code, "", "", 0); err != nil {
		return nil, nil, err
	}
	if len(codes) == 0 {
		return nil, nil, ErrEmptyCodebook
	}
	return codes, problems, nil
}

func checkImported(c Code, where string, depth int, seen map[string]bool) []ImportProblem {
	var ps []ImportProblem
	add := func(err error) { ps = append(ps, ImportProblem{where, err}) }
	if !ValidGUID(c.ID) {
		add(ErrImportGUID)
	} else if seen[c.ID] {
		add(ErrImportDupe)
	}
	if n := utf8.RuneCountInString(c.Name); n == 0 || n > MaxCodeName {
		add(ErrImportName)
	}
	if c.Colour != "" && !colourPattern.MatchString(c.Colour) {
		add(ErrImportColour)
	}
	for _, t := range []string{c.Definition, c.WhenToUse, c.WhenNotToUse, c.Example} {
		if utf8.RuneCountInString(t) > MaxCodeText {
			add(ErrImportText)
			break
		}
	}
	if depth >= MaxDepth {
		add(ErrImportDepth)
	}
	return ps
}

// ---- project (.qde inside .qdpx) -------------------------------------

// Project is what a .qdpx carries: the codebook, the sources (one per
// experience: its answers as one plain text), the coded passages and the
// memos. Users are pseudonyms: a university partner needs to tell coders
// apart, not to know who they are.
type Project struct {
	Name      string
	Created   time.Time
	Users     []User
	Codes     []Code
	CodeMemos map[string][]Memo // code id -> memos
	Sources   []Source
	Variables []string // names of the attributes every source may carry
}

// User is a coder, by a stable pseudonymous GUID and name.
type User struct{ GUID, Name string }

// Memo is a note on an experience or a code.
type Memo struct {
	GUID    string
	Title   string
	Text    string
	By      string // user GUID
	Created time.Time
}

// Source is one experience as a text document.
type Source struct {
	GUID       string
	Name       string // its reference, e.g. HM-7K4Q-9XPT
	Text       string
	By         string // user GUID of whoever recorded it ("" for online)
	Created    time.Time
	Selections []Selection
	Memos      []Memo
	Values     map[string]string // variable name -> value (community, stage, language, source)
}

// Selection is a coded passage of a source, in code points of its Text.
type Selection struct {
	GUID    string
	Start   int
	End     int
	Code    string // code GUID
	By      string // user GUID
	Created time.Time
}

type qdeProject struct {
	XMLName      xml.Name `xml:"urn:QDA-XML:project:1.0 Project"`
	Name         string   `xml:"name,attr"`
	Origin       string   `xml:"origin,attr,omitempty"`
	CreationTime string   `xml:"creationDateTime,attr,omitempty"`
	Users        *struct {
		User []qdeUser `xml:"User"`
	} `xml:"Users,omitempty"`
	CodeBook *struct {
		Codes struct {
			Code []qdcCode `xml:"Code"`
		} `xml:"Codes"`
	} `xml:"CodeBook,omitempty"`
	Variables *struct {
		Variable []qdeVariable `xml:"Variable"`
	} `xml:"Variables,omitempty"`
	Sources *struct {
		TextSource []qdeTextSource `xml:"TextSource"`
	} `xml:"Sources,omitempty"`
	Notes *struct {
		Note []qdeTextSource `xml:"Note"`
	} `xml:"Notes,omitempty"`
}

type qdeUser struct {
	GUID string `xml:"guid,attr"`
	Name string `xml:"name,attr,omitempty"`
}

type qdeVariable struct {
	GUID string `xml:"guid,attr"`
	Name string `xml:"name,attr"`
	Type string `xml:"typeOfVariable,attr"`
}

type qdeTextSource struct {
	GUID          string         `xml:"guid,attr"`
	Name          string         `xml:"name,attr,omitempty"`
	PlainTextPath string         `xml:"plainTextPath,attr,omitempty"`
	CreatingUser  string         `xml:"creatingUser,attr,omitempty"`
	CreationTime  string         `xml:"creationDateTime,attr,omitempty"`
	Content       string         `xml:"PlainTextContent,omitempty"`
	Selections    []qdeSelection `xml:"PlainTextSelection,omitempty"`
	NoteRefs      []ref          `xml:"NoteRef,omitempty"`
	Values        []qdeValue     `xml:"VariableValue,omitempty"`
}

type qdeSelection struct {
	GUID         string      `xml:"guid,attr"`
	Start        int         `xml:"startPosition,attr"`
	End          int         `xml:"endPosition,attr"`
	CreatingUser string      `xml:"creatingUser,attr,omitempty"`
	CreationTime string      `xml:"creationDateTime,attr,omitempty"`
	Codings      []qdeCoding `xml:"Coding"`
}

type qdeCoding struct {
	GUID         string `xml:"guid,attr"`
	CreatingUser string `xml:"creatingUser,attr,omitempty"`
	CodeRef      ref    `xml:"CodeRef"`
}

type qdeValue struct {
	VariableRef ref    `xml:"VariableRef"`
	TextValue   string `xml:"TextValue"`
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
