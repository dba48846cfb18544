-- Search (issue 12): the searchable text of each approved experience
-- (its answers, English renderings and memos), kept by the store beside
-- the experience, because the experience's own text is not readable in
-- SQL. A row exists only while the experience is approved: approval
-- writes it, and withdrawal, rejection, a return to moderation, the
-- retention rules and demo removal delete it in the same transaction.
--
-- SQLite: the rows live in search_documents (doc_id is the full-text
-- index's row number: an explicit key survives VACUUM, an implicit rowid
-- would not) and are indexed by an FTS5 table over them, kept in step by
-- triggers. unicode61 with remove_diacritics 2 splits words in every
-- script and matches them without accents. secure-delete makes FTS5 take
-- a deleted document's words out of the index's pages, rather than
-- leave them there behind a deletion marker until the next merge.
CREATE TABLE search_documents (
    doc_id        INTEGER PRIMARY KEY,
    experience_id TEXT NOT NULL UNIQUE REFERENCES experiences (id) ON DELETE CASCADE,
    body          TEXT NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE VIRTUAL TABLE search_index USING fts5 (
    body,
    content = 'search_documents',
    content_rowid = 'doc_id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO search_index (search_index, rank) VALUES ('secure-delete', 1);

CREATE TRIGGER search_documents_inserted AFTER INSERT ON search_documents BEGIN
    INSERT INTO search_index (rowid, body) VALUES (new.doc_id, new.body);
END;
CREATE TRIGGER search_documents_deleted AFTER DELETE ON search_documents BEGIN
    INSERT INTO search_index (search_index, rowid, body) VALUES ('delete', old.doc_id, old.body);
END;
CREATE TRIGGER search_documents_updated AFTER UPDATE ON search_documents BEGIN
    INSERT INTO search_index (search_index, rowid, body) VALUES ('delete', old.doc_id, old.body);
    INSERT INTO search_index (rowid, body) VALUES (new.doc_id, new.body);
END;
