-- Issue 12: the breakdown page (/staff/analysis) answers its filters,
-- census comparison and co-occurrence from kept counts, never by reading
-- every experience.
--
-- The counts gain a scope: '' counts every approved experience, as
-- before; 'c:<community>', 's:<stage>' and 'c:<community> s:<stage>'
-- count only the experiences of a community, a pathway stage or both,
-- so a filtered breakdown is a range of the key as an unfiltered one is.
-- New counts: by event (col_dim 'event') and themes or codes named
-- together (col_dim 'pair', breakdown_counts.go). The table is made
-- again and what each experience added is thrown away: at start hearme
-- counts every approved experience again, at once, when nothing is
-- counted (store.CountUncounted).
DROP TABLE breakdown_counts;
DELETE FROM breakdown_facts;
CREATE TABLE breakdown_counts (
    scope     TEXT NOT NULL,
    col_dim   TEXT NOT NULL,
    row_kind  TEXT NOT NULL,
    month     TEXT NOT NULL,
    row_value TEXT NOT NULL,
    col_value TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (scope, col_dim, row_kind, month, row_value, col_value)
);

-- Search newest first with a filter (issue 12: p99 under 100 ms at
-- 1,000,000 experiences). The planner could only walk every approved
-- experience newest first and test each against the words and the
-- filters (a community read from two other tables), which took seconds
-- when few matched. Each search document now carries what the search
-- filters on (the time its experience was shared, its community as the
-- search reads it, source, event and pathway stages), kept by the store
-- whenever the document is written or an event's community changes,
-- with a b-tree per filter that lists the documents newest first: the
-- planner walks the filter's documents newest first and stops at the
-- page's end, or takes the words' GIN index and sorts the few matches,
-- whichever it estimates cheaper. SQLite needs none of this (its FTS5
-- index hands matches over newest first, migration 0022).
-- '-infinity' marks a document loaded in bulk whose columns are still
-- to be filled (store.FinishSynthetic).
ALTER TABLE search_documents
    ADD COLUMN created_at TIMESTAMPTZ NOT NULL DEFAULT '-infinity',
    ADD COLUMN community TEXT NOT NULL DEFAULT '',
    ADD COLUMN source TEXT NOT NULL DEFAULT '',
    ADD COLUMN event_id TEXT NOT NULL DEFAULT '',
    ADD COLUMN stages TEXT[] NOT NULL DEFAULT '{}';
UPDATE search_documents d SET created_at = e.created_at, source = e.source, event_id = COALESCE(e.event_id, ''),
    community = COALESCE(NULLIF((SELECT a.community FROM equality_answers a WHERE a.experience_id = e.id), ''),
        (SELECT v.community FROM events v WHERE v.id = e.event_id), ''),
    stages = ARRAY(SELECT st.stage FROM experience_stages st WHERE st.experience_id = e.id ORDER BY st.stage)
    FROM experiences e WHERE e.id = d.experience_id;
CREATE INDEX search_documents_newest ON search_documents (created_at DESC, experience_id DESC);
CREATE INDEX search_documents_by_community ON search_documents (community, created_at DESC, experience_id DESC);
CREATE INDEX search_documents_by_lang ON search_documents (lang, created_at DESC, experience_id DESC);
CREATE INDEX search_documents_by_source ON search_documents (source, created_at DESC, experience_id DESC);
CREATE INDEX search_documents_by_event ON search_documents (event_id, created_at DESC, experience_id DESC);
