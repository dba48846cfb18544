package store_test

import (
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/store/storetest"
)

// The migrations are written twice, once per dialect. This test migrates
// both databases and compares what they built: every table, column (type
// family, nullability, whether it has a default), primary key, unique
// constraint, index (name, columns, unique, partial), foreign key (with
// its ON DELETE), the number of CHECK constraints and the triggers (by
// timing and event; their bodies are dialect code). What differs by
// design is listed in schemaByDesign, and that list is itself checked:
// each entry must name a difference that really exists.

// schemaByDesign lists the differences the two schemas are meant to have,
// keyed as difference.Where, with the reason.
var schemaByDesign = map[string]string{
	"table sessions": "PostgreSQL keeps web sessions in the main database (scs postgresstore); " +
		"SQLite keeps them in sessions.db beside the main file (dialect.Open), so migration 0015 dropped the main file's unused table",
	// Search (migration 0020): the search index is FTS5 on SQLite and a tsvector on PostgreSQL (migration 0020, ENGINEERING.md).
	"column search_documents.doc_id":         "SQLite: the FTS5 index's row number for the document, an explicit key that VACUUM keeps",
	"primary key of search_documents":        "SQLite: doc_id (the FTS5 row number); PostgreSQL: the experience",
	"unique search_documents(experience_id)": "SQLite: one document per experience beside the doc_id key; PostgreSQL: it is the primary key",
	"column search_documents.words":          "PostgreSQL: the tsvector of the body (English stems and the words as written)",
	"index search_documents_words":           "PostgreSQL: the GIN index of the tsvector",
	"column search_documents.stems":          "PostgreSQL: the tsvector of a document in a language with a stemmer other than English (migration 0037)",
	"index search_documents_stems":           "PostgreSQL: the GIN index of the stems",
	"index search_documents_trigrams":        "PostgreSQL: the trigram (pg_trgm) GIN index of documents in languages without a stemmer (migration 0022)",
	"triggers on search_documents":           "SQLite: keep the FTS5 index (external content) in step with the documents",
	// Search with a filter newest first (migration 0030): PostgreSQL's documents carry what search filters on, with a b-tree each;
	// SQLite's FTS5 index hands matches over newest first by the document's number.
	"column search_documents.created_at":  "PostgreSQL: the time its experience was shared, for newest first",
	"column search_documents.community":   "PostgreSQL: the community the search filter reads",
	"column search_documents.source":      "PostgreSQL: the source, for the filter",
	"column search_documents.event_id":    "PostgreSQL: the event, for the filter",
	"column search_documents.stages":      "PostgreSQL: the pathway stages (an array), for the filter",
	"index search_documents_newest":       "PostgreSQL: documents newest first",
	"index search_documents_by_community": "PostgreSQL: a community's documents newest first",
	"index search_documents_by_lang":      "PostgreSQL: a language's documents newest first",
	"index search_documents_by_source":    "PostgreSQL: a source's documents newest first",
	"index search_documents_by_event":     "PostgreSQL: an event's documents newest first",
	"table search_index":                  "SQLite: the FTS5 table",
	"table search_index_config":           "SQLite: an FTS5 shadow table",
	"table search_index_data":             "SQLite: an FTS5 shadow table",
	"table search_index_docsize":          "SQLite: an FTS5 shadow table",
	"table search_index_idx":              "SQLite: an FTS5 shadow table",
}

func TestSchemaParity(t *testing.T) {
	t.Parallel()
	lite, pg := storetest.SQLite(t), storetest.Postgres(t)
	a, err := readSQLiteSchema(lite.WriteDB())
	if err != nil {
		t.Fatal(err)
	}
	b, err := readPostgresSchema(pg.WriteDB())
	if err != nil {
		t.Fatal(err)
	}
	if len(a) < 20 {
		t.Fatalf("read only %d SQLite tables; is the schema reader broken?", len(a))
	}
	seen := map[string]bool{}
	for _, d := range compareSchemas(a, b) {
		if _, ok := schemaByDesign[d.Where]; ok {
			seen[d.Where] = true
			continue
		}
		t.Errorf("schemas differ: %s", d)
	}
	for where := range schemaByDesign {
		if !seen[where] {
			t.Errorf("schemaByDesign lists %q, but the two schemas do not differ there: remove it from the list", where)
		}
	}
}

