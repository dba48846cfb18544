-- Search's community filter follows the breakdowns for a person who
-- answered "prefer not to say", and PostgreSQL stems Romanian (see the
-- PostgreSQL migration of the same number). SQLite's search reads the
-- community from the experience at each search and keeps no copy, and
-- its FTS5 index has no stemmer for any of the programme's languages.
--
-- What changes here: unicode61 took combining marks (Unicode category
-- M: Bengali's vowel signs and virama, Urdu's vowel marks) for
-- separators, so a Bengali word was indexed in pieces and "আমি" (I)
-- found "আমাকে" (me), whose first piece it shares. The marks are now
-- part of words (categories 'L* N* Co M*'); accents on Latin letters are
-- still taken off (remove_diacritics 2). The index is made again with
-- the new tokenizer and filled from the documents, once; the triggers
-- of migration 0020 keep it in step as before.
DROP TABLE search_index;
CREATE VIRTUAL TABLE search_index USING fts5 (
    body,
    content = 'search_documents',
    content_rowid = 'doc_id',
    tokenize = 'unicode61 remove_diacritics 2 categories ''L* N* Co M*'''
);
INSERT INTO search_index (search_index, rank) VALUES ('secure-delete', 1);
INSERT INTO search_index (search_index) VALUES ('rebuild');
