-- Public read-only share links (SQLite twin of migrations/postgres/0006).
-- Only a SHA-256 fingerprint of each link's token is stored: the link itself is shown once, to
-- its owner, when it is made.
CREATE TABLE shares (
    id         BLOB PRIMARY KEY NOT NULL,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    -- Comma-separated panel route names, e.g. 'top_songs,top_artists'.
    panels     TEXT NOT NULL,
    -- The name the share's header shows; NULL shows none.
    shown_name TEXT,
    indexable  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    revoked_at INTEGER,
    views      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX shares_by_user ON shares (user_id);
