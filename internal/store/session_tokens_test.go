package store_test

import (
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// Web sessions are stored under a hash of their token: the key a reader
// of the database sees does not open the session.
func TestSessionsStoredUnderTokenHash(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ss := s.SessionStore()
		token := auth.RandomToken(32)
		if err := ss.Commit(token, []byte("session data"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		var keys []string
		rows, err := s.SessionsDB().QueryContext(ctx, "SELECT token FROM sessions")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			keys = append(keys, k)
		}
		rows.Close()
		if len(keys) != 1 || keys[0] == token || keys[0] != auth.HashToken(token) {
			t.Fatalf("stored keys %q for token %q: want only its hash", keys, token)
		}
		if b, ok, err := ss.Find(token); err != nil || !ok || string(b) != "session data" {
			t.Fatalf("Find(token) = %q, %v, %v", b, ok, err)
		}
		// The stored key, used as a token, finds nothing.
		if _, ok, err := ss.Find(keys[0]); err != nil || ok {
			t.Fatalf("the stored key opened the session (%v, %v)", ok, err)
		}
		if err := ss.Delete(token); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := ss.Find(token); ok {
			t.Fatal("session still there after Delete")
		}
	})
}
