-- Euterpe's first schema (Postgres). Times are Unix seconds (BIGINT) so that the same queries
-- and bindings serve SQLite too; see migrations/sqlite for the twin.

-- One row per Spotify account that has logged in.
CREATE TABLE users (
    id                 UUID PRIMARY KEY,
    -- Spotify's immutable account_id, or its user id when account_id is absent.
    spotify_account_id TEXT NOT NULL UNIQUE,
    spotify_id         TEXT NOT NULL,
    display_name       TEXT,
    email              TEXT,
    created_at         BIGINT NOT NULL,
    last_login_at      BIGINT NOT NULL,
    last_seen_at       BIGINT NOT NULL
);

-- The user's Spotify tokens, encrypted (key id ‖ nonce ‖ AES-256-GCM ciphertext).
CREATE TABLE spotify_tokens (
    user_id           UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    key_id            TEXT NOT NULL,
    access_token      BYTEA NOT NULL,
    refresh_token     BYTEA NOT NULL,
    access_expires_at BIGINT NOT NULL,
    scope             TEXT NOT NULL,
    -- Spotify refresh tokens die six months after this, whatever refreshes happen.
    authorized_at     BIGINT NOT NULL,
    needs_relogin     BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at        BIGINT NOT NULL
);

-- Which login sessions belong to which user, so that deleting an account ends them all.
CREATE TABLE user_sessions (
    session_id TEXT PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX user_sessions_by_user ON user_sessions (user_id);

-- Spotify responses per user, served until expires_at so one fetch serves every panel.
CREATE TABLE spotify_cache (
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    body       TEXT NOT NULL,
    fetched_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);
