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
) WITHOUT ROWID; -- a breakdown reads ranges of the key: the rows are the key's own b-tree
