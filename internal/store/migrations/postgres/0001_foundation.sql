-- Foundation: programme configuration, staff accounts, sessions, audit, job locks.

CREATE TABLE programme_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE languages (
    code        TEXT PRIMARY KEY,
    native_name TEXT NOT NULL,
    english_name TEXT NOT NULL,
    rtl         BOOLEAN NOT NULL DEFAULT FALSE,
    position    INTEGER NOT NULL,
    enabled     BOOLEAN NOT NULL DEFAULT TRUE
);

-- Communities and pathway stages: configurable lists with a name per language.
CREATE TABLE config_items (
    kind     TEXT NOT NULL,
    slug     TEXT NOT NULL,
    position INTEGER NOT NULL,
    active   BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (kind, slug)
);

CREATE TABLE config_item_names (
    kind TEXT NOT NULL,
    slug TEXT NOT NULL,
    lang TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (kind, slug, lang),
    FOREIGN KEY (kind, slug) REFERENCES config_items (kind, slug) ON DELETE CASCADE
);

CREATE TABLE organisations (
    id      TEXT PRIMARY KEY,
    slug    TEXT NOT NULL UNIQUE,
    name    TEXT NOT NULL,
    kind    TEXT NOT NULL,
    website TEXT NOT NULL DEFAULT '',
    active  BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL,
    organisation_id TEXT REFERENCES organisations (id),
    password_hash   TEXT NOT NULL DEFAULT '',
    totp_secret     TEXT NOT NULL DEFAULT '',
    totp_last_step  BIGINT NOT NULL DEFAULT 0,
    disabled        BOOLEAN NOT NULL DEFAULT FALSE,
    session_epoch   BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    last_login_at   TIMESTAMPTZ
);

-- One-time links for setting a password (first administrator, new users,
-- resets). Only the hash of the token is stored.
CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- Sessions, in the shape alexedwards/scs postgresstore expects.
CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BYTEA NOT NULL,
    expiry TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Append-only audit trail with a hash chain.
CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    actor_id  TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Background job leases: one instance runs a job at a time.
CREATE TABLE job_locks (
    name         TEXT PRIMARY KEY,
    holder       TEXT NOT NULL,
    locked_until TIMESTAMPTZ NOT NULL,
    last_run_at  TIMESTAMPTZ
);
