-- Each cached Spotify answer carries the version it was written with (random per write), so a
-- process that keeps the parsed answer in memory can tell with a small read whether the row is
-- still the one it parsed, or another process (or a refresh) has replaced it.
ALTER TABLE spotify_cache ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
