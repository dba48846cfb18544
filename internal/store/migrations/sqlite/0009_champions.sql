-- Cancer champions: applications and the onboarding pipeline, training,
-- outreach, and helpers signed up for events. Who the person is (name,
-- email, phone) and what they told us (communities, languages,
-- availability, motivation, lived experience) are sealed (AES-256-GCM,
-- key id beside each value); the pipeline's own columns are not.
CREATE TABLE champion_applications (
    id               TEXT PRIMARY KEY,
    lang             TEXT NOT NULL,
    name_sealed      TEXT NOT NULL DEFAULT '',
    email_sealed     TEXT NOT NULL DEFAULT '',
    phone_sealed     TEXT NOT NULL DEFAULT '',
    details_sealed   TEXT NOT NULL DEFAULT '',
    consent_version  TEXT NOT NULL,
    consent_at       TIMESTAMP NOT NULL,
    stage            TEXT NOT NULL,
    proceeded        BOOLEAN NOT NULL DEFAULT FALSE, -- reached training at some point
    owner_id         TEXT REFERENCES users (id) ON DELETE SET NULL,
    user_id          TEXT UNIQUE REFERENCES users (id),
    created_at       TIMESTAMP NOT NULL,
    stage_changed_at TIMESTAMP NOT NULL,
    left_at          TIMESTAMP,
    counts_only      BOOLEAN NOT NULL DEFAULT FALSE  -- retention kept only the counts
);
CREATE INDEX champion_applications_stage ON champion_applications (stage, stage_changed_at);

CREATE TABLE champion_notes (
    id          TEXT PRIMARY KEY,
    champion_id TEXT NOT NULL REFERENCES champion_applications (id) ON DELETE CASCADE,
    author_id   TEXT NOT NULL,
    stage       TEXT NOT NULL DEFAULT '', -- the stage moved to, when the note came with a move
    body_sealed TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX champion_notes_champion ON champion_notes (champion_id, created_at);

CREATE TABLE champion_training_modules (
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    summary    TEXT NOT NULL DEFAULT '',
    required   BOOLEAN NOT NULL DEFAULT TRUE,
    position   INTEGER NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE champion_training_records (
    champion_id  TEXT NOT NULL REFERENCES champion_applications (id) ON DELETE CASCADE,
    module_id    TEXT NOT NULL REFERENCES champion_training_modules (id),
    completed_on TEXT NOT NULL, -- YYYY-MM-DD
    recorded_by  TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (champion_id, module_id)
);

CREATE TABLE champion_outreach (
    id             TEXT PRIMARY KEY,
    champion_id    TEXT NOT NULL REFERENCES champion_applications (id) ON DELETE CASCADE,
    held_on        TEXT NOT NULL, -- YYYY-MM-DD
    community      TEXT NOT NULL,
    place          TEXT NOT NULL DEFAULT '',
    people_reached INTEGER NOT NULL,
    topics         TEXT NOT NULL DEFAULT '',
    materials      TEXT NOT NULL DEFAULT '',
    follow_up      TEXT NOT NULL DEFAULT '',
    minutes        INTEGER NOT NULL DEFAULT 0,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX champion_outreach_champion ON champion_outreach (champion_id, held_on);
CREATE INDEX champion_outreach_community ON champion_outreach (community);

-- Champions signed up to help at an event.
CREATE TABLE event_helpers (
    event_id   TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (event_id, user_id)
);

-- Retention keeps only the counts of a champion who left: when it sets
-- counts_only, the notes, training record and the free text of their
-- outreach go, and their account is disabled and made anonymous.
CREATE TRIGGER champion_counts_only AFTER UPDATE OF counts_only ON champion_applications
WHEN NEW.counts_only AND NOT OLD.counts_only
BEGIN
    DELETE FROM champion_notes WHERE champion_id = NEW.id;
    DELETE FROM champion_training_records WHERE champion_id = NEW.id;
    UPDATE champion_outreach SET place = '', topics = '', materials = '', follow_up = '' WHERE champion_id = NEW.id;
    DELETE FROM event_helpers WHERE user_id = NEW.user_id;
    DELETE FROM setup_tokens WHERE user_id = NEW.user_id;
    UPDATE users SET email = 'removed-' || id || '@invalid', display_name = '', password_hash = '', totp_secret = '',
        disabled = TRUE, session_epoch = session_epoch + 1 WHERE id = NEW.user_id;
END;
