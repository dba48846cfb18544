-- Following the public report by email (issue 13, item 7; docs/accountability.md).
-- A subscription follows the whole report ('all'), one stakeholder
-- organisation or one community (target: its slug). The address is a
-- contact detail: sealed, with the keyed lookup hash (as migration 0024)
-- so a second subscription to the same thing is found without opening
-- any. It is unconfirmed (confirmed_at NULL) until the signed link in the
-- confirmation email is used, and deleted seven days after it was made if
-- it never is; unsubscribing deletes the row at once.
CREATE TABLE subscriptions (
    id           TEXT PRIMARY KEY,
    email_sealed TEXT NOT NULL,
    email_key    TEXT NOT NULL,
    lang         TEXT NOT NULL,
    scope        TEXT NOT NULL CHECK (scope IN ('all', 'organisation', 'community')),
    target       TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP,
    -- the last digest run this subscriber's digest was queued by: the
    -- per-subscriber idempotency key that makes a run queue each digest
    -- exactly once, however often it is restarted
    last_run_id  TEXT NOT NULL DEFAULT '',
    UNIQUE (email_key, scope, target)
);
CREATE INDEX subscriptions_unconfirmed ON subscriptions (created_at) WHERE confirmed_at IS NULL;

-- One row per digest: the window of published changes it covers
-- (since_at, until_at], when it started and when every digest of it was
-- in the outbox (finished_at NULL: under way, or interrupted and resumed
-- by the next run of the job).
CREATE TABLE digest_runs (
    id          TEXT PRIMARY KEY,
    since_at    TIMESTAMP NOT NULL,
    until_at    TIMESTAMP NOT NULL,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    queued      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX digest_runs_until ON digest_runs (until_at);
