-- Issue 13 item 9: communities shape the recommendations. A draft can be
-- opened for community review (and closed again) before it goes to the
-- stakeholders. Opening it freezes the figures residents see, as
-- disclosure control published them that day (never a raw count), like a
-- publication does. Residents rank the open drafts online, one ranking per
-- browser (a keyed hash of a random cookie, never an address), and may
-- comment on each; comments wait for moderation and follow the
-- "review-comments" retention rule. A connector records the result of a
-- review held at a listening event: ranks or dot votes per draft, for one
-- community, with how many took part.

CREATE TABLE recommendation_reviews (
    recommendation_id TEXT PRIMARY KEY REFERENCES recommendations (id) ON DELETE CASCADE,
    opened_by         TEXT NOT NULL,
    opened_at         TIMESTAMPTZ NOT NULL,
    closed_by         TEXT NOT NULL DEFAULT '',
    closed_at         TIMESTAMPTZ
);

CREATE TABLE review_figures (
    recommendation_id TEXT NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    theme_id          TEXT NOT NULL,
    theme_name        TEXT NOT NULL,
    community         TEXT NOT NULL DEFAULT '',
    value             TEXT NOT NULL,
    position          INTEGER NOT NULL,
    PRIMARY KEY (recommendation_id, theme_id, community)
);

-- One row per draft per browser: the place the browser gave it (1 = most
-- important) among how many drafts it ranked at once.
CREATE TABLE review_ranks (
    recommendation_id TEXT NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    browser           TEXT NOT NULL,
    ballot_id         TEXT NOT NULL,
    place             INTEGER NOT NULL,
    of_count          INTEGER NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (recommendation_id, browser)
);
CREATE INDEX review_ranks_browser ON review_ranks (browser);

CREATE TABLE review_comments (
    id                TEXT PRIMARY KEY,
    recommendation_id TEXT NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    lang              TEXT NOT NULL,
    body              TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'pending', -- pending, approved, rejected
    created_at        TIMESTAMPTZ NOT NULL,
    moderated_by      TEXT NOT NULL DEFAULT '',
    moderated_at      TIMESTAMPTZ
);
CREATE INDEX review_comments_status ON review_comments (status, created_at);
CREATE INDEX review_comments_created ON review_comments (created_at);

CREATE TABLE review_events (
    id           TEXT PRIMARY KEY,
    place        TEXT NOT NULL, -- the listening event's name
    held_on      TEXT NOT NULL, -- YYYY-MM-DD
    community    TEXT NOT NULL, -- slug
    method       TEXT NOT NULL, -- ranks, dots
    participants INTEGER NOT NULL,
    recorded_by  TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE review_event_votes (
    event_id          TEXT NOT NULL REFERENCES review_events (id) ON DELETE CASCADE,
    recommendation_id TEXT NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    value             INTEGER NOT NULL, -- a place (ranks) or a number of dots
    PRIMARY KEY (event_id, recommendation_id)
);
CREATE INDEX review_event_votes_rec ON review_event_votes (recommendation_id);
