-- Awareness pages: short staff-managed information pages (screening
-- programmes, signs and symptoms, interpreters), one text per language.
-- The Markdown staff wrote is kept with its sanitised rendering, made
-- when saved, so showing a page renders nothing. Earlier versions of a
-- text are kept in awareness_history. No resident's data is held here:
-- the reviewer is a member of staff's name or role.
CREATE TABLE awareness_pages (
    id         TEXT PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    position   INTEGER NOT NULL DEFAULT 0,
    published  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE awareness_texts (
    page_id       TEXT NOT NULL REFERENCES awareness_pages (id) ON DELETE CASCADE,
    lang          TEXT NOT NULL,
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL,
    body_markdown TEXT NOT NULL,
    body_html     TEXT NOT NULL,
    reviewed_on   TEXT NOT NULL, -- a date, YYYY-MM-DD
    reviewer      TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (page_id, lang)
);

CREATE TABLE awareness_history (
    id            TEXT PRIMARY KEY,
    page_id       TEXT NOT NULL REFERENCES awareness_pages (id) ON DELETE CASCADE,
    lang          TEXT NOT NULL,
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL,
    body_markdown TEXT NOT NULL,
    reviewed_on   TEXT NOT NULL,
    reviewer      TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    replaced_at   TIMESTAMP NOT NULL
);
CREATE INDEX awareness_history_page ON awareness_history (page_id, lang, replaced_at);
