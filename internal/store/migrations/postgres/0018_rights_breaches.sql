-- People's rights requests (UK GDPR Articles 15-21) and the breach
-- register (Article 33(5)). Dates a person gives (received, identity
-- checked, closed) are calendar dates, YYYY-MM-DD; the requester's
-- contact detail is sealed. Closed requests go after the retention rule
-- "rights-requests".
CREATE TABLE rights_requests (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,
    channel          TEXT NOT NULL,
    received_on      TEXT NOT NULL,
    reference        TEXT NOT NULL DEFAULT '',
    contact_sealed   TEXT NOT NULL DEFAULT '',
    notes            TEXT NOT NULL DEFAULT '',
    identity_on      TEXT,
    extended         BOOLEAN NOT NULL DEFAULT FALSE,
    extension_reason TEXT NOT NULL DEFAULT '',
    extended_on      TEXT,
    closed_on        TEXT,
    outcome          TEXT NOT NULL DEFAULT '',
    created_by       TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX rights_requests_open_idx ON rights_requests (closed_on, received_on);

-- The breach register: the entry as it stands, and every version of it
-- (a change adds a version; none is ever rewritten).
CREATE TABLE breaches (
    id         TEXT PRIMARY KEY,
    version    INTEGER NOT NULL,
    aware_at   TIMESTAMPTZ NOT NULL,
    reported   TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX breaches_aware_idx ON breaches (aware_at);

CREATE TABLE breach_versions (
    breach_id  TEXT NOT NULL REFERENCES breaches (id),
    version    INTEGER NOT NULL,
    entry      TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (breach_id, version)
);
