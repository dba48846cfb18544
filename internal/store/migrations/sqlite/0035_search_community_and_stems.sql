-- Search's community filter follows the breakdowns for a person who
-- answered "prefer not to say" (see the PostgreSQL migration of the
-- same number). SQLite's search reads the community from the experience
-- at each search and keeps no copy: nothing to do.
SELECT 1;
