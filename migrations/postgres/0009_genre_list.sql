-- MusicBrainz's list of genres (/ws/2/genre/all), Postgres twin of migrations/sqlite/0009. Tags
-- are a folksonomy ("seen live", "favorites", "british"…): an artist without MusicBrainz genres
-- gets those of its tags that are in this list, and none while the list is unknown.

-- The genres, lower-cased.
CREATE TABLE musicbrainz_genres (
    name TEXT PRIMARY KEY NOT NULL
);

-- One row: when the list was last read whole (0: never; it is read again after 30 days), and
-- when a process may next try (held while one reads it, and after an unusable answer).
CREATE TABLE musicbrainz_genre_list (
    id         SMALLINT PRIMARY KEY NOT NULL CHECK (id = 1),
    fetched_at BIGINT NOT NULL,
    not_before BIGINT NOT NULL
);
INSERT INTO musicbrainz_genre_list (id, fetched_at, not_before) VALUES (1, 0, 0);

-- Genres found before took any tag of an artist without genres: look them up again.
UPDATE artist_genres SET expires_at = 0 WHERE outcome = 'found';
