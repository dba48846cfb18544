package web_test

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/account"
)

// TestEveryRouteForEveryRole walks the routing table as an anonymous
// visitor and as each role, and checks each answer against the route's
// declared access.
func TestEveryRouteForEveryRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	prog, _ := e.store.Programme(ctx)
	victim := e.newStaff("victim@example.org", account.Champion, "")
	clients := map[string]*client{"anonymous": e.client()}
	for _, role := range account.Roles {
		org := ""
		if role == account.Stakeholder {
			org = prog.Organisations[0].ID
		}
		s := e.newStaff(string(role)+"@example.org", role, org)
		c := e.client()
		c.signIn(s)
		clients[string(role)] = c
	}
	// A second administrator, so the victim changes never hit the
	// last-administrator guard.
	e.newStaff("admin2@example.org", account.Admin, "")

	routes := e.web.Routes()
	// Sign-out ends the session, so it goes last.
	sort.SliceStable(routes, func(i, j int) bool {
		return !strings.HasSuffix(routes[i].Pattern, "/logout") && strings.HasSuffix(routes[j].Pattern, "/logout")
	})
	names := append([]string{"anonymous"}, func() (r []string) {
		for _, role := range account.Roles {
			r = append(r, string(role))
		}
		return
	}()...)
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		path = strings.TrimSuffix(path, "{$}")
		path = strings.ReplaceAll(path, "{id}", victim.ID)
		path = strings.ReplaceAll(path, "{token}", "not-a-real-token-but-long-enough")
		for _, who := range names {
			c := clients[who]
			var r resp
			if method == "POST" {
				r = c.post(path, url.Values{"role": {"champion"}})
			} else {
				r = c.get(path)
			}
			allowed := rt.Access.Public
			for _, role := range rt.Access.Roles {
				allowed = allowed || string(role) == who
			}
			switch {
			case allowed && (r.status == http.StatusForbidden || (!rt.Access.Public && r.location == "/login")):
				t.Errorf("%s %s as %s: got %d %s, want access", method, path, who, r.status, r.location)
			case allowed && r.status >= 500:
				t.Errorf("%s %s as %s: server error %d", method, path, who, r.status)
			case !allowed && who == "anonymous" && method == "POST" && path == "/staff/capture":
				// Posted after the session ended: kept (sealed) while the
				// person signs in again, and nothing is done.
				if r.status != http.StatusSeeOther || r.location != "/login?m=resume" {
					t.Errorf("%s %s as anonymous: got %d %s, want redirect to /login?m=resume", method, path, r.status, r.location)
				}
			case !allowed && who == "anonymous" && method == "GET" && (r.status != http.StatusSeeOther || r.location != "/login"):
				t.Errorf("%s %s as anonymous: got %d %s, want redirect to /login", method, path, r.status, r.location)
			case !allowed && !(who == "anonymous" && method == "GET") && r.status != http.StatusForbidden:
				t.Errorf("%s %s as %s: got %d, want 403", method, path, who, r.status)
			}
		}
	}
}

func TestStaffWithoutSecondFactorMustEnrolFirst(t *testing.T) {
	t.Parallel()
	eachEnv(t, testStaffWithoutSecondFactorMustEnrolFirst)
}

func testStaffWithoutSecondFactorMustEnrolFirst(t *testing.T, e *env) {
	u, _ := e.store.CreateUser(ctx, "test", account.NewUser{Email: "new@example.org", DisplayName: "New", Role: account.Connector})
	s := staff{User: u}
	e.store.SetPassword(ctx, u.ID, mustHash(t))
	c := e.client()
	r := c.post("/login", url.Values{"email": {s.Email}, "password": {testPassword}})
	if r.location != "/staff/account/security-code" {
		t.Fatalf("connector without a second factor went to %q", r.location)
	}
	if r := c.get("/staff"); r.location != "/staff/account/security-code" {
		t.Fatalf("staff home before enrolling: %d %q", r.status, r.location)
	}
	// Champions are spared by default.
	cu, _ := e.store.CreateUser(ctx, "test", account.NewUser{Email: "champ@example.org", DisplayName: "Champ", Role: account.Champion})
	e.store.SetPassword(ctx, cu.ID, mustHash(t))
	c2 := e.client()
	if r := c2.post("/login", url.Values{"email": {"champ@example.org"}, "password": {testPassword}}); r.location != "/staff" {
		t.Fatalf("champion went to %q", r.location)
	}
}
