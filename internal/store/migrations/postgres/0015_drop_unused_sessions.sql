-- Nothing to drop on PostgreSQL: web sessions live in this database's
-- sessions table (scs postgresstore), so that every instance can serve
-- every request. The number is kept so both dialects migrate in step;
-- on SQLite this migration drops the main file's unused sessions table.
SELECT 1;
