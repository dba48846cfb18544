-- Issue 12: the evidence page, the recommendation editor and the report
-- review list the newest consented quotes. Quotes are a few passages among
-- millions of codings; without this index each of those pages read and
-- sorted every coding to find them (about half a second at 3,000,000).
CREATE INDEX codings_quotes ON codings (created_at) WHERE quote;
