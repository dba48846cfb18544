-- The support directory. Multi-valued fields (needs, stages, languages,
-- communities) are kept twice: as ';'-joined text on the service, for
-- showing it without a second query, and as rows of support_tags, which
-- the filtered search uses.
CREATE TABLE support_services (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    organisation TEXT NOT NULL,
    summary      TEXT NOT NULL,
    summaries    TEXT NOT NULL DEFAULT '{}',
    needs        TEXT NOT NULL DEFAULT '',
    stages       TEXT NOT NULL DEFAULT '',
    area         TEXT NOT NULL,
    languages    TEXT NOT NULL DEFAULT '',
    communities  TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    website      TEXT NOT NULL DEFAULT '',
    hours        TEXT NOT NULL DEFAULT '',
    eligibility  TEXT NOT NULL DEFAULT '',
    referral     TEXT NOT NULL DEFAULT '',
    search_text  TEXT NOT NULL DEFAULT '',
    checked_at   TIMESTAMP,
    checked_by   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX support_services_name ON support_services (name, id);
CREATE INDEX support_services_checked ON support_services (checked_at);

-- kind: need, stage, language, community.
CREATE TABLE support_tags (
    service_id TEXT NOT NULL REFERENCES support_services (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    code       TEXT NOT NULL,
    PRIMARY KEY (service_id, kind, code)
);
CREATE INDEX support_tags_code ON support_tags (kind, code, service_id);

-- Signposting counts: anonymous increments per service, month
-- (YYYY-MM), place (directory, experience, event, champion) and event.
-- Kept when a service is deleted, so past months still add up.
CREATE TABLE support_signposts (
    service_id TEXT NOT NULL,
    month      TEXT NOT NULL,
    place      TEXT NOT NULL,
    event_id   TEXT NOT NULL DEFAULT '',
    shown      INTEGER NOT NULL DEFAULT 0,
    opened     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (service_id, month, place, event_id)
);
CREATE INDEX support_signposts_event ON support_signposts (event_id);
