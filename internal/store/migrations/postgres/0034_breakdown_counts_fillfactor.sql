-- Issue 12: every coding adds to about seventy breakdown counts, many of
-- them the same rows as every other coding's (the programme's month,
-- the code's theme). With full pages each new version of a count went
-- to another page and into the primary key's index again, so looking a
-- count up walked past its dead versions in the index. With pages half
-- filled, a count's new version stays on its page (a HOT update, no new
-- index entry) and the old ones are pruned there. Pages written from
-- now on are half filled (a recount of the breakdowns writes them all
-- again).
ALTER TABLE breakdown_counts SET (fillfactor = 50);
