package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/support"
)

// The public directory is served from a copy in memory: a change by
// staff on this instance shows at once; a change made elsewhere (another
// instance on the same database, here the store directly) shows within
// a few seconds of the next requests.
func TestSupportDirectoryCopyIsFresh(t *testing.T) {
	t.Parallel()
	eachEnv(t, testSupportDirectoryCopyIsFresh)
}

func testSupportDirectoryCopyIsFresh(t *testing.T, e *env) {
	addService(t, e, svc("First service", []string{"en"}, []string{"emotional"}, ""))
	conn := e.newStaff("connector@example.org", account.Connector, "")
	c := e.client()
	c.signIn(conn)
	a := e.client() // a visitor, not signed in: their pages may be kept rendered
	for range 2 {
		if r := a.get("/support?language=so"); r.status != http.StatusOK || strings.Contains(r.body, "First service") {
			t.Fatalf("directory: %d", r.status)
		}
		if r := a.get("/support"); r.status != http.StatusOK || !strings.Contains(r.body, "First service") {
			t.Fatalf("directory: %d", r.status)
		}
	}

	r := c.post("/staff/support", url.Values{"name": {"Staff added"}, "organisation": {"Org"}, "summary": {"New"},
		"needs": {"emotional"}, "area": {"local"}, "languages": {"so"}, "phone": {"01632 960000"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create: %d", r.status)
	}
	if r := a.get("/support?language=so"); !strings.Contains(r.body, "Staff added") {
		t.Fatal("a service staff added is not in the public directory at once")
	}
	list, _, _ := e.store.SearchSupport(ctx, supportFilterByName("Staff added"))
	if len(list) != 1 {
		t.Fatalf("not saved: %d", len(list))
	}
	if r := c.post("/staff/support/"+list[0].ID+"/delete", nil); r.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.status)
	}
	if r := a.get("/support?language=so"); strings.Contains(r.body, "Staff added") {
		t.Fatal("a deleted service is still in the public directory")
	}
	// Pages served again are counted again.
	if err := e.web.FlushSupportCounts(ctx); err != nil {
		t.Fatal(err)
	}
	rows, _ := e.store.SignpostReport(ctx, "2000-01")
	shown := 0
	for _, row := range rows {
		if row.Name == "First service" && row.Place == "directory" {
			shown += row.Shown
		}
	}
	if shown != 2 {
		t.Errorf("the first service was shown twice (once from a kept page), counted %d", shown)
	}

	// Elsewhere: the store changes under the server.
	addService(t, e, svc("Added elsewhere", []string{"en"}, []string{"peer"}, ""))
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := a.get("/support?need=peer")
		if strings.Contains(r.body, "Added elsewhere") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a service added on another instance never reached the directory")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func supportFilterByName(q string) support.Filter { return support.Filter{Text: q} }
