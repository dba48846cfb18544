-- Events run by connectors, their texts in each language, their agenda,
-- and the registrations of residents. A registration's name, contact
-- details and access needs are sealed (AES-256-GCM, see internal/sealed)
-- and removed by the registration-details retention rule a configured
-- period after the event; the count of places stays for the report.
CREATE TABLE events (
    id                TEXT PRIMARY KEY,
    kind              TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'scheduled', -- scheduled, postponed, cancelled
    status_message    TEXT NOT NULL DEFAULT '',          -- the connector's message to those registered
    visibility        TEXT NOT NULL DEFAULT 'public',    -- public, invitation
    invite_key        TEXT NOT NULL DEFAULT '',          -- the key an invitation link carries (invitation-only events)
    community         TEXT NOT NULL DEFAULT '',          -- a community slug, '' for everyone
    languages         TEXT NOT NULL DEFAULT '',          -- comma-separated language codes spoken
    interpreters      TEXT NOT NULL DEFAULT '',          -- comma-separated language codes with an interpreter
    starts_at         TIMESTAMP NOT NULL,
    ends_at           TIMESTAMP NOT NULL,
    venue_name        TEXT NOT NULL DEFAULT '',
    venue_address     TEXT NOT NULL DEFAULT '',
    venue_postcode    TEXT NOT NULL DEFAULT '',
    access            TEXT NOT NULL DEFAULT '',          -- comma-separated access features (event.Access*)
    access_notes      TEXT NOT NULL DEFAULT '',
    capacity          INTEGER NOT NULL,
    walk_ins          INTEGER NOT NULL DEFAULT 0,
    -- Kept by the store in the same transaction as every change to the
    -- registrations, so a registration reads its event's counts in O(1).
    confirmed_places  INTEGER NOT NULL DEFAULT 0,
    waiting_places    INTEGER NOT NULL DEFAULT 0,
    last_position     INTEGER NOT NULL DEFAULT 0,
    created_by        TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX events_starts ON events (starts_at);

CREATE TABLE event_texts (
    event_id    TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    lang        TEXT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (event_id, lang)
);

CREATE TABLE event_agenda (
    event_id  TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    at        TEXT NOT NULL DEFAULT '', -- HH:MM, local time
    activity  TEXT NOT NULL,
    speaker   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (event_id, position)
);

CREATE TABLE registrations (
    id                  TEXT PRIMARY KEY,
    event_id            TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    status              TEXT NOT NULL,             -- confirmed, waiting, cancelled
    places              INTEGER NOT NULL,
    position            INTEGER NOT NULL,          -- order of arrival within the event (waiting list order)
    lang                TEXT NOT NULL,             -- the language they registered in (emails use it)
    name_sealed         TEXT NOT NULL DEFAULT '',
    email_sealed        TEXT NOT NULL DEFAULT '',
    phone_sealed        TEXT NOT NULL DEFAULT '',
    reminders_consent   BOOLEAN NOT NULL DEFAULT FALSE,
    access_needs_sealed TEXT NOT NULL DEFAULT '',
    interpreter_lang    TEXT NOT NULL DEFAULT '',
    heard_about         TEXT NOT NULL DEFAULT '',
    email_key           TEXT NOT NULL DEFAULT '',  -- keyed hash of the normalised email, to refuse duplicates
    phone_key           TEXT NOT NULL DEFAULT '',  -- keyed hash of the normalised phone
    cancel_hash         TEXT NOT NULL,             -- SHA-256 of the token the cancellation link carries
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    cancelled_at        TIMESTAMP,
    promoted_at         TIMESTAMP,
    reminder_sent_at    TIMESTAMP,
    attended_at         TIMESTAMP,
    details_removed_at  TIMESTAMP
);
CREATE UNIQUE INDEX registrations_cancel ON registrations (cancel_hash);
CREATE INDEX registrations_event ON registrations (event_id, status, places, position); -- covers the counts of places
CREATE UNIQUE INDEX registrations_email_once ON registrations (event_id, email_key) WHERE email_key <> '' AND status <> 'cancelled';
CREATE UNIQUE INDEX registrations_phone_once ON registrations (event_id, phone_key) WHERE phone_key <> '' AND status <> 'cancelled';
