-- Experiences and ideas, with identity kept apart from the narrative:
-- equality answers, consent and (sealed) contact details are separate
-- tables, removed with the experience when it is withdrawn.

CREATE TABLE experiences (
    id              TEXT PRIMARY KEY,
    reference       TEXT NOT NULL UNIQUE,
    secret_hash     TEXT NOT NULL,
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL,
    lang            TEXT NOT NULL,
    role            TEXT NOT NULL DEFAULT '',
    what_happened   TEXT NOT NULL DEFAULT '',
    went_well       TEXT NOT NULL DEFAULT '',
    could_be_better TEXT NOT NULL DEFAULT '',
    idea            TEXT NOT NULL DEFAULT '',
    cancer_type     TEXT NOT NULL DEFAULT '',
    services        TEXT NOT NULL DEFAULT '',
    year            INTEGER NOT NULL DEFAULT 0,
    source          TEXT NOT NULL,
    recorded_by     TEXT NOT NULL DEFAULT '',
    event_id        TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX experiences_status_idx ON experiences (status, created_at);

CREATE TABLE experience_stages (
    experience_id TEXT NOT NULL REFERENCES experiences (id) ON DELETE CASCADE,
    stage         TEXT NOT NULL,
    PRIMARY KEY (experience_id, stage)
);

CREATE TABLE equality_answers (
    experience_id       TEXT PRIMARY KEY REFERENCES experiences (id) ON DELETE CASCADE,
    ethnic_group        TEXT NOT NULL DEFAULT '',
    ethnic_other        TEXT NOT NULL DEFAULT '',
    age_band            TEXT NOT NULL DEFAULT '',
    sex                 TEXT NOT NULL DEFAULT '',
    gender_same_as_birth TEXT NOT NULL DEFAULT '',
    gender_other        TEXT NOT NULL DEFAULT '',
    disability          TEXT NOT NULL DEFAULT '',
    disability_impact   TEXT NOT NULL DEFAULT '',
    religion            TEXT NOT NULL DEFAULT '',
    religion_other      TEXT NOT NULL DEFAULT '',
    main_language       TEXT NOT NULL DEFAULT '',
    language_other      TEXT NOT NULL DEFAULT '',
    community           TEXT NOT NULL DEFAULT '',
    postcode_district   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE consents (
    experience_id TEXT PRIMARY KEY REFERENCES experiences (id) ON DELETE CASCADE,
    version       TEXT NOT NULL,
    evidence      BOOLEAN NOT NULL,
    quote         BOOLEAN NOT NULL,
    contact       BOOLEAN NOT NULL,
    named         BOOLEAN NOT NULL,
    verbal        BOOLEAN NOT NULL DEFAULT FALSE,
    recorded_by   TEXT NOT NULL DEFAULT '',
    given_at      TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

-- Sealed (AES-256-GCM) contact details; each value names its key.
CREATE TABLE contact_details (
    experience_id   TEXT PRIMARY KEY REFERENCES experiences (id) ON DELETE CASCADE,
    name_sealed     TEXT NOT NULL DEFAULT '',
    email_sealed    TEXT NOT NULL DEFAULT '',
    phone_sealed    TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    last_contact_at TIMESTAMP NOT NULL
);

-- What is kept of a withdrawn experience: a count per month and kind.
CREATE TABLE withdrawals (
    month TEXT NOT NULL,
    kind  TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (month, kind)
);
