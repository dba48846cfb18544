-- Web sessions on SQLite live in sessions.db beside this file (its own
-- writer, synchronous=NORMAL; see dialect.Open), so the sessions table
-- migration 0001 made here has been unused since. Its index goes with it.
DROP TABLE IF EXISTS sessions;
