-- Issue 12's figures at scale: breakdowns counted as coding happens,
-- synthetic programmes for measuring, and search newest first.
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
) WITHOUT ROWID; -- a breakdown reads ranges of the key: the rows are the key's own b-tree

-- Search newest first without sorting every match: a document's number
-- (the FTS5 row) now grows with the time its experience was shared (its
-- second, shifted 20 bits, plus a slot within that second), so the
-- index hands matches over newest first and a page stops after 21. The
-- update trigger moves each document's words to its new number. lang is
-- the experience's language (PostgreSQL matches other languages than
-- English by trigrams; kept on both for one schema).
ALTER TABLE search_documents ADD COLUMN lang TEXT NOT NULL DEFAULT '';
UPDATE search_documents SET
    lang = (SELECT e.lang FROM experiences e WHERE e.id = search_documents.experience_id),
    doc_id = (SELECT CAST(strftime('%s', e.created_at) AS INTEGER) * 1048576 FROM experiences e WHERE e.id = search_documents.experience_id) + doc_id % 1048576;
