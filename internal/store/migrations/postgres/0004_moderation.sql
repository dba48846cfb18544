-- Moderation: who decided, when, and why a submission was rejected. The
-- unredacted original is kept sealed, apart, only until its retention
-- rule removes it.
ALTER TABLE experiences ADD COLUMN moderated_by TEXT NOT NULL DEFAULT '';
ALTER TABLE experiences ADD COLUMN moderated_at TIMESTAMPTZ;
ALTER TABLE experiences ADD COLUMN reject_reason TEXT NOT NULL DEFAULT '';

CREATE TABLE experience_originals (
    experience_id TEXT PRIMARY KEY REFERENCES experiences (id) ON DELETE CASCADE,
    sealed        TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
