-- Corrections a person adds to what they shared (through /my-story);
-- removed with the experience when it is withdrawn.
CREATE TABLE experience_corrections (
    id            TEXT PRIMARY KEY,
    experience_id TEXT NOT NULL REFERENCES experiences (id) ON DELETE CASCADE,
    text          TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX experience_corrections_experience_idx ON experience_corrections (experience_id, created_at);
