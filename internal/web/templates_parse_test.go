package web

import (
	"io/fs"
	"path"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/ui"
)

// Each page holds the partials it calls and no others: the home page does
// not carry the events part's blocks (every page carrying every partial
// held about 26 MB of parse trees), and every template a page, the layout
// or a partial calls is there to run.
func TestPagesHoldOnlyThePartialsTheyCall(t *testing.T) {
	s := &Server{}
	if err := s.parseTemplates(); err != nil {
		t.Fatal(err)
	}
	if s.pages["home"].Lookup("event-facts") != nil {
		t.Error("the home page carries the events partial it never calls")
	}
	if s.pages["event_detail"].Lookup("event-facts") == nil {
		t.Error("the event page lacks the events partial it calls")
	}
	files, _ := fs.Glob(ui.Templates, "templates/pages/*.html")
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		for _, tt := range s.pages[name].Templates() {
			if tt.Tree == nil {
				continue
			}
			for _, m := range templateCall.FindAllStringSubmatch(tt.Tree.Root.String(), -1) {
				if s.pages[name].Lookup(m[1]) == nil {
					t.Errorf("page %s calls %q, which it does not hold", name, m[1])
				}
			}
		}
	}
}
