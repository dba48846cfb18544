-- Invitations: a community group asks the connectors to come to its
-- gathering or to bring a mini "hear me" event. The requester's contact
-- details are sealed (AES-256-GCM, key id beside each value) and, with
-- the requester's own free text, removed 90 days after the request
-- closes (retention rule "invitation-contacts").
CREATE TABLE invitations (
    id                   TEXT PRIMARY KEY,
    kind                 TEXT NOT NULL,
    status               TEXT NOT NULL,
    group_name           TEXT NOT NULL,
    community            TEXT NOT NULL DEFAULT '',
    community_other      TEXT NOT NULL DEFAULT '',
    expected             INTEGER NOT NULL DEFAULT 0,
    languages            TEXT NOT NULL DEFAULT '',
    other_languages      TEXT NOT NULL DEFAULT '',
    preferred_dates      TEXT NOT NULL DEFAULT '',
    venue                TEXT NOT NULL DEFAULT '',
    notes                TEXT NOT NULL DEFAULT '',
    lang                 TEXT NOT NULL,
    contact_name_sealed  TEXT NOT NULL DEFAULT '',
    contact_email_sealed TEXT NOT NULL DEFAULT '',
    contact_phone_sealed TEXT NOT NULL DEFAULT '',
    contact_removed      BOOLEAN NOT NULL DEFAULT FALSE,
    owner_id             TEXT REFERENCES users (id),
    event_id             TEXT NOT NULL DEFAULT '',
    decline_reason       TEXT NOT NULL DEFAULT '',
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    closed_at            TIMESTAMP
);
CREATE INDEX invitations_status_idx ON invitations (status, created_at);
CREATE INDEX invitations_closed_idx ON invitations (closed_at);

-- A request's history: staff notes, status changes (with the decline
-- reason) and changes of owner, each with who and when.
CREATE TABLE invitation_history (
    id            TEXT PRIMARY KEY,
    invitation_id TEXT NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    author_id     TEXT NOT NULL,
    text          TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX invitation_history_idx ON invitation_history (invitation_id, created_at);
