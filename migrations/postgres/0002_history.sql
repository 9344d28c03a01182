-- Listening history (Postgres): plays recorded by the poller or imported from Spotify's data
-- export, the per-user catalogue of the tracks they name, summaries that keep the history views
-- fast, import jobs, poller state, coverage and per-user settings. Kept column-for-column equal
-- to migrations/sqlite/0002_history.sql.
--
-- Times are Unix seconds like everywhere else, EXCEPT `played_at`, `start_ms`, `end_ms`,
-- `after_ms` and `first_played_at`, which are Unix MILLISECONDS (the precision Spotify gives
-- `played_at` and the recently-played cursors).
--
-- The big tables (plays and its summaries) carry no foreign key, so that bulk imports don't pay
-- a check per row; deleting an account deletes from them explicitly (Store::delete_account).

-- One play. Its identity is (user, track, played_at): storing it twice is impossible.
-- track_key is the Spotify track id, or for an entry with names only (account-data export,
-- local files) "~" || artist name || U+001F || track name.
-- source: 1 = the poller (recently-played), 2 = extended streaming history, 3 = account data.
-- For the poller, played_at is Spotify's played_at and ms_played the track's duration; for
-- exports, played_at is the moment the play ENDED (ts / endTime) and ms_played what was heard.
CREATE TABLE plays (
    user_id   UUID NOT NULL,
    track_key TEXT NOT NULL,
    played_at BIGINT NOT NULL,
    ms_played BIGINT NOT NULL,
    source    BIGINT NOT NULL,
    PRIMARY KEY (user_id, track_key, played_at)
);
CREATE INDEX plays_by_time ON plays (user_id, played_at) INCLUDE (track_key, ms_played);

-- What a user's plays name: one row per track they played (names as Spotify wrote them).
CREATE TABLE user_tracks (
    user_id         UUID NOT NULL,
    track_key       TEXT NOT NULL,
    -- The Spotify track id, when known.
    track_id        TEXT,
    name            TEXT NOT NULL,
    artist_name     TEXT NOT NULL,
    album_name      TEXT,
    -- Spotify artist ids, comma-separated, when the Web API told us (exports don't).
    artist_ids      TEXT,
    duration_ms     BIGINT,
    first_played_at BIGINT,
    PRIMARY KEY (user_id, track_key)
);
CREATE INDEX user_tracks_by_name ON user_tracks (user_id, artist_name, name);

-- Plays and listening time per UTC quarter hour (bucket = Unix ms / 900000). Every time zone's
-- offset is a multiple of 15 minutes, so a bucket falls in one local hour, day and month.
CREATE TABLE play_buckets (
    user_id   UUID NOT NULL,
    bucket    BIGINT NOT NULL,
    plays     BIGINT NOT NULL,
    ms_played BIGINT NOT NULL,
    PRIMARY KEY (user_id, bucket)
);

-- Plays and listening time per track per UTC month (month = (year - 1970) * 12 + month - 1).
CREATE TABLE track_months (
    user_id     UUID NOT NULL,
    month       BIGINT NOT NULL,
    track_key   TEXT NOT NULL,
    artist_name TEXT NOT NULL,
    plays       BIGINT NOT NULL,
    ms_played   BIGINT NOT NULL,
    PRIMARY KEY (user_id, month, track_key)
);

-- Stretches of time whose plays Euterpe holds completely: a poller run without a gap, or the
-- span of an import. Everything outside is a hole the views mention.
CREATE TABLE history_coverage (
    user_id  UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source   TEXT NOT NULL,
    start_ms BIGINT NOT NULL,
    end_ms   BIGINT NOT NULL
);
CREATE INDEX history_coverage_by_user ON history_coverage (user_id, end_ms);

-- The poller's state per user.
CREATE TABLE poll_state (
    user_id         UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- The newest played_at stored from the API (the `after` cursor), Unix ms.
    after_ms        BIGINT,
    -- When a poll of this user last started / last succeeded (Unix seconds).
    last_polled_at  BIGINT NOT NULL DEFAULT 0,
    last_success_at BIGINT NOT NULL DEFAULT 0,
    -- No poll before this (a 429's Retry-After), Unix seconds.
    paused_until    BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT
);

-- Import jobs: one per upload, with progress and a summary.
CREATE TABLE imports (
    id                UUID PRIMARY KEY,
    user_id           UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- queued, running, done, failed
    status            TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    bytes_total       BIGINT NOT NULL,
    bytes_done        BIGINT NOT NULL,
    files_done        BIGINT NOT NULL,
    plays_added       BIGINT NOT NULL,
    duplicates        BIGINT NOT NULL,
    short_skipped     BIGINT NOT NULL,
    incognito_skipped BIGINT NOT NULL,
    no_track          BIGINT NOT NULL,
    -- Podcast episodes, audiobooks and videos recognised and skipped.
    other_skipped     BIGINT NOT NULL,
    -- JSON: one entry per file (name, kind, outcome, counts, error).
    report            TEXT NOT NULL,
    error             TEXT
);
CREATE INDEX imports_by_user ON imports (user_id, created_at);

-- Per-user settings of the history views.
CREATE TABLE user_settings (
    user_id    UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- IANA time zone name, e.g. Europe/Stockholm.
    time_zone  TEXT NOT NULL,
    -- northern or southern
    hemisphere TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
