-- Each summary month's plays themselves, packed (`history_months.timeline`, store::timeline):
-- 16-byte entries in time order, big-endian: ms since the UTC month began (u32), track number
-- (u32), ms_played (i64). A detail page or a year in review reads a month's plays as one row
-- instead of thousands (`plays` is in time order only: an index by track slows imports 5x).
ALTER TABLE history_months ADD COLUMN timeline BYTEA NOT NULL DEFAULT ''::bytea;
-- Stored uncompressed, as the other lists: they hardly compress and must read back quickly.
ALTER TABLE history_months ALTER COLUMN timeline SET STORAGE EXTERNAL;

WITH spans AS (
    SELECT user_id, month,
           (EXTRACT(EPOCH FROM make_date((1970 + month / 12)::int, (month % 12 + 1)::int, 1)::timestamp)
             * 1000)::bigint AS start_ms,
           (EXTRACT(EPOCH FROM make_date((1970 + month / 12)::int, (month % 12 + 1)::int, 1)::timestamp
                             + interval '1 month') * 1000)::bigint AS end_ms
    FROM history_months
),
lists AS (
    SELECT s.user_id, s.month,
           string_agg(substring(int8send(p.played_at - s.start_ms) FROM 5 FOR 4)
                      || int4send(t.track_no::int) || int8send(p.ms_played), ''::bytea
                      ORDER BY p.played_at, t.track_no) AS list
    FROM spans s
    JOIN plays p ON p.user_id = s.user_id AND p.played_at >= s.start_ms AND p.played_at < s.end_ms
    JOIN user_tracks t ON t.user_id = p.user_id AND t.track_key = p.track_key
    GROUP BY s.user_id, s.month
)
UPDATE history_months m SET timeline = l.list
FROM lists l WHERE l.user_id = m.user_id AND l.month = m.month;
