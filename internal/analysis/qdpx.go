package analysis

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

// derivedGUID makes a stable GUID for something that has no id of its
// own in hearme (a variable, the Coding element of a selection).
func derivedGUID(kind, name string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("hearme:"+kind+":"+name)).String()
}

// WriteQDPX writes a project as a REFI-QDA project exchange file: a zip
// with project.qde and each source's text in Sources/<guid>.txt (UTF-8,
// no byte-order mark; positions count code points of that text).
func WriteQDPX(w io.Writer, p Project) error {
	doc := qdeProject{Name: p.Name, Origin: refiOrigin, CreationTime: stamp(p.Created)}
	if len(p.Users) > 0 {
		doc.Users = &struct {
			User []qdeUser `xml:"User"`
		}{}
		for _, u := range p.Users {
			doc.Users.User = append(doc.Users.User, qdeUser{u.GUID, u.Name})
		}
	}
	var notes []qdeTextSource
	noteOf := func(m Memo) string {
		notes = append(notes, qdeTextSource{GUID: m.GUID, Name: m.Title, CreatingUser: m.By, CreationTime: stamp(m.Created), Content: m.Text})
		return m.GUID
	}
	codeNotes := map[string][]string{}
	ids := make([]string, 0, len(p.CodeMemos))
	for id := range p.CodeMemos {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		for _, m := range p.CodeMemos[id] {
			codeNotes[id] = append(codeNotes[id], noteOf(m))
		}
	}
	if tree := treeOf(NewCodebook(p.Codes), "", codeNotes); len(tree) > 0 {
		doc.CodeBook = &struct {
			Codes struct {
				Code []qdcCode `xml:"Code"`
			} `xml:"Codes"`
		}{}
		doc.CodeBook.Codes.Code = tree
	}
	if len(p.Variables) > 0 {
		doc.Variables = &struct {
			Variable []qdeVariable `xml:"Variable"`
		}{}
		for _, v := range p.Variables {
			doc.Variables.Variable = append(doc.Variables.Variable, qdeVariable{derivedGUID("variable", v), v, "Text"})
		}
	}
	zw := zip.NewWriter(w)
	if len(p.Sources) > 0 {
		doc.Sources = &struct {
			TextSource []qdeTextSource `xml:"TextSource"`
		}{}
	}
	for _, s := range p.Sources {
		file := s.GUID + ".txt"
		ts := qdeTextSource{GUID: s.GUID, Name: s.Name, PlainTextPath: "internal://" + file, CreatingUser: s.By, CreationTime: stamp(s.Created)}
		n := len([]rune(s.Text))
		for _, sel := range s.Selections {
			if sel.Start < 0 || sel.End > n || sel.Start >= sel.End {
				return fmt.Errorf("analysis: selection %s is outside source %s", sel.GUID, s.GUID)
			}
			ts.Selections = append(ts.Selections, qdeSelection{
				GUID: sel.GUID, Start: sel.Start, End: sel.End, CreatingUser: sel.By, CreationTime: stamp(sel.Created),
				Codings: []qdeCoding{{GUID: derivedGUID("coding", sel.GUID), CreatingUser: sel.By, CodeRef: ref{sel.Code}}},
			})
		}
		for _, m := range s.Memos {
			ts.NoteRefs = append(ts.NoteRefs, ref{noteOf(m)})
		}
		for _, v := range p.Variables {
			if val, ok := s.Values[v]; ok && val != "" {
				ts.Values = append(ts.Values, qdeValue{ref{derivedGUID("variable", v)}, val})
			}
		}
		doc.Sources.TextSource = append(doc.Sources.TextSource, ts)
		f, err := zw.Create(path.Join("Sources", file))
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, s.Text); err != nil {
			return err
		}
	}
	if len(notes) > 0 {
		doc.Notes = &struct {
			Note []qdeTextSource `xml:"Note"`
		}{Note: notes}
	}
	f, err := zw.Create("project.qde")
	if err != nil {
		return err
	}
	if err := writeXML(f, doc); err != nil {
		return err
	}
	return zw.Close()
}

// ErrNotProject means a file is not a REFI-QDA project exchange file.
var ErrNotProject = errors.New("analysis: the file is not a REFI-QDA project (.qdpx)")

// maxProjectFile caps what is read from any one file of a .qdpx, so a
// hostile zip cannot expand without limit.
const maxProjectFile = 64 << 20

