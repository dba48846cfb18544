package web_test

import (
	"net/http"
	"testing"

	"github.com/hearme-project/hearme/internal/account"
)

// Copying a session's key out of sessions.db into a cookie does not open
// /staff: the database holds only a hash of each token.
func TestStoredSessionKeyDoesNotOpenStaff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.newStaff("amina@example.org", account.Connector, "")
	c := e.client()
	c.signIn(s)
	if r := c.get("/staff"); r.status != http.StatusOK {
		t.Fatalf("the signed-in browser: /staff %d", r.status)
	}
	rows, err := e.store.SessionsDB().QueryContext(ctx, "SELECT token FROM sessions")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if len(keys) == 0 {
		t.Fatal("no session stored")
	}
	for _, k := range keys {
		thief := e.client()
		for _, name := range []string{"hearme_session", "__Host-hearme_session"} {
			r := thief.get("/staff", "Cookie", name+"="+k)
			if r.status == http.StatusOK {
				t.Fatalf("the key stored in sessions.db, sent as the %s cookie, opened /staff", name)
			}
		}
	}
}
