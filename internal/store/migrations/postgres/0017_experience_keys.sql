-- Each experience's free text (story, idea, cancer type, corrections,
-- the moderation original, a rejection's reason, the equality answers'
-- own words) is sealed with a data key of its own, kept here sealed with
-- the keyring. Deleting the experience deletes its key (cascade), which
-- leaves every copy of that text still lingering on disk (free pages,
-- old row versions, write-ahead logs, later backups) unreadable.
CREATE TABLE experience_keys (
    experience_id TEXT PRIMARY KEY REFERENCES experiences (id) ON DELETE CASCADE,
    sealed_key    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);

-- Deletions of personal records waiting for the clean-up that removes
-- what they leave in the database files (job erase-leftovers).
CREATE TABLE erasures_pending (
    id         TEXT PRIMARY KEY,
    txn        TEXT NOT NULL, -- the deleting transaction (PostgreSQL), see dialect.SnapshotsBefore
    created_at TIMESTAMPTZ NOT NULL
);
