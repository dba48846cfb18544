-- People's rights, part two (issue 14): finding everything held about a
-- person, the response pack, erasure, restriction and reminders.
--
-- Keyed lookup hashes: beside each sealed email address or phone number,
-- an HMAC-SHA-256 of the normalised value (internal/contact) under a key
-- derived from the keyring, the same hash registrations already keep
-- (email_key, phone_key), so a person is found by email or phone without
-- opening every sealed value. Empty when there is no such detail.
ALTER TABLE contact_details ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
ALTER TABLE contact_details ADD COLUMN phone_key TEXT NOT NULL DEFAULT '';
CREATE INDEX contact_details_email_key ON contact_details (email_key) WHERE email_key <> '';
CREATE INDEX contact_details_phone_key ON contact_details (phone_key) WHERE phone_key <> '';
ALTER TABLE invitations ADD COLUMN contact_email_key TEXT NOT NULL DEFAULT '';
ALTER TABLE invitations ADD COLUMN contact_phone_key TEXT NOT NULL DEFAULT '';
CREATE INDEX invitations_email_key ON invitations (contact_email_key) WHERE contact_email_key <> '';
CREATE INDEX invitations_phone_key ON invitations (contact_phone_key) WHERE contact_phone_key <> '';
ALTER TABLE champion_applications ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
ALTER TABLE champion_applications ADD COLUMN phone_key TEXT NOT NULL DEFAULT '';
CREATE INDEX champion_applications_email_key ON champion_applications (email_key) WHERE email_key <> '';
CREATE INDEX champion_applications_phone_key ON champion_applications (phone_key) WHERE phone_key <> '';
ALTER TABLE rights_requests ADD COLUMN contact_key TEXT NOT NULL DEFAULT '';
CREATE INDEX rights_requests_contact_key ON rights_requests (contact_key) WHERE contact_key <> '';
CREATE INDEX rights_requests_reference ON rights_requests (reference) WHERE reference <> '';
-- The outbox keeps the recipient's hash after sending (the payload is
-- emptied), so "emails sent" to a person can be listed and erased.
ALTER TABLE outbox ADD COLUMN to_key TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_to_key ON outbox (to_key) WHERE to_key <> '';
-- Registrations already have the hashes; this index finds them across events.
CREATE INDEX registrations_email_key ON registrations (email_key) WHERE email_key <> '';
CREATE INDEX registrations_phone_key ON registrations (phone_key) WHERE phone_key <> '';

-- Restriction (UK GDPR Article 18): a restricted experience has status
-- 'restricted', so every output that reads approved experiences leaves
-- it out; restricted_from keeps the status it had, given back when the
-- restriction is lifted ('' when not restricted).
ALTER TABLE experiences ADD COLUMN restricted_from TEXT NOT NULL DEFAULT '';

-- Reminders of rights requests due soon or overdue: one row per request,
-- stage and due date, written in the transaction that queues the email,
-- so a reminder is never sent twice (an extension gives a new due date,
-- and so new reminders).
CREATE TABLE rights_reminders (
    request_id TEXT NOT NULL REFERENCES rights_requests (id) ON DELETE CASCADE,
    stage      TEXT NOT NULL, -- due-soon, overdue
    due_on     TEXT NOT NULL, -- YYYY-MM-DD
    sent_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (request_id, stage, due_on)
);

-- Response packs: a pack is prepared for a request, downloaded once by
-- the member of staff who prepared it before it expires, and marked sent
-- with how it reached the person. The pack's content is built at the
-- download and never stored; summary holds what was disclosed (counts
-- per kind of record, never content).
CREATE TABLE rights_packs (
    id            TEXT PRIMARY KEY,
    request_id    TEXT NOT NULL REFERENCES rights_requests (id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    format        TEXT NOT NULL, -- html, json
    lang          TEXT NOT NULL, -- the person's language the pack is written in
    prepared_by   TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    downloaded_at TIMESTAMP,
    summary       TEXT NOT NULL DEFAULT '',
    sent_on       TEXT,
    sent_how      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX rights_packs_request ON rights_packs (request_id, created_at);

-- What erasure keeps: a count per month and kind of record erased.
CREATE TABLE erasure_counts (
    month TEXT NOT NULL,
    what  TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (month, what)
);
