-- Issue 12: breakdowns count coded passages beside experiences. Each
-- count of a theme or a code also adds up the coded passages of its
-- experiences (the stretches of their answers carrying the theme or
-- code, analysis.CountPassages), so a table of passages reads the same
-- rows as one of experiences. What each experience added (its
-- breakdown fact) now holds its passages too; the old facts do not, so
-- they and the counts are thrown away, and at start hearme counts every
-- approved experience again, at once, when nothing is counted
-- (store.CountUncounted).
ALTER TABLE breakdown_counts ADD COLUMN passages INTEGER NOT NULL DEFAULT 0;
TRUNCATE breakdown_counts, breakdown_facts;
