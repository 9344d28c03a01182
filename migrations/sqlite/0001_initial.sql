-- Euterpe's first schema (SQLite). Times are Unix seconds (INTEGER), ids are UUIDs stored as
-- 16-byte BLOBs, booleans are 0/1. Kept column-for-column equal to migrations/postgres so the
-- same queries serve both backends.

-- One row per Spotify account that has logged in.
CREATE TABLE users (
    id                 BLOB PRIMARY KEY NOT NULL,
    -- Spotify's immutable account_id, or its user id when account_id is absent.
    spotify_account_id TEXT NOT NULL UNIQUE,
    spotify_id         TEXT NOT NULL,
    display_name       TEXT,
    email              TEXT,
    created_at         INTEGER NOT NULL,
    last_login_at      INTEGER NOT NULL,
    last_seen_at       INTEGER NOT NULL
);

-- The user's Spotify tokens, encrypted (key id ‖ nonce ‖ AES-256-GCM ciphertext).
CREATE TABLE spotify_tokens (
    user_id           BLOB PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key_id            TEXT NOT NULL,
    access_token      BLOB NOT NULL,
    refresh_token     BLOB NOT NULL,
    access_expires_at INTEGER NOT NULL,
    scope             TEXT NOT NULL,
    -- Spotify refresh tokens die six months after this, whatever refreshes happen.
    authorized_at     INTEGER NOT NULL,
    needs_relogin     BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at        INTEGER NOT NULL
);

-- Which login sessions belong to which user, so that deleting an account ends them all.
CREATE TABLE user_sessions (
    session_id TEXT PRIMARY KEY NOT NULL,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);
CREATE INDEX user_sessions_by_user ON user_sessions (user_id);

-- Spotify responses per user, served until expires_at so one fetch serves every panel.
CREATE TABLE spotify_cache (
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    body       TEXT NOT NULL,
    fetched_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);
