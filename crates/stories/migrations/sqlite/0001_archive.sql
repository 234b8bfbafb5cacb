-- The story archive: watched accounts, every story seen once, its media files, the raw vendor
-- responses and every vendor attempt. Times are Unix seconds (UTC); flags are 0/1 BIGINTs,
-- so the same queries run on SQLite and Postgres.

CREATE TABLE watched (
    account       TEXT PRIMARY KEY,      -- the account as stories names it: a lowercase username or a numeric id
    highlights    BIGINT NOT NULL DEFAULT 0,
    added_at      BIGINT NOT NULL,
    interval_secs BIGINT NOT NULL,       -- the gap until the next poll, never above the worker's --max-gap
    next_poll_at  BIGINT NOT NULL,
    last_poll_at  BIGINT,
    last_outcome  TEXT,
    failures      BIGINT NOT NULL DEFAULT 0,
    missed        BIGINT NOT NULL DEFAULT 0  -- stories seen only after their media had expired
);
CREATE INDEX watched_due ON watched (next_poll_at);

CREATE TABLE responses (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account     TEXT NOT NULL,
    vendor      TEXT NOT NULL,
    operation   TEXT NOT NULL,
    status      BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    body        BLOB NOT NULL
);

CREATE TABLE stories (
    id          TEXT PRIMARY KEY,        -- the media id: a story is stored once, whoever saw it first
    account     TEXT NOT NULL,
    first_seen  BIGINT NOT NULL,
    taken_at    BIGINT,
    expires_at  BIGINT,
    vendor      TEXT NOT NULL,
    response_id BIGINT REFERENCES responses (id),
    story       TEXT NOT NULL            -- the domain Story as JSON
);
CREATE INDEX stories_by_account ON stories (account, first_seen);

-- A row only once the file is complete under its final name.
CREATE TABLE media (
    story_id TEXT NOT NULL REFERENCES stories (id),
    path     TEXT NOT NULL,              -- relative to the media folder
    sha256   TEXT NOT NULL,
    bytes    BIGINT NOT NULL,
    PRIMARY KEY (story_id, path)
);

CREATE TABLE attempts (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    account           TEXT NOT NULL,
    at                BIGINT NOT NULL,
    vendor            TEXT NOT NULL,
    operation         TEXT NOT NULL,
    status            BIGINT,
    result            TEXT NOT NULL,
    credits_used      BIGINT,
    credits_estimated BIGINT NOT NULL,
    elapsed_ms        BIGINT NOT NULL
);

CREATE TABLE polls (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    account   TEXT NOT NULL,
    at        BIGINT NOT NULL,
    gap_secs  BIGINT,                    -- since the account's previous poll
    outcome   TEXT NOT NULL,
    new_items BIGINT NOT NULL
);

CREATE TABLE watch_workers (  -- the job queue keeps its own Workers table
    id         TEXT PRIMARY KEY,
    host       TEXT NOT NULL,
    pid        BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL
);
