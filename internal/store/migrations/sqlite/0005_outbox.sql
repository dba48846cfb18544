-- The outbox: email written in the same transaction as the change that
-- causes it, delivered by the sender (internal/mail). The recipient and
-- body are sealed (payload). A message is in one of three states:
--   queued  sent_at IS NULL AND failed_at IS NULL (due at next_attempt_at)
--   sent    sent_at IS NOT NULL; payload is emptied, kind and times kept
--   failed  failed_at IS NOT NULL: the sender gave up after its last
--           attempt; staff see it (kind, attempts, last_error) and may
--           queue it again
-- A sender claims due rows with a lease (claimed_by, claimed_until), so
-- two senders never hold the same message; a lapsed lease (a killed
-- sender) lets another sender take it.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    claimed_by      TEXT NOT NULL DEFAULT '',
    claimed_until   TIMESTAMP,
    sent_at         TIMESTAMP,
    failed_at       TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX outbox_failed ON outbox (failed_at) WHERE failed_at IS NOT NULL;
