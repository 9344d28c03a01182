-- Being frugal with Spotify's shared rate limit (SQLite twin of migrations/postgres/0004).

-- Pauses after a 429: scope is a user's id (text) or 'app' for every user; no call to Spotify
-- is made for the scope before `until` (Unix seconds).
CREATE TABLE spotify_pauses (
    scope TEXT PRIMARY KEY NOT NULL,
    until INTEGER NOT NULL
);

-- Who is fetching what right now, so that processes sharing the database wait for one fetch
-- of a resource instead of each making their own. A lease ends at `until` even if its holder
-- died.
CREATE TABLE spotify_fetch_leases (
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key     TEXT NOT NULL,
    until   INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Artists as Spotify describes them (genres, popularity: extended-quota apps only). Catalogue
-- facts, not personal data: shared by every user.
CREATE TABLE spotify_artists (
    id         TEXT PRIMARY KEY NOT NULL,
    body       TEXT NOT NULL,
    fetched_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE INDEX spotify_cache_by_expiry ON spotify_cache (expires_at);
