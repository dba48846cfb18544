-- A search document's community (migration 0030) is now the one the
-- breakdowns count its story under: a person who answered "prefer not
-- to say" to the community question is counted under the community of
-- the event their story was heard at, and the search filter now finds
-- them there too (store.searchCommunity). The documents written before
-- are read again.
UPDATE search_documents d SET community = COALESCE(NULLIF(NULLIF(a.community, ''), 'prefer-not-to-say'),
        NULLIF((SELECT v.community FROM events v WHERE v.id = e.event_id), ''), a.community, '')
    FROM experiences e JOIN equality_answers a ON a.experience_id = e.id
    WHERE e.id = d.experience_id AND a.community = 'prefer-not-to-say';

-- Search stems the words of a story in a language PostgreSQL has a
-- stemmer for: English, in every document's words (migration 0020: the
-- English renderings), and now Romanian, in a column of its own built
-- with the document's language, so that "spital" finds "spitalul" and
-- "spitalele" and a Romanian stem never meets an English word. Polish,
-- Urdu, Bengali and Somali have no stemmer in PostgreSQL: their words
-- match as written, and inside longer words by trigrams (migration
-- 0022). The languages are dialect.stemmers; a language added there is
-- added here by a migration. Adding the column writes the table again,
-- once.
ALTER TABLE search_documents ADD COLUMN stems TSVECTOR GENERATED ALWAYS AS
    (CASE lang WHEN 'ro' THEN to_tsvector('romanian', body) ELSE ''::tsvector END) STORED;
CREATE INDEX search_documents_stems ON search_documents USING GIN (stems);
