-- Issue 12: PostgreSQL's breakdown counts keep half of each page free
-- for the new versions of counts that every coding changes (see the
-- PostgreSQL migration of the same number). SQLite updates a row in
-- place and has no such setting: nothing to do.
SELECT 1;
