-- The Account step, part 2: each organisation a published recommendation
-- is addressed to answers it; what it accepts becomes commitments ("We
-- will ..."), optionally split into weighted sub-commitments; dated
-- progress updates say how each is going. An update claiming a change
-- was planned or made is public only once a connector has approved it.
-- Every version of a commitment's words is kept, so its public history
-- shows what it said before and when it changed. Dates (due, on) are
-- calendar dates as text, YYYY-MM-DD.

CREATE TABLE recommendation_responses (
    id                TEXT PRIMARY KEY,
    recommendation_id TEXT NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    organisation      TEXT NOT NULL, -- slug
    decision          TEXT NOT NULL, -- accepted, partly-accepted, not-accepted
    reasons           TEXT NOT NULL DEFAULT '',
    version           INTEGER NOT NULL DEFAULT 1,
    responded_by      TEXT NOT NULL,
    responded_at      TIMESTAMP NOT NULL, -- first answer (the deadline is met or not by it)
    updated_at        TIMESTAMP NOT NULL,
    UNIQUE (recommendation_id, organisation)
);
CREATE INDEX recommendation_responses_org ON recommendation_responses (organisation);

CREATE TABLE commitments (
    id                TEXT PRIMARY KEY,
    reference         TEXT NOT NULL UNIQUE, -- R-2026-001.2, R-2026-001.2.1
    recommendation_id TEXT NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    organisation      TEXT NOT NULL,
    parent_id         TEXT REFERENCES commitments (id) ON DELETE CASCADE,
    body              TEXT NOT NULL,
    owner_role        TEXT NOT NULL,
    due_on            TEXT NOT NULL,
    weight            INTEGER NOT NULL DEFAULT 1,
    status            TEXT NOT NULL, -- of the latest public update
    kind              TEXT NOT NULL DEFAULT 'planned', -- what that status means: planned, active, late, done, dropped
    progress          INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    last_update_on    TEXT NOT NULL DEFAULT '',
    version           INTEGER NOT NULL DEFAULT 1,
    created_by        TEXT NOT NULL,
    created_on        TEXT NOT NULL,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX commitments_rec ON commitments (recommendation_id, organisation);
CREATE INDEX commitments_org ON commitments (organisation);
CREATE INDEX commitments_parent ON commitments (parent_id);

-- What a commitment said in each version, and who changed it when.
CREATE TABLE commitment_versions (
    commitment_id TEXT NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    body          TEXT NOT NULL,
    owner_role    TEXT NOT NULL,
    due_on        TEXT NOT NULL,
    weight        INTEGER NOT NULL,
    changed_by    TEXT NOT NULL,
    changed_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (commitment_id, version)
);

CREATE TABLE commitment_updates (
    id            TEXT PRIMARY KEY,
    commitment_id TEXT NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    on_date       TEXT NOT NULL,
    status        TEXT NOT NULL,
    kind          TEXT NOT NULL,
    progress      INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
    body          TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    claim         TEXT NOT NULL DEFAULT '', -- '', planned, made
    what_changed  TEXT NOT NULL DEFAULT '',
    evidence_url  TEXT NOT NULL DEFAULT '',
    review        TEXT NOT NULL, -- none (public), pending, approved (public), returned
    question      TEXT NOT NULL DEFAULT '',
    answer        TEXT NOT NULL DEFAULT '',
    version       INTEGER NOT NULL DEFAULT 1,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    reviewed_by   TEXT NOT NULL DEFAULT '',
    reviewed_at   TIMESTAMP
);
CREATE INDEX commitment_updates_commitment ON commitment_updates (commitment_id, on_date);
CREATE INDEX commitment_updates_review ON commitment_updates (review, created_at);

-- Reminders sent: one per subject, kind and deadline, so a job run
-- twice (or on two instances) never sends the same reminder twice.
CREATE TABLE accountability_reminders (
    subject_id TEXT NOT NULL, -- a response's recommendation and organisation, or a commitment
    kind       TEXT NOT NULL, -- response-due, response-overdue, update-due, update-overdue
    due_on     TEXT NOT NULL,
    sent_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (subject_id, kind, due_on)
);

-- A draft shared with the organisations it is addressed to for a
-- factual-accuracy check; their notes (they cannot change the draft).
ALTER TABLE recommendations ADD COLUMN shared_at TIMESTAMP;
CREATE TABLE recommendation_notes (
    id                TEXT PRIMARY KEY,
    recommendation_id TEXT NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    organisation      TEXT NOT NULL,
    body              TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    created_at        TIMESTAMP NOT NULL
);
CREATE INDEX recommendation_notes_rec ON recommendation_notes (recommendation_id, created_at);
