-- The Account step, part 1: recommendations drawn from the evidence, and
-- the evidence frozen when one is published. A draft names its evidence
-- (themes, consented quotes); publishing copies the disclosure-controlled
-- figures as the published strings ("*", "10") and the quotes' redacted
-- words, so the public report never recomputes them. A quote's words
-- cascade from the experience they came from, so a withdrawal, the
-- experiences' retention rule or a demo reset removes them from every
-- snapshot in the same transaction; the quote's place stays, marked
-- withdrawn.

CREATE TABLE recommendations (
    id           TEXT PRIMARY KEY,
    reference    TEXT NOT NULL UNIQUE, -- R-2026-001
    status       TEXT NOT NULL DEFAULT 'draft', -- draft, published
    title        TEXT NOT NULL, -- English
    body         TEXT NOT NULL, -- English
    version      INTEGER NOT NULL DEFAULT 1, -- an edit names the version it changed
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    published_by TEXT NOT NULL DEFAULT '',
    published_at TIMESTAMPTZ
);
CREATE INDEX recommendations_status ON recommendations (status, reference);

CREATE TABLE recommendation_texts (
    recommendation_id TEXT NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    lang              TEXT NOT NULL,
    title             TEXT NOT NULL,
    body              TEXT NOT NULL,
    PRIMARY KEY (recommendation_id, lang)
);

-- The programme organisations it is addressed to (their slugs).
CREATE TABLE recommendation_organisations (
    recommendation_id TEXT NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    organisation      TEXT NOT NULL,
    PRIMARY KEY (recommendation_id, organisation)
);

-- A draft's chosen evidence: themes (top-level codes) and quotes
-- (codings, which cascade from their experience).
CREATE TABLE recommendation_themes (
    recommendation_id TEXT NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    theme_id          TEXT NOT NULL,
    position          INTEGER NOT NULL,
    PRIMARY KEY (recommendation_id, theme_id)
);
CREATE TABLE recommendation_quote_choices (
    recommendation_id TEXT NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    coding_id         TEXT NOT NULL REFERENCES codings (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    PRIMARY KEY (recommendation_id, coding_id)
);

-- The frozen figures: a theme's count (community '') and its breakdown by
-- community, as published by disclosure control. Never a raw count.
CREATE TABLE recommendation_figures (
    recommendation_id TEXT NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    theme_id          TEXT NOT NULL,
    theme_name        TEXT NOT NULL,
    community         TEXT NOT NULL DEFAULT '',
    value             TEXT NOT NULL,
    position          INTEGER NOT NULL,
    PRIMARY KEY (recommendation_id, theme_id, community)
);

-- The frozen quotes: their place, and apart from it their words, which go
-- with the experience.
CREATE TABLE recommendation_quotes (
    id                TEXT PRIMARY KEY,
    recommendation_id TEXT NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    theme_id          TEXT NOT NULL,
    theme_name        TEXT NOT NULL
);
CREATE INDEX recommendation_quotes_rec ON recommendation_quotes (recommendation_id, position);
CREATE TABLE recommendation_quote_words (
    quote_id      TEXT PRIMARY KEY REFERENCES recommendation_quotes (id) ON DELETE CASCADE,
    experience_id TEXT NOT NULL REFERENCES experiences (id) ON DELETE CASCADE,
    lang          TEXT NOT NULL,
    words         TEXT NOT NULL,
    translation   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX recommendation_quote_words_experience ON recommendation_quote_words (experience_id);
