-- Highlights of accounts watched with --highlights: each highlight once, which archived
-- stories it holds, and when the account's highlights were last read (they are read less
-- often than its stories: a highlight keeps its items).

ALTER TABLE watched ADD COLUMN highlights_polled_at BIGINT;

CREATE TABLE highlights (
    id         TEXT PRIMARY KEY,             -- the numeric highlight id, without `highlight:`
    account    TEXT NOT NULL,
    first_seen BIGINT NOT NULL,
    title      TEXT,
    vendor     TEXT NOT NULL,
    highlight  TEXT NOT NULL                 -- the domain Highlight as JSON, without its items
);

CREATE TABLE highlight_items (
    highlight_id TEXT NOT NULL REFERENCES highlights (id),
    story_id     TEXT NOT NULL REFERENCES stories (id),
    PRIMARY KEY (highlight_id, story_id)
);
