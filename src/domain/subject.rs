//! What a detail page is about — a song, an artist or an album — and the addresses of those
//! pages. The history names songs by track key (a Spotify id, or the names when an export gave
//! only names), artists by name and albums by artist and album name; Spotify's lists name them by
//! id. Both kinds of address exist, and both lead to the same figures.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::history::names_of_key;

/// Characters a path segment may carry as they are: what RFC 3986 calls unreserved.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn segment(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

/// A song, artist or album as the listening history knows it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    /// A track by its key: a Spotify track id, or a [`super::name_key`].
    Track(String),
    /// An artist by name, as the sources name the track's (album) artist.
    Artist(String),
    /// An album by its artist's and its own name.
    Album { artist: String, name: String },
}

impl Subject {
    /// The address of this subject's page.
    pub fn path(&self) -> String {
        match self {
            Self::Track(key) => track_path(key),
            Self::Artist(name) => artist_path(name),
            Self::Album { artist, name } => album_path(artist, name),
        }
    }
}

/// Whether `id` looks like a Spotify id (22 characters of base 62), so that an address can hold
/// it as it is and a name never passes for one.
pub fn is_spotify_id(id: &str) -> bool {
    id.len() == 22 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The page of the track with history key `key` (a Spotify id, or a name key).
pub fn track_path(key: &str) -> String {
    match names_of_key(key) {
        Some((artist, title)) => format!("/tracks/by/{}/{}", segment(artist), segment(title)),
        None => format!("/tracks/{}", segment(key)),
    }
}

/// The page of the artist named `name`.
pub fn artist_path(name: &str) -> String {
    format!("/artists/by/{}", segment(name))
}

/// The page of the artist with Spotify id `id`.
pub fn artist_id_path(id: &str) -> String {
    format!("/artists/{}", segment(id))
}

/// The page of the album `name` by `artist`.
pub fn album_path(artist: &str, name: &str) -> String {
    format!("/albums/by/{}/{}", segment(artist), segment(name))
}

/// The page of the album with Spotify id `id`.
pub fn album_id_path(id: &str) -> String {
    format!("/albums/{}", segment(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::name_key;

    #[test]
    fn names_are_one_segment_each_whatever_they_hold() {
        assert_eq!(
            track_path(&name_key("AC/DC", "T.N.T. & more?")),
            "/tracks/by/AC%2FDC/T.N.T.%20%26%20more%3F"
        );
        assert_eq!(artist_path("Sigur Rós"), "/artists/by/Sigur%20R%C3%B3s");
        assert_eq!(
            track_path("4uLU6hMCjMI75M1A2tKUQC"),
            "/tracks/4uLU6hMCjMI75M1A2tKUQC"
        );
        assert!(is_spotify_id("4uLU6hMCjMI75M1A2tKUQC"));
        assert!(!is_spotify_id("Sigur Rós"));
    }
}
