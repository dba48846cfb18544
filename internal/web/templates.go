package web

import (
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hearme-project/hearme/ui"
)

// pageTemplates holds the page templates, each parsed on its first use
// and kept from then on. Parsing all of some 80 pages at start held
// about 12.5 MB of parse trees in every idle server, most of them for
// pages a given instance rarely or never serves (docs/performance.md,
// section 4); a page now costs its parse (a few hundred microseconds)
// once, on its first request. The templates are embedded, so a page that
// does not parse is a build fault: TestEveryPageParses parses them all.
//
// Each page is parsed with the layout and only the partials (blocks
// several pages of one part of the site share, one file per part) it
// calls, directly or through the layout or another partial. Cloning the
// layout with every partial under each page held a copy of every
// partial's parse tree per page: about 26 MB.
type pageTemplates struct {
	pages  map[string]*lazyPage // by page name; fixed after newPageTemplates
	index  sync.Once            // which partial files define which names
	files  partialIndex
	ierr   error
	parsed atomic.Int32 // pages parsed so far (tests)
}

type lazyPage struct {
	file string // templates/pages/<name>.html
	once sync.Once
	t    *template.Template
	err  error
}

// partialIndex is what parsing a page needs to know of the layout and
// partials, read once on the first page's parse.
type partialIndex struct {
	layoutCalls []string            // names the layout calls
	partials    []string            // file names, in name order
	calls       map[string][]string // partial file -> names it calls
	definedIn   map[string][]string // template name -> partial files defining it
}

// newPageTemplates lists the pages; it parses none of them.
func newPageTemplates() (*pageTemplates, error) {
	files, err := fs.Glob(ui.Templates, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	pt := &pageTemplates{pages: make(map[string]*lazyPage, len(files))}
	for _, f := range files {
		pt.pages[strings.TrimSuffix(path.Base(f), ".html")] = &lazyPage{file: f}
	}
	return pt, nil
}

// page returns the named page's template, parsing it on first use.
func (pt *pageTemplates) page(name string) (*template.Template, error) {
	lp, ok := pt.pages[name]
	if !ok {
		return nil, fmt.Errorf("no template %q", name)
	}
	lp.once.Do(func() {
		lp.t, lp.err = pt.parse(lp.file)
		pt.parsed.Add(1)
	})
	return lp.t, lp.err
}

// parseAll parses every page (tests), returning the first error.
func (pt *pageTemplates) parseAll() error {
	for name := range pt.pages {
		if _, err := pt.page(name); err != nil {
			return err
		}
	}
	return nil
}

func (pt *pageTemplates) parse(file string) (*template.Template, error) {
	pt.index.Do(func() { pt.files, pt.ierr = readPartialIndex() })
	if pt.ierr != nil {
		return nil, pt.ierr
	}
	ix := &pt.files
	page, err := fs.ReadFile(ui.Templates, file)
	if err != nil {
		return nil, err
	}
	needed := map[string]bool{}
	for queue := [][]string{ix.layoutCalls, calledNames(string(page))}; len(queue) > 0; queue = queue[1:] {
		for _, name := range queue[0] {
			for _, pf := range ix.definedIn[name] {
				if !needed[pf] {
					needed[pf] = true
					queue = append(queue, ix.calls[pf])
				}
			}
		}
	}
	set := []string{"templates/layout.html"}
	for _, pf := range ix.partials { // in name order, as before
		if needed[pf] {
			set = append(set, pf)
		}
	}
	t, err := template.ParseFS(ui.Templates, append(set, file)...)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", file, err)
	}
	return t, nil
}

func readPartialIndex() (partialIndex, error) {
	ix := partialIndex{calls: map[string][]string{}, definedIn: map[string][]string{}}
	layout, err := fs.ReadFile(ui.Templates, "templates/layout.html")
	if err != nil {
		return ix, err
	}
	ix.layoutCalls = calledNames(string(layout))
	if ix.partials, err = fs.Glob(ui.Templates, "templates/partials/*.html"); err != nil {
		return ix, err
	}
	for _, f := range ix.partials {
		b, err := fs.ReadFile(ui.Templates, f)
		if err != nil {
			return ix, err
		}
		ix.calls[f] = calledNames(string(b))
		for _, m := range templateDefinition.FindAllStringSubmatch(string(b), -1) {
			ix.definedIn[m[1]] = append(ix.definedIn[m[1]], f)
		}
	}
	return ix, nil
}

// calledNames lists the template names src calls.
func calledNames(src string) []string {
	var names []string
	for _, m := range templateCall.FindAllStringSubmatch(src, -1) {
		names = append(names, m[1])
	}
	return names
}

// templateCall and templateDefinition find the names a template calls
// and the names a file defines.
var (
	templateCall       = regexp.MustCompile(`\{\{-?\s*(?:template|block)\s+"([^"]+)"`)
	templateDefinition = regexp.MustCompile(`\{\{-?\s*(?:define|block)\s+"([^"]+)"`)
)