// ReadQDPX reads a project exchange file back: the codebook, sources with
// their text, selections with their codes, and memos.
func ReadQDPX(r io.ReaderAt, size int64) (Project, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return Project{}, fmt.Errorf("%w: %v", ErrNotProject, err)
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	read := func(name string) ([]byte, error) {
		f, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("%w: %s is missing", ErrNotProject, name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, maxProjectFile+1))
		if len(b) > maxProjectFile {
			return nil, fmt.Errorf("%w: %s is too large", ErrNotProject, name)
		}
		return b, err
	}
	raw, err := read("project.qde")
	if err != nil {
		return Project{}, err
	}
	var doc qdeProject
	dec := xml.NewDecoder(bytes.NewReader(raw))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil || doc.XMLName.Space != ProjectNamespace {
		return Project{}, fmt.Errorf("%w: %v", ErrNotProject, err)
	}
	p := Project{Name: doc.Name, CodeMemos: map[string][]Memo{}}
	p.Created, _ = time.Parse(time.RFC3339, doc.CreationTime)
	if doc.Users != nil {
		for _, u := range doc.Users.User {
			p.Users = append(p.Users, User{u.GUID, u.Name})
		}
	}
	notes := map[string]Memo{}
	if doc.Notes != nil {
		for _, n := range doc.Notes.Note {
			t, _ := time.Parse(time.RFC3339, n.CreationTime)
			notes[n.GUID] = Memo{GUID: n.GUID, Title: n.Name, Text: n.Content, By: n.CreatingUser, Created: t}
		}
	}
	if doc.CodeBook != nil {
		var walk func(qs []qdcCode, parent string)
		walk = func(qs []qdcCode, parent string) {
			for i, q := range qs {
				c := Code{ID: q.GUID, ParentID: parent, Name: q.Name, Colour: q.Color, Archived: !q.IsCodable, Position: i}
				undescribe(q.Description, &c)
				p.Codes = append(p.Codes, c)
				for _, nr := range q.NoteRefs {
					p.CodeMemos[q.GUID] = append(p.CodeMemos[q.GUID], notes[nr.TargetGUID])
				}
				walk(q.Codes, q.GUID)
			}
		}
		walk(doc.CodeBook.Codes.Code, "")
	}
	varNames := map[string]string{}
	if doc.Variables != nil {
		for _, v := range doc.Variables.Variable {
			p.Variables = append(p.Variables, v.Name)
			varNames[v.GUID] = v.Name
		}
	}
	if doc.Sources != nil {
		for _, ts := range doc.Sources.TextSource {
			s := Source{GUID: ts.GUID, Name: ts.Name, By: ts.CreatingUser, Values: map[string]string{}}
			s.Created, _ = time.Parse(time.RFC3339, ts.CreationTime)
			switch {
			case ts.Content != "":
				s.Text = ts.Content
			case strings.HasPrefix(ts.PlainTextPath, "internal://"):
				b, err := read(path.Join("Sources", strings.TrimPrefix(ts.PlainTextPath, "internal://")))
				if err != nil {
					return Project{}, err
				}
				s.Text = string(b)
			}
			for _, sel := range ts.Selections {
				t, _ := time.Parse(time.RFC3339, sel.CreationTime)
				for _, c := range sel.Codings {
					s.Selections = append(s.Selections, Selection{GUID: sel.GUID, Start: sel.Start, End: sel.End, Code: c.CodeRef.TargetGUID, By: sel.CreatingUser, Created: t})
				}
			}
			for _, nr := range ts.NoteRefs {
				s.Memos = append(s.Memos, notes[nr.TargetGUID])
			}
			for _, v := range ts.Values {
				s.Values[varNames[v.VariableRef.TargetGUID]] = v.TextValue
			}
			p.Sources = append(p.Sources, s)
		}
	}
	return p, nil
}

// FieldText is one answer of an experience, with the heading it gets in
// an exported source.
type FieldText struct {
	Field, Heading, Text string
}

// SourceText joins an experience's answers into one plain text, each
// under its heading, and returns where each answer starts (in code
// points), so passages map onto positions in the exported source.
func SourceText(fields []FieldText) (string, map[string]int) {
	var b strings.Builder
	starts := map[string]int{}
	n := 0
	for _, f := range fields {
		if f.Text == "" {
			continue
		}
		if n > 0 {
			b.WriteString("\n\n")
			n += 2
		}
		head := f.Heading + "\n"
		b.WriteString(head)
		n += len([]rune(head))
		starts[f.Field] = n
		b.WriteString(f.Text)
		n += len([]rune(f.Text))
	}
	return b.String(), starts
}
