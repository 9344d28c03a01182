//! Spotify's JSON (the wire structs of [`super::models`]) into the project's music objects
//! ([`crate::domain`]): the one place that knows both. Values are moved, not cloned, since a
//! warm panel translates fifty tracks per request.

use super::models as wire;
use crate::domain::{
    Album, Artist, ArtistRef, ExternalIds, ExternalUrls, Followers, Playlist, PlaylistOwner, Track,
};

impl From<wire::ExternalUrls> for ExternalUrls {
    fn from(urls: wire::ExternalUrls) -> Self {
        Self {
            spotify: urls.spotify,
        }
    }
}

impl From<wire::ArtistRef> for ArtistRef {
    fn from(artist: wire::ArtistRef) -> Self {
        Self {
            id: artist.id,
            name: artist.name,
            external_urls: artist.external_urls.into(),
        }
    }
}

impl From<wire::Album> for Album {
    fn from(album: wire::Album) -> Self {
        Self {
            id: album.id,
            name: album.name,
            album_type: album.album_type,
            artists: all(album.artists),
            images: album.images,
            release_date: album.release_date,
            release_date_precision: album.release_date_precision,
            external_urls: album.external_urls.into(),
            popularity: album.popularity,
        }
    }
}

impl From<wire::Track> for Track {
    fn from(track: wire::Track) -> Self {
        Self {
            id: track.id,
            name: track.name,
            artists: all(track.artists),
            album: track.album.into(),
            duration_ms: track.duration_ms,
            popularity: track.popularity,
            external_urls: track.external_urls.into(),
            external_ids: ExternalIds {
                isrc: track.external_ids.isrc,
            },
            uri: track.uri,
            kind: track.kind,
            is_local: track.is_local,
        }
    }
}

impl From<wire::Artist> for Artist {
    fn from(artist: wire::Artist) -> Self {
        Self {
            id: artist.id,
            name: artist.name,
            images: artist.images,
            genres: artist.genres,
            popularity: artist.popularity,
            followers: artist.followers.map(|followers| Followers {
                total: followers.total,
            }),
            external_urls: artist.external_urls.into(),
        }
    }
}

impl From<wire::Playlist> for Playlist {
    fn from(playlist: wire::Playlist) -> Self {
        // Whichever of the 2026 (`items`) and older (`tracks`) shapes Spotify used.
        let total = playlist.total();
        Self {
            id: playlist.id,
            name: playlist.name,
            owner: PlaylistOwner {
                id: playlist.owner.id,
                display_name: playlist.owner.display_name,
            },
            collaborative: playlist.collaborative,
            public: playlist.public,
            snapshot_id: playlist.snapshot_id,
            images: playlist.images,
            external_urls: playlist.external_urls.into(),
            total,
        }
    }
}

/// Every item of a list, translated.
pub fn all<W, D: From<W>>(items: Vec<W>) -> Vec<D> {
    items.into_iter().map(D::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_playlist_shapes_give_the_entry_count() {
        for json in [
            r#"{"id":"p","owner":{"id":"u"},"items":{"href":"h","total":230}}"#,
            r#"{"id":"p","owner":{"id":"u"},"tracks":{"href":"h","total":230}}"#,
        ] {
            let playlist: wire::Playlist = serde_json::from_str(json).unwrap();
            let playlist = Playlist::from(playlist);
            assert_eq!(playlist.total, 230);
            assert!(playlist.is_owned_by("u"));
        }
    }

    #[test]
    fn a_track_keeps_every_field_a_panel_reads() {
        let track: wire::Track = serde_json::from_str(
            r#"{"id":"t","name":"Song","duration_ms":1000,"popularity":7,"type":"track",
                "external_urls":{"spotify":"https://open.spotify.com/track/t"},
                "external_ids":{"isrc":"QZ0000000001"},
                "artists":[{"id":"a","name":"Artist"}],
                "album":{"id":"b","name":"Album","release_date":"1999-01-02","release_date_precision":"day",
                         "images":[{"url":"u","width":300,"height":300}]}}"#,
        )
        .unwrap();
        let track = Track::from(track);
        assert_eq!(track.name, "Song");
        assert_eq!(track.popularity, Some(7));
        assert_eq!(track.external_ids.isrc.as_deref(), Some("QZ0000000001"));
        assert_eq!(track.artists[0].name, "Artist");
        assert_eq!(track.album.release_date.as_deref(), Some("1999-01-02"));
        assert_eq!(track.album.images[0].width, Some(300));
        assert_eq!(
            track.external_urls.spotify,
            "https://open.spotify.com/track/t"
        );
    }
}
