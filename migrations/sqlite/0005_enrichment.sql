-- Open-data enrichment (SQLite twin of migrations/postgres/0005): genres from MusicBrainz and
-- popularity from ListenBrainz or Last.fm for apps that Spotify no longer sends them to.
-- Everything here is catalogue facts, not personal data: shared by every user, kept 30 days
-- (negative results too, so that a miss is not asked again at every visit).

-- Genres of a Spotify artist, as MusicBrainz lists them.
-- outcome: 'found' (genres may still be empty: MusicBrainz lists none), 'not_found' (no
-- MusicBrainz artist links to the Spotify artist and no name matches), 'ambiguous' (the name
-- matches several MusicBrainz artists, so none is taken), 'failed' (repeated errors; kept a day).
CREATE TABLE artist_genres (
    spotify_artist_id TEXT PRIMARY KEY NOT NULL,
    outcome           TEXT NOT NULL,
    -- The MusicBrainz artist, and how it was found: 'spotify_url' or 'name'.
    mbid              TEXT,
    matched_by        TEXT,
    -- JSON array of genre names, most voted first.
    genres            TEXT NOT NULL,
    fetched_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL
);

-- The MusicBrainz recordings of a Spotify track: by its ISRC on MusicBrainz, else by artist and
-- track name on ListenBrainz. matched_by: 'isrc', 'names' or 'none' (mbids is then empty).
CREATE TABLE track_recordings (
    spotify_track_id TEXT PRIMARY KEY NOT NULL,
    isrc             TEXT,
    matched_by       TEXT NOT NULL,
    -- JSON array of recording MBIDs.
    mbids            TEXT NOT NULL,
    fetched_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL
);

-- A Spotify track's popularity from open data. outcome: 'found', 'not_found', 'unavailable'
-- (the service refused us, e.g. ListenBrainz without a token; kept an hour) or 'failed'.
-- source: 'listenbrainz' (count = total listens) or 'lastfm' (count = listeners); popularity is
-- the count on Spotify's 0-100 scale (a log scale, see stats::log_scaled_popularity).
CREATE TABLE track_popularity (
    spotify_track_id TEXT PRIMARY KEY NOT NULL,
    outcome          TEXT NOT NULL,
    source           TEXT,
    count            INTEGER,
    popularity       INTEGER,
    fetched_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL
);

CREATE INDEX artist_genres_by_expiry ON artist_genres (expires_at);
CREATE INDEX track_recordings_by_expiry ON track_recordings (expires_at);
CREATE INDEX track_popularity_by_expiry ON track_popularity (expires_at);

-- The background queue: one row per fact being fetched. kind 'genres' (key: Spotify artist id)
-- or 'popularity' (key: Spotify track id); stage names the next step and so the service it
-- needs. A worker claims rows by setting claimed_until (a lease: a dead worker's rows come
-- back); not_before holds a row back after a failure.
CREATE TABLE enrichment_jobs (
    kind          TEXT NOT NULL,
    key           TEXT NOT NULL,
    stage         TEXT NOT NULL,
    -- JSON: what the look-up needs (names, ISRC).
    input         TEXT NOT NULL,
    -- JSON: what earlier steps found (a MusicBrainz id, recording ids).
    state         TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    not_before    INTEGER NOT NULL,
    claimed_until INTEGER NOT NULL DEFAULT 0,
    enqueued_at   INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX enrichment_jobs_by_stage ON enrichment_jobs (stage, not_before);

-- Each open service as every process sees it: the pacer's next free slot (Unix milliseconds),
-- a pause after 429/503/timeouts (Unix seconds), and the current problem for the panels to
-- explain ('rate_limited', 'unavailable', 'slow', 'needs_token', 'token_refused', 'key_refused').
CREATE TABLE enrichment_services (
    service       TEXT PRIMARY KEY NOT NULL,
    next_slot_ms  INTEGER NOT NULL DEFAULT 0,
    paused_until  INTEGER NOT NULL DEFAULT 0,
    problem       TEXT,
    problem_since INTEGER,
    failures      INTEGER NOT NULL DEFAULT 0
);
