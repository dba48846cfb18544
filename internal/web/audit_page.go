package web

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/tabular"
)

// The audit trail as people read it (/staff/audit): who by name and
// role, filtered by person, action, record and dates, the chain's
// verification state (the same check as `hearme audit verify`), and a
// CSV export of what the filter shows, itself audited.

// AuditExported is the audit action of a CSV export of the trail.
const AuditExported = "audit.exported"

// auditQuery is the filter as typed (GET parameters).
type auditQuery struct {
	Who, Action, Subject, From, To string
}

// auditRow is an entry with its actor's name and role.
type auditRow struct {
	audit.Entry
	Name, Role string
}

// readAuditQuery reads the filter; a date that does not parse is
// reported, not silently ignored.
func (s *Server) readAuditQuery(r *http.Request) (auditQuery, store.AuditFilter, []string) {
	get := func(k string, n int) string {
		v := r.URL.Query().Get(k)
		if len(v) > n {
			v = v[:n]
		}
		return v
	}
	q := auditQuery{Who: get("who", 64), Action: get("action", 80), Subject: get("subject", 80), From: get("from", 10), To: get("to", 10)}
	f := store.AuditFilter{ActorID: q.Who, Action: q.Action, Subject: q.Subject, Limit: 500}
	var bad []string
	loc := s.site.Load().loc
	for _, d := range []struct {
		in   string
		id   string
		out  *time.Time
		next bool
	}{{q.From, "from", &f.From, false}, {q.To, "to", &f.To, true}} {
		if d.in == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, d.in, loc)
		if err != nil {
			bad = append(bad, d.id)
			continue
		}
		if d.next { // "to" includes the whole day
			t = t.AddDate(0, 0, 1)
		}
		*d.out = t
	}
	return q, f, bad
}

func (s *Server) auditRows(r *http.Request, f store.AuditFilter) ([]auditRow, map[string]store.StaffName, error) {
	entries, err := s.store.FilterAudit(r.Context(), f)
	if err != nil {
		return nil, nil, err
	}
	names, err := s.store.StaffNames(r.Context())
	if err != nil {
		return nil, nil, err
	}
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		rows[i] = auditRow{Entry: e}
		if n, ok := names[e.ActorID]; ok {
			rows[i].Name, rows[i].Role = n.Name, string(n.Role)
		}
	}
	return rows, names, nil
}

// handleAudit verifies the chain and shows the entries the filter picks.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	brk, checked, err := s.store.VerifyAudit(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	q, f, bad := s.readAuditQuery(r)
	status := http.StatusOK
	p := s.newPage(r)
	for _, id := range bad {
		p.Errors.Add(id, "audit.error.date")
		status = http.StatusUnprocessableEntity
	}
	var rows []auditRow
	var names map[string]store.StaffName
	if len(bad) == 0 {
		if rows, names, err = s.auditRows(r, f); err != nil {
			s.serverError(w, r, err)
			return
		}
	} else if names, err = s.store.StaffNames(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	actions, err := s.store.AuditActions(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	type person struct{ ID, Name, Role string }
	people := make([]person, 0, len(names))
	for id, n := range names {
		people = append(people, person{id, n.Name, string(n.Role)})
	}
	sortPeople(people, func(a person) string { return a.Name + "\x00" + a.ID })
	p.Form = q
	p.Data = struct {
		Break    *audit.Break
		Checked  int64
		Entries  []auditRow
		Filtered bool
		Actions  []string
		People   []person
		Query    string
	}{brk, checked, rows, q != auditQuery{}, actions, people, r.URL.RawQuery}
	s.render(w, r, status, "audit", p)
}

// handleAuditCSV exports the filtered entries, formula cells
// neutralised, and records the export (with its filter) in the trail.
func (s *Server) handleAuditCSV(w http.ResponseWriter, r *http.Request) {
	q, f, bad := s.readAuditQuery(r)
	if len(bad) > 0 {
		s.errorPage(w, r, http.StatusBadRequest)
		return
	}
	f.Limit = 100_000
	rows, _, err := s.auditRows(r, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	buf.WriteString(tabular.BOM)
	cw := csv.NewWriter(&buf)
	write := func(cells ...string) {
		for i := range cells {
			cells[i] = tabular.Neutralise(cells[i])
		}
		cw.Write(cells)
	}
	write("seq", "at_utc", "actor_id", "actor_name", "actor_role", "action", "subject", "detail", "hash")
	for _, e := range rows {
		write(strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339), e.ActorID, e.Name, e.Role, e.Action, e.Subject, e.Detail, e.Hash)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.serverError(w, r, err)
		return
	}
	detail := audit.Detail(map[string]string{"who": q.Who, "action": q.Action, "subject": q.Subject, "from": q.From, "to": q.To, "rows": strconv.Itoa(len(rows))})
	if err := s.store.AppendAudit(r.Context(), reqCtx(r).user.ID, AuditExported, "audit_log", detail); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="audit-trail.csv"`)
	w.Write(buf.Bytes())
}

// sortPeople orders the filter's people by key.
func sortPeople[T any](xs []T, key func(T) string) {
	sort.Slice(xs, func(i, j int) bool { return key(xs[i]) < key(xs[j]) })
}
