-- The Understand step: the codebook, the coding of approved experiences,
-- memos, human English renderings, suggestion decisions and samples
-- coded twice to measure agreement. Everything that holds or points at a
-- person's words cascades from experiences, so a withdrawal or the
-- experiences' retention rule removes it with the experience. Codes are
-- never deleted (archived or merged instead), so no coding is lost.

CREATE TABLE codes (
    id              TEXT PRIMARY KEY,
    parent_id       TEXT NOT NULL DEFAULT '', -- '' for a theme
    name            TEXT NOT NULL,
    definition      TEXT NOT NULL,
    when_to_use     TEXT NOT NULL DEFAULT '',
    when_not_to_use TEXT NOT NULL DEFAULT '',
    example         TEXT NOT NULL DEFAULT '',
    colour          TEXT NOT NULL DEFAULT '',
    position        INTEGER NOT NULL DEFAULT 0,
    archived        BOOLEAN NOT NULL DEFAULT FALSE,
    merged_into     TEXT NOT NULL DEFAULT '',
    demo            BOOLEAN NOT NULL DEFAULT FALSE,
    version         INTEGER NOT NULL DEFAULT 1, -- an edit names the version it changed
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX codes_parent ON codes (parent_id, position);

CREATE TABLE code_history (
    id         TEXT PRIMARY KEY,
    code_id    TEXT NOT NULL REFERENCES codes (id),
    action     TEXT NOT NULL, -- created, edited, moved, archived, restored, merged, merged_into, split, imported
    detail     TEXT NOT NULL DEFAULT '{}', -- the fields before and after, as JSON
    actor_id   TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX code_history_code ON code_history (code_id, created_at);

-- A coding: a code applied to a whole answer or a passage of it, in
-- code points. sample_id is '' for the programme's coding, or the sample
-- a second coder coded blind for agreement.
CREATE TABLE codings (
    id            TEXT PRIMARY KEY,
    experience_id TEXT NOT NULL REFERENCES experiences (id) ON DELETE CASCADE,
    code_id       TEXT NOT NULL REFERENCES codes (id),
    field         TEXT NOT NULL,
    start_pos     INTEGER NOT NULL,
    end_pos       INTEGER NOT NULL,
    whole         BOOLEAN NOT NULL,
    quote         BOOLEAN NOT NULL DEFAULT FALSE,
    needs_review  BOOLEAN NOT NULL DEFAULT FALSE, -- its words changed: back to a coder
    sample_id     TEXT NOT NULL DEFAULT '',
    coder_id      TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX codings_once ON codings (experience_id, code_id, field, start_pos, end_pos, sample_id);
CREATE INDEX codings_code ON codings (code_id, experience_id);

-- Whether an experience's coding is finished (the queue is the approved
-- experiences without a row here).
CREATE TABLE coding_done (
    experience_id TEXT PRIMARY KEY REFERENCES experiences (id) ON DELETE CASCADE,
    coder_id      TEXT NOT NULL,
    done_at       TIMESTAMP NOT NULL
);

-- Memos: on an experience or on a code.
CREATE TABLE memos (
    id            TEXT PRIMARY KEY,
    experience_id TEXT REFERENCES experiences (id) ON DELETE CASCADE,
    code_id       TEXT REFERENCES codes (id),
    text          TEXT NOT NULL,
    author_id     TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX memos_experience ON memos (experience_id);
CREATE INDEX memos_code ON memos (code_id);

-- A human English rendering of one answer, with who made it and a hash
-- of the words it renders: when a redaction changes them, the rendering
-- is shown as out of date.
CREATE TABLE translations (
    experience_id TEXT NOT NULL REFERENCES experiences (id) ON DELETE CASCADE,
    field         TEXT NOT NULL,
    text          TEXT NOT NULL,
    source_hash   TEXT NOT NULL,
    translator_id TEXT NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (experience_id, field)
);

-- Each accepted or rejected suggestion, with the model that made it.
CREATE TABLE suggestion_decisions (
    id            TEXT PRIMARY KEY,
    experience_id TEXT NOT NULL REFERENCES experiences (id) ON DELETE CASCADE,
    code_id       TEXT NOT NULL REFERENCES codes (id),
    model_version TEXT NOT NULL,
    accepted      BOOLEAN NOT NULL,
    coder_id      TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX suggestion_decisions_model ON suggestion_decisions (model_version);

-- Samples coded a second time, blind, to measure agreement.
CREATE TABLE coding_samples (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    second_coder_id TEXT NOT NULL,
    requested_by    TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL
);

CREATE TABLE coding_sample_items (
    sample_id     TEXT NOT NULL REFERENCES coding_samples (id) ON DELETE CASCADE,
    experience_id TEXT NOT NULL REFERENCES experiences (id) ON DELETE CASCADE,
    done          BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (sample_id, experience_id)
);
