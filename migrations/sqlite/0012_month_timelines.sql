-- Each summary month's plays themselves, packed (`history_months.timeline`, store::timeline):
-- 16-byte entries in time order, big-endian: ms since the UTC month began (u32), track number
-- (u32), ms_played (i64). A detail page or a year in review reads a month's plays as one row
-- instead of thousands (`plays` is in time order only: an index by track slows imports 5x).
ALTER TABLE history_months ADD COLUMN timeline BLOB NOT NULL DEFAULT x'';

WITH spans AS (
    SELECT user_id, month,
           CAST(strftime('%s', printf('%04d-%02d-01', 1970 + month / 12, month % 12 + 1)) AS INTEGER)
             * 1000 AS start_ms,
           CAST(strftime('%s', printf('%04d-%02d-01', 1970 + month / 12, month % 12 + 1),
                         '+1 month') AS INTEGER) * 1000 AS end_ms
    FROM history_months
)
UPDATE history_months SET timeline = COALESCE((
    SELECT unhex(group_concat(printf('%08X%08X%016X', p.played_at - s.start_ms, t.track_no,
                                     p.ms_played), '' ORDER BY p.played_at, t.track_no))
    FROM spans s
    JOIN plays p ON p.user_id = s.user_id AND p.played_at >= s.start_ms AND p.played_at < s.end_ms
    JOIN user_tracks t ON t.user_id = p.user_id AND t.track_key = p.track_key
    WHERE s.user_id = history_months.user_id AND s.month = history_months.month
), x'');
