-- Translations of organisations' words (issue 13, item 4): a commitment's
-- words, a public progress update's words and the reasons of an answer,
-- into a programme language, made by a connector or an administrator
-- (translated_by: the staff account's id; the audit trail has the entry).
-- source is the English a translation was made from: when the
-- organisation's words change, the translation is stale (kept for the
-- translator to revise, never shown on the public report).

CREATE TABLE commitment_translations (
    commitment_id TEXT NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    lang          TEXT NOT NULL,
    body          TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    what_changed  TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL,
    translated_by TEXT NOT NULL,
    translated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (commitment_id, lang)
);

CREATE TABLE update_translations (
    update_id     TEXT NOT NULL REFERENCES commitment_updates (id) ON DELETE CASCADE,
    lang          TEXT NOT NULL,
    body          TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    what_changed  TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL,
    translated_by TEXT NOT NULL,
    translated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (update_id, lang)
);

CREATE TABLE response_translations (
    response_id   TEXT NOT NULL REFERENCES recommendation_responses (id) ON DELETE CASCADE,
    lang          TEXT NOT NULL,
    body          TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    what_changed  TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL,
    translated_by TEXT NOT NULL,
    translated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (response_id, lang)
);
