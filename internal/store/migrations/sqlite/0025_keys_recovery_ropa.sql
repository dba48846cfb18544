-- Key rotations (`hearme keys rotate`): which key values are being
-- moved to, when it started and finished, how many values were sealed
-- again. The keys themselves live only in the keyring file.
CREATE TABLE key_rotations (
    id          TEXT PRIMARY KEY,
    to_key      TEXT NOT NULL,
    started_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    resealed    BIGINT NOT NULL DEFAULT 0
);

-- Second-factor recovery codes: shown once at enrolment, kept only as a
-- keyed hash (HMAC-SHA-256 under a key derived from the keyring), each
-- usable once.
CREATE TABLE recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP,
    PRIMARY KEY (user_id, code_hash)
);

-- The record of processing activities (UK GDPR Article 30) and the data
-- protection impact assessment (Article 35): what the configuration
-- cannot know, written by the data protection officer. Every change is a
-- new version; none is rewritten (docs/records-of-processing.md).
CREATE TABLE ropa_versions (
    field      TEXT NOT NULL,
    version    INTEGER NOT NULL,
    value      TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (field, version)
);
