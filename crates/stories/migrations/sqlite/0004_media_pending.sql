-- Whether some archived story of the account may still lack its media row: set in the
-- transaction that stores a new story, cleared by the poll that leaves none without. A poll
-- looks for stories without media only when it is set, so a quiet poll (nothing new, nothing
-- owed) skips that query. Accounts watched before this column start set: their first poll
-- looks once.

ALTER TABLE watched ADD COLUMN media_pending BIGINT NOT NULL DEFAULT 1;
