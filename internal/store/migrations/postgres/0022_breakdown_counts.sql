-- Issue 12's figures at scale: breakdowns counted as coding happens,
-- synthetic programmes for measuring, and trigram search.
--
-- Synthetic programmes (`hearme synthetic seed`) are marked, so that no
-- report takes them for real and the seeder can refuse a database that
-- holds real experiences or events.
ALTER TABLE experiences ADD COLUMN synthetic BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE events ADD COLUMN synthetic BOOLEAN NOT NULL DEFAULT FALSE;

-- What each approved experience adds to the breakdowns (its community,
-- source, language, month, equality answers, themes, codes and stages,
-- as the store last counted them), so that a change takes exactly that
-- back out. A row exists only while the experience is approved and goes
-- with it.
CREATE TABLE breakdown_facts (
    experience_id TEXT PRIMARY KEY REFERENCES experiences (id) ON DELETE CASCADE,
    fact          TEXT NOT NULL
);

-- The counts themselves: approved experiences with a row value (a
-- theme, code or stage; row_kind '' counts every experience) in a
-- column value (a community, source, language, month or equality
-- answer) shared in a month. Kept in the same transaction as every
-- change to what they count (approval, withdrawal, coding, a code's
-- merge or move); the breakdown page sums them over the months asked.
CREATE TABLE breakdown_counts (
    col_dim   TEXT NOT NULL,
    row_kind  TEXT NOT NULL,
    month     TEXT NOT NULL,
    row_value TEXT NOT NULL,
    col_value TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (col_dim, row_kind, month, row_value, col_value)
);

-- Search in the languages PostgreSQL has no stemmer for hearme uses
-- (every language but English here: Polish, Urdu, Bengali, Somali...)
-- also matches by trigrams (pg_trgm): a word is found inside longer
-- words, so "wynik" finds "wyniki" and "wyników". hearme needs the
-- pg_trgm extension in its database, created once by a superuser
-- (README, "PostgreSQL and several instances"): CREATE EXTENSION pg_trgm. This migration says so
-- rather than failing on an unknown operator class.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        RAISE EXCEPTION 'hearme needs the pg_trgm extension in this database: as a superuser, run CREATE EXTENSION pg_trgm; (README, PostgreSQL and several instances)';
    END IF;
END
$$;
ALTER TABLE search_documents ADD COLUMN lang TEXT NOT NULL DEFAULT '';
UPDATE search_documents d SET lang = e.lang FROM experiences e WHERE e.id = d.experience_id;
CREATE INDEX search_documents_trigrams ON search_documents USING GIN (body gin_trgm_ops) WHERE lang <> 'en';
