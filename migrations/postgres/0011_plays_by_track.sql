-- The detail pages (a song's, an artist's, an album's) read the plays of a few tracks across the
-- whole history: the primary key orders plays by time, so without this each would scan them all.
-- ms_played rides along so the pages read the index only.
CREATE INDEX plays_by_track ON plays (user_id, track_key, played_at) INCLUDE (ms_played);