// TestSchemaParityCatchesDrift proves the comparison sees a change made
// to one dialect only: a column, an index, a nullability, a foreign key.
func TestSchemaParityCatchesDrift(t *testing.T) {
	t.Parallel()
	lite, pg := storetest.SQLite(t), storetest.Postgres(t)
	for _, q := range []string{
		"ALTER TABLE users ADD COLUMN nickname TEXT",
		"CREATE INDEX users_role_idx ON users (role)",
	} {
		if _, err := lite.WriteDB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		"ALTER TABLE job_locks ALTER COLUMN last_run_at SET NOT NULL",
		"ALTER TABLE job_locks ADD COLUMN owner_id TEXT REFERENCES users (id) ON DELETE CASCADE",
		"ALTER TABLE programme_settings ADD CONSTRAINT value_short CHECK (length(value) < 100000)",
	} {
		if _, err := pg.WriteDB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	a, err := readSQLiteSchema(lite.WriteDB())
	if err != nil {
		t.Fatal(err)
	}
	b, err := readPostgresSchema(pg.WriteDB())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, d := range compareSchemas(a, b) {
		got[d.Where] = true
	}
	for _, want := range []string{
		"column users.nickname",
		"index users_role_idx",
		"column job_locks.last_run_at",
		"column job_locks.owner_id",
		"foreign key job_locks(owner_id)",
		"checks on programme_settings",
	} {
		if !got[want] {
			t.Errorf("the comparison missed %q (it reported %v)", want, keys(got))
		}
	}
}

// A schema is its tables by name.
type schema map[string]*tableShape

type tableShape struct {
	Columns     map[string]string // name -> "text not null default"
	PrimaryKey  string            // "a,b"
	Uniques     map[string]bool   // "a,b"
	Indexes     map[string]string // name -> "(a,b) unique partial"
	ForeignKeys map[string]string // "a,b" -> "t(c,d) on delete cascade"
	Checks      int
	Triggers    map[string]bool // "before update"
}

func newTable() *tableShape {
	return &tableShape{Columns: map[string]string{}, Uniques: map[string]bool{}, Indexes: map[string]string{},
		ForeignKeys: map[string]string{}, Triggers: map[string]bool{}}
}

// difference is one place where the schemas disagree.
type difference struct{ Where, SQLite, Postgres string }

func (d difference) String() string {
	return fmt.Sprintf("%s: sqlite %q, postgres %q", d.Where, d.SQLite, d.Postgres)
}

func compareSchemas(a, b schema) []difference {
	var out []difference
	diff := func(where, x, y string) {
		if x != y {
			out = append(out, difference{where, x, y})
		}
	}
	for _, name := range union(a, b) {
		ta, tb := a[name], b[name]
		if ta == nil || tb == nil {
			diff("table "+name, present(ta != nil), present(tb != nil))
			continue
		}
		for _, c := range union(ta.Columns, tb.Columns) {
			diff("column "+name+"."+c, orAbsent(ta.Columns, c), orAbsent(tb.Columns, c))
		}
		diff("primary key of "+name, ta.PrimaryKey, tb.PrimaryKey)
		for _, u := range union(ta.Uniques, tb.Uniques) {
			diff("unique "+name+"("+u+")", present(ta.Uniques[u]), present(tb.Uniques[u]))
		}
		for _, ix := range union(ta.Indexes, tb.Indexes) {
			diff("index "+ix, orAbsent(ta.Indexes, ix), orAbsent(tb.Indexes, ix))
		}
		for _, fk := range union(ta.ForeignKeys, tb.ForeignKeys) {
			diff("foreign key "+name+"("+fk+")", orAbsent(ta.ForeignKeys, fk), orAbsent(tb.ForeignKeys, fk))
		}
		diff("checks on "+name, fmt.Sprint(ta.Checks), fmt.Sprint(tb.Checks))
		diff("triggers on "+name, strings.Join(keys(ta.Triggers), ", "), strings.Join(keys(tb.Triggers), ", "))
	}
	return out
}

func readSQLiteSchema(db *sql.DB) (schema, error) {
	s := schema{}
	tables, err := queryPairs(db, "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
	if err != nil {
		return nil, err
	}
	checkRE := regexp.MustCompile(`(?i)\bCHECK\s*\(`)
	for _, tb := range tables {
		name, ddl := tb[0], tb[1]
		t := newTable()
		s[name] = t
		t.Checks = len(checkRE.FindAllString(ddl, -1))
		rows, err := db.Query("SELECT name, type, \"notnull\", dflt_value IS NOT NULL, pk FROM pragma_table_info(?)", name)
		if err != nil {
			return nil, err
		}
		pk := map[int]string{}
		for rows.Next() {
			var col, typ string
			var notNull, hasDefault bool
			var pkPos int
			if err := rows.Scan(&col, &typ, &notNull, &hasDefault, &pkPos); err != nil {
				rows.Close()
				return nil, err
			}
			if pkPos > 0 {
				pk[pkPos] = col
				notNull = true // PostgreSQL's primary keys are NOT NULL; SQLite's say so only when written
			}
			t.Columns[col] = columnShape(sqliteFamily(typ), notNull, hasDefault)
		}
		if err := closeRows(rows); err != nil {
			return nil, err
		}
		for i := 1; i <= len(pk); i++ {
			t.PrimaryKey = strings.TrimPrefix(t.PrimaryKey+","+pk[i], ",")
		}
		idx, err := db.Query("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?)", name)
		if err != nil {
			return nil, err
		}
		type index struct {
			name, origin    string
			unique, partial bool
		}
		var list []index
		for idx.Next() {
			var ix index
			if err := idx.Scan(&ix.name, &ix.unique, &ix.origin, &ix.partial); err != nil {
				idx.Close()
				return nil, err
			}
			list = append(list, ix)
		}
		if err := closeRows(idx); err != nil {
			return nil, err
		}
		for _, ix := range list {
			cols, err := queryColumn(db, "SELECT COALESCE(name, '<expr>') FROM pragma_index_info(?) ORDER BY seqno", ix.name)
			if err != nil {
				return nil, err
			}
			switch ix.origin {
			case "pk": // the primary key, read above
			case "u":
				t.Uniques[strings.Join(cols, ",")] = true
			default:
				t.Indexes[ix.name] = indexShape(name, cols, ix.unique, ix.partial)
			}
		}
		fks, err := db.Query(`SELECT id, "table", "from", "to", on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, name)
		if err != nil {
			return nil, err
		}
		type fkPart struct{ ref, from, onDelete string }
		byID := map[int]*fkPart{}
		var toCols = map[int][]sql.NullString{}
		var ids []int
		for fks.Next() {
			var id int
			var ref, from, onDelete string
			var to sql.NullString
			if err := fks.Scan(&id, &ref, &from, &to, &onDelete); err != nil {
				fks.Close()
				return nil, err
			}
			if byID[id] == nil {
				byID[id] = &fkPart{ref: ref, onDelete: onDelete}
				ids = append(ids, id)
			}
			byID[id].from = strings.TrimPrefix(byID[id].from+","+from, ",")
			toCols[id] = append(toCols[id], to)
		}
		if err := closeRows(fks); err != nil {
			return nil, err
		}
		for _, id := range ids {
			fk := byID[id]
			var to []string
			for _, c := range toCols[id] {
				to = append(to, c.String)
			}
			if !toCols[id][0].Valid { // REFERENCES t without columns: t's primary key
				to, err = queryColumn(db, "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", fk.ref)
				if err != nil {
					return nil, err
				}
			}
			t.ForeignKeys[fk.from] = foreignKeyShape(fk.ref, to, fk.onDelete)
		}
	}
	triggers, err := queryPairs(db, "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
	if err != nil {
		return nil, err
	}
	triggerRE := regexp.MustCompile(`(?is)CREATE\s+TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+(BEFORE|AFTER|INSTEAD\s+OF)?\s*(INSERT|UPDATE|DELETE)\b`)
	for _, tr := range triggers {
		m := triggerRE.FindStringSubmatch(tr[1])
		if m == nil {
			return nil, fmt.Errorf("trigger on %s: cannot read %q", tr[0], tr[1])
		}
		timing := strings.ToLower(m[1])
		if timing == "" {
			timing = "before"
		}
		if t := s[tr[0]]; t != nil {
			t.Triggers[timing+" "+strings.ToLower(m[2])] = true
		}
	}
	return s, nil
}

func readPostgresSchema(db *sql.DB) (schema, error) {
	s := schema{}
	tables, err := queryColumn(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")
	if err != nil {
		return nil, err
	}
	for _, name := range tables {
		s[name] = newTable()
	}
	rows, err := db.Query(`SELECT table_name, column_name, data_type, is_nullable = 'NO', column_default IS NOT NULL
		FROM information_schema.columns WHERE table_schema = current_schema()`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var table, col, typ string
		var notNull, hasDefault bool
		if err := rows.Scan(&table, &col, &typ, &notNull, &hasDefault); err != nil {
			rows.Close()
			return nil, err
		}
		if t := s[table]; t != nil {
			t.Columns[col] = columnShape(postgresFamily(typ), notNull, hasDefault)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	// Constraints: primary keys, uniques, foreign keys and checks.
	rows, err = db.Query(`SELECT cl.relname, c.contype,
		COALESCE((SELECT string_agg(a.attname, ',' ORDER BY k.i) FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
			JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n), ''),
		COALESCE(fcl.relname, ''),
		COALESCE((SELECT string_agg(a.attname, ',' ORDER BY k.i) FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
			JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n), ''),
		c.confdeltype
		FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_namespace ns ON ns.oid = cl.relnamespace
		LEFT JOIN pg_class fcl ON fcl.oid = c.confrelid
		WHERE ns.nspname = current_schema() AND c.contype IN ('p', 'u', 'f', 'c')`)
	if err != nil {
		return nil, err
	}
	onDelete := map[string]string{"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT", " ": ""}
	for rows.Next() {
		var table, kind, cols, ref, refCols, del string
		if err := rows.Scan(&table, &kind, &cols, &ref, &refCols, &del); err != nil {
			rows.Close()
			return nil, err
		}
		t := s[table]
		if t == nil {
			continue
		}
		switch kind {
		case "p":
			t.PrimaryKey = cols
		case "u":
			t.Uniques[cols] = true
		case "f":
			t.ForeignKeys[cols] = foreignKeyShape(ref, strings.Split(refCols, ","), onDelete[del])
		case "c":
			t.Checks++
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	// Indexes of their own (not those behind a constraint).
	rows, err = db.Query(`SELECT t.relname, i.relname, ix.indisunique, ix.indpred IS NOT NULL,
		(SELECT string_agg(COALESCE(a.attname, '<expr>'), ',' ORDER BY k.i) FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(n, i)
			LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n)
		FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
		JOIN pg_namespace ns ON ns.oid = t.relnamespace
		WHERE ns.nspname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.contype IN ('p', 'u'))`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var table, name, cols string
		var unique, partial bool
		if err := rows.Scan(&table, &name, &unique, &partial, &cols); err != nil {
			rows.Close()
			return nil, err
		}
		if t := s[table]; t != nil {
			t.Indexes[name] = indexShape(table, strings.Split(cols, ","), unique, partial)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	triggers, err := queryPairs(db, `SELECT event_object_table, lower(action_timing) || ' ' || lower(event_manipulation)
		FROM information_schema.triggers WHERE trigger_schema = current_schema()`)
	if err != nil {
		return nil, err
	}
	for _, tr := range triggers {
		if t := s[tr[0]]; t != nil {
			t.Triggers[tr[1]] = true
		}
	}
	return s, nil
}

// sqliteFamily and postgresFamily map a column's declared type to the
// family both dialects agree on (what the store reads and writes).
func sqliteFamily(typ string) string {
	u := strings.ToUpper(typ)
	switch {
	case strings.Contains(u, "BOOL"):
		return "boolean"
	case strings.Contains(u, "TIMESTAMP"), strings.Contains(u, "DATETIME"):
		return "timestamp"
	case u == "DATE":
		return "date"
	case strings.Contains(u, "INT"):
		return "integer"
	case strings.Contains(u, "CHAR"), strings.Contains(u, "CLOB"), strings.Contains(u, "TEXT"):
		return "text"
	case strings.Contains(u, "BLOB"):
		return "blob"
	case strings.Contains(u, "REAL"), strings.Contains(u, "FLOA"), strings.Contains(u, "DOUB"), strings.Contains(u, "NUMERIC"):
		return "real"
	}
	return "other:" + typ
}

func postgresFamily(typ string) string {
	switch typ {
	case "boolean":
		return "boolean"
	case "timestamp with time zone", "timestamp without time zone":
		return "timestamp"
	case "date":
		return "date"
	case "smallint", "integer", "bigint":
		return "integer"
	case "text", "character varying", "character":
		return "text"
	case "bytea":
		return "blob"
	case "real", "double precision", "numeric":
		return "real"
	}
	return "other:" + typ
}

func columnShape(family string, notNull, hasDefault bool) string {
	s := family
	if notNull {
		s += " not null"
	}
	if hasDefault {
		s += " default"
	}
	return s
}

func indexShape(table string, cols []string, unique, partial bool) string {
	s := table + "(" + strings.Join(cols, ",") + ")"
	if unique {
		s += " unique"
	}
	if partial {
		s += " partial"
	}
	return s
}

func foreignKeyShape(ref string, cols []string, onDelete string) string {
	s := ref + "(" + strings.Join(cols, ",") + ")"
	if onDelete != "" && onDelete != "NO ACTION" {
		s += " on delete " + strings.ToLower(onDelete)
	}
	return s
}

func queryColumn(db *sql.DB, q string, args ...any) ([]string, error) {
	rows, err := db.Query(q, args...)
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, v)
	}
	return out, closeRows(rows)
}

func queryPairs(db *sql.DB, q string) ([][2]string, error) {
	rows, err := db.Query(q)
	if err != nil {
		return nil, err
	}
	var out [][2]string
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, [2]string{a, b})
	}
	return out, closeRows(rows)
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}

func union[V any](a, b map[string]V) []string {
	var out []string
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func present(ok bool) string {
	if ok {
		return "present"
	}
	return "absent"
}

func orAbsent(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return "absent"
}

// The main SQLite file has no sessions table: sessions live in
// sessions.db beside it (migration 0015 dropped the unused one).
func TestSQLiteMainFileHasNoSessionsTable(t *testing.T) {
	t.Parallel()
	s := storetest.SQLite(t)
	var n int
	if err := s.WriteDB().QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sessions'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatal("the main SQLite file still has a sessions table")
	}
	if err := s.SessionsDB().QueryRowContext(ctx, "SELECT COUNT(*) FROM sessions").Scan(&n); err != nil {
		t.Fatalf("sessions.db has no sessions table: %v", err)
	}
}
