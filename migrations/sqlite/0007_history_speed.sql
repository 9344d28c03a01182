-- Listening history, fast at a million plays (SQLite twin of migrations/postgres/0007; see
-- docs/HISTORY.md, "Speed", and BENCHMARKS.md):
-- 1. `plays` is keyed in time order, (user, played_at, track): an import appends instead of
--    inserting all over the table, a time range is one stretch of it, and the separate time
--    index goes. A play is still unique by user, track and played_at (the same key, reordered).
-- 2. Tracks get a number per user (`user_tracks.track_no`), which the summaries use.
-- 3. One summary row per user and UTC month (`history_months`) replaces `play_buckets` and
--    `track_months`, built here from the stored plays.

CREATE TABLE plays_new (
    user_id   BLOB NOT NULL,
    track_key TEXT NOT NULL,
    played_at INTEGER NOT NULL,
    ms_played INTEGER NOT NULL,
    source    INTEGER NOT NULL,
    PRIMARY KEY (user_id, played_at, track_key)
) WITHOUT ROWID;
INSERT INTO plays_new (user_id, track_key, played_at, ms_played, source)
SELECT user_id, track_key, played_at, ms_played, source FROM plays
ORDER BY user_id, played_at, track_key;
DROP TABLE plays;
ALTER TABLE plays_new RENAME TO plays;

-- Track numbers: 1, 2, 3… per user, in the order of first plays; new tracks take the next one.
ALTER TABLE user_tracks ADD COLUMN track_no INTEGER NOT NULL DEFAULT 0;
-- Every play's track has a catalogue row (writers add both in one transaction); should one be
-- missing, it gets a row named after its key.
INSERT INTO user_tracks (user_id, track_key, track_id, name, artist_name, album_name,
                         artist_ids, duration_ms, first_played_at)
SELECT p.user_id, p.track_key, NULL,
       CASE WHEN substr(p.track_key, 1, 1) = '~' AND instr(p.track_key, char(31)) > 0
            THEN substr(p.track_key, instr(p.track_key, char(31)) + 1) ELSE p.track_key END,
       CASE WHEN substr(p.track_key, 1, 1) = '~' AND instr(p.track_key, char(31)) > 0
            THEN substr(p.track_key, 2, instr(p.track_key, char(31)) - 2) ELSE '' END,
       NULL, NULL, NULL, MIN(p.played_at)
FROM plays p
WHERE NOT EXISTS (SELECT 1 FROM user_tracks t WHERE t.user_id = p.user_id AND t.track_key = p.track_key)
GROUP BY p.user_id, p.track_key;
UPDATE user_tracks SET track_no = numbered.n
FROM (SELECT user_id, track_key,
             row_number() OVER (PARTITION BY user_id ORDER BY first_played_at, track_key) AS n
      FROM user_tracks) AS numbered
WHERE user_tracks.user_id = numbered.user_id AND user_tracks.track_key = numbered.track_key;
CREATE UNIQUE INDEX user_tracks_by_no ON user_tracks (user_id, track_no);
-- Artists' first plays (new artists per month) and their tracks (top artists) without reading
-- the table.
CREATE INDEX user_tracks_by_artist ON user_tracks (user_id, artist_name, first_played_at, track_no);

-- One row per user and UTC month (month = (year - 1970) * 12 + month - 1) holding its plays:
-- in total, per quarter hour (`buckets`) and per track (`tracks`). Both are packed lists of
-- 16-byte entries, sorted by key, big-endian: key (u32: the quarter hour of the month, counted
-- from 00:00 UTC on its first day, or the track number), plays (u32), ms_played (i64).
-- A view reads a month as one row instead of thousands (store::months). Every time zone's offset
-- is a multiple of 15 minutes, so a quarter hour falls in one local hour, day and month.
CREATE TABLE history_months (
    user_id   BLOB NOT NULL,
    month     INTEGER NOT NULL,
    plays     INTEGER NOT NULL,
    ms_played INTEGER NOT NULL,
    buckets   BLOB NOT NULL,
    tracks    BLOB NOT NULL,
    PRIMARY KEY (user_id, month)
);

WITH numbered AS (
    SELECT p.user_id, p.played_at, p.ms_played, t.track_no,
           (CAST(strftime('%Y', p.played_at / 1000, 'unixepoch') AS INTEGER) - 1970) * 12
             + CAST(strftime('%m', p.played_at / 1000, 'unixepoch') AS INTEGER) - 1 AS month,
           CAST(strftime('%s', p.played_at / 1000, 'unixepoch', 'start of month') AS INTEGER)
             * 1000 AS month_start
    FROM plays p JOIN user_tracks t ON t.user_id = p.user_id AND t.track_key = p.track_key
),
per_track AS (
    SELECT user_id, month, track_no, COUNT(*) AS n, SUM(ms_played) AS ms
    FROM numbered GROUP BY user_id, month, track_no
),
per_bucket AS (
    SELECT user_id, month, (played_at - month_start) / 900000 AS q, COUNT(*) AS n,
           SUM(ms_played) AS ms
    FROM numbered GROUP BY user_id, month, (played_at - month_start) / 900000
),
track_lists AS (
    SELECT user_id, month, SUM(n) AS plays, SUM(ms) AS ms,
           unhex(group_concat(printf('%08X%08X%016X', track_no, n, ms), '' ORDER BY track_no)) AS list
    FROM per_track GROUP BY user_id, month
),
bucket_lists AS (
    SELECT user_id, month,
           unhex(group_concat(printf('%08X%08X%016X', q, n, ms), '' ORDER BY q)) AS list
    FROM per_bucket GROUP BY user_id, month
)
INSERT INTO history_months (user_id, month, plays, ms_played, buckets, tracks)
SELECT t.user_id, t.month, t.plays, t.ms, b.list, t.list
FROM track_lists t JOIN bucket_lists b ON b.user_id = t.user_id AND b.month = t.month;

DROP TABLE play_buckets;
DROP TABLE track_months;
