-- Safeguarding flags: raised when what a person wrote (a story, an idea,
-- a correction, an experience captured by a connector) suggests a risk of
-- harm, and kept open until a moderator records how they escalated it.
-- phrases holds the list phrases that matched (never the text around
-- them). Removed with the experience when it is withdrawn.
CREATE TABLE safeguarding_flags (
    id            TEXT PRIMARY KEY,
    experience_id TEXT NOT NULL REFERENCES experiences (id) ON DELETE CASCADE,
    source        TEXT NOT NULL,
    phrases       TEXT NOT NULL,
    raised_at     TIMESTAMP NOT NULL,
    escalated_by  TEXT NOT NULL DEFAULT '',
    escalated_at  TIMESTAMP,
    escalated_to  TEXT NOT NULL DEFAULT '',
    action        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX safeguarding_flags_experience_idx ON safeguarding_flags (experience_id, raised_at);
CREATE INDEX safeguarding_flags_open_idx ON safeguarding_flags (escalated_at, raised_at);
