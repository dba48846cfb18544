-- Search (issue 12): the searchable text of each approved experience
-- (its answers, English renderings and memos), kept by the store beside
-- the experience, because the experience's own text is not readable in
-- SQL. A row exists only while the experience is approved: approval
-- writes it, and withdrawal, rejection, a return to moderation, the
-- retention rules and demo removal delete it in the same transaction.
--
-- PostgreSQL: the words as the English stemmer sees them (waiting and
-- waited meet at wait) and as they are (the simple configuration: every
-- other language, whose words must match as written), in one tsvector
-- with a GIN index. A deleted row stays in the table's files as a dead
-- tuple until VACUUM reuses its space (docs/analysis.md, "Search").
CREATE TABLE search_documents (
    experience_id TEXT PRIMARY KEY REFERENCES experiences (id) ON DELETE CASCADE,
    body          TEXT NOT NULL,
    words         TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', body) || to_tsvector('simple', body)) STORED,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX search_documents_words ON search_documents USING GIN (words);
