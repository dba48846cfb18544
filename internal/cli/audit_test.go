package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/store"
)

// hearme audit verify, with the key and checkpoint from the data
// directory, reports a trail whose last entries or every entry were
// deleted, or that was edited and recomputed, with the triggers dropped.
func TestAuditVerifyDetectsTampering(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, tamper := range map[string]func(t *testing.T, st *store.Store){
		"last entries deleted": func(t *testing.T, st *store.Store) { exec(t, st, "DELETE FROM audit_log WHERE seq > 2") },
		"every entry deleted":  func(t *testing.T, st *store.Store) { exec(t, st, "DELETE FROM audit_log") },
		"edited and recomputed": func(t *testing.T, st *store.Store) {
			rows, err := st.WriteDB().QueryContext(ctx, "SELECT seq, at, actor_id, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY seq")
			if err != nil {
				t.Fatal(err)
			}
			var es []audit.Entry
			for rows.Next() {
				var e audit.Entry
				if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.Action, &e.Subject, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
					t.Fatal(err)
				}
				es = append(es, e)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
			prev := audit.GenesisHash
			for i, e := range es {
				if i == 0 {
					e.Subject = "someone else"
				}
				e.PrevHash = prev
				e.Hash = audit.ComputeHash(e) // all one can compute without the key
				prev = e.Hash
				exec(t, st, "UPDATE audit_log SET subject = ?, prev_hash = ?, hash = ? WHERE seq = ?", e.Subject, e.PrevHash, e.Hash, e.Seq)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			for _, email := range []string{"a@example.org", "b@example.org", "c@example.org"} {
				if code, _, errs := run(t, "admin", "create", "--data", data, "--email", email, "--name", "A", "--role", "analyst"); code != 0 {
					t.Fatalf("create: %s", errs)
				}
			}
			if code, out, errs := run(t, "jobs", "run", "audit-checkpoint", "--data", data); code != 0 {
				t.Fatalf("checkpoint job: %d %s %s", code, out, errs)
			}
			if code, out, errs := run(t, "audit", "verify", "--data", data); code != 0 || !strings.Contains(out, "intact") {
				t.Fatalf("untouched: %d %s %s", code, out, errs)
			}
			st, err := store.Open(ctx, filepath.Join(data, "hearme.db"))
			if err != nil {
				t.Fatal(err)
			}
			exec(t, st, "DROP TRIGGER audit_log_no_update")
			exec(t, st, "DROP TRIGGER audit_log_no_delete")
			tamper(t, st)
			st.Close()
			code, out, errs := run(t, "audit", "verify", "--data", data)
			if code == 0 || !strings.Contains(errs, "audit trail broken") {
				t.Fatalf("%s: audit verify exited %d: %s %s", name, code, out, errs)
			}
		})
	}
}

func exec(t *testing.T, st *store.Store, q string, args ...any) {
	t.Helper()
	if _, err := st.WriteDB().ExecContext(context.Background(), q, args...); err != nil {
		t.Fatal(err)
	}
}
