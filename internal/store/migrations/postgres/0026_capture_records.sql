-- Offline capture (docs/offline.md). A record captured on a connector's
-- or champion's phone carries an id the phone made (a UUID); the server
-- accepts each id once and answers a repeat with the first
-- acknowledgement (the same reference and secret). The secret is kept
-- sealed with the experience's own data key, so it goes when the
-- experience goes. captured_at is the phone's capture time corrected by
-- the phone's clock error; NULL when the phone's clock could not be
-- trusted (clock_note says why). arrived_at is the server's time.
CREATE TABLE capture_records (
    client_id     TEXT PRIMARY KEY,
    experience_id TEXT NOT NULL UNIQUE REFERENCES experiences (id) ON DELETE CASCADE,
    recorded_by   TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    captured_at   TIMESTAMPTZ,
    clock_note    TEXT NOT NULL DEFAULT '',
    arrived_at    TIMESTAMPTZ NOT NULL
);

-- The P-256 key pairs that phones encrypt waiting records to. The
-- private half is sealed with the keyring and never leaves the server;
-- the newest is current, older ones still open what phones hold.
CREATE TABLE capture_queue_keys (
    id             TEXT PRIMARY KEY,
    private_sealed TEXT NOT NULL,
    public_jwk     TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL
);
