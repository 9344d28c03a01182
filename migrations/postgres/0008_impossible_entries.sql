-- Import summaries count the entries skipped for an impossible time or duration (a play ending
-- before 2006 or more than a day ahead, or lasting less than nothing or more than a day).
-- Imports made before it counted none: 0.
ALTER TABLE imports ADD COLUMN impossible_skipped BIGINT NOT NULL DEFAULT 0;
