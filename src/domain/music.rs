//! The music the panels compute on: tracks, the artists credited on them, their albums, full
//! artists and playlists. Spotify's JSON (with its two playlist shapes, its `null`s and the
//! fields development-mode apps no longer get) is translated into these at the Spotify
//! client's edge (`spotify::models`), so nothing above it knows Spotify's wire format.

use super::Image;

/// Links to the object on Spotify's own site.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExternalUrls {
    /// The `open.spotify.com` page; empty when unknown (local files).
    pub spotify: String,
}

/// Identifiers outside Spotify.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExternalIds {
    /// The recording's ISRC, when known.
    pub isrc: Option<String>,
}

/// An artist as credited on a track or album (no images, genres or popularity).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArtistRef {
    /// Empty for local files in playlists.
    pub id: String,
    pub name: String,
    pub external_urls: ExternalUrls,
}

/// The album a track is on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Album {
    pub id: String,
    pub name: String,
    /// `album`, `single` or `compilation`.
    pub album_type: String,
    pub artists: Vec<ArtistRef>,
    pub images: Vec<Image>,
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY` (sometimes `0000`).
    pub release_date: Option<String>,
    /// `day`, `month` or `year`.
    pub release_date_precision: Option<String>,
    pub external_urls: ExternalUrls,
    /// 0–100, when known.
    pub popularity: Option<u8>,
}

/// A track (or, in playlists, an episode).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Track {
    /// Empty for local files in playlists.
    pub id: String,
    pub name: String,
    pub artists: Vec<ArtistRef>,
    pub album: Album,
    pub duration_ms: u64,
    /// 0–100, when known (extended-quota apps only, or from open data).
    pub popularity: Option<u8>,
    pub external_urls: ExternalUrls,
    pub external_ids: ExternalIds,
    pub uri: String,
    /// `track` or `episode`.
    pub kind: String,
    pub is_local: bool,
}

/// How many follow an artist.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Followers {
    pub total: u64,
}

/// A full artist, as the top-artist lists give them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Artist {
    pub id: String,
    pub name: String,
    pub images: Vec<Image>,
    /// `None` when unknown (development mode), which is not "no genres".
    pub genres: Option<Vec<String>>,
    pub popularity: Option<u8>,
    pub followers: Option<Followers>,
    pub external_urls: ExternalUrls,
}

/// The owner of a playlist.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlaylistOwner {
    pub id: String,
    pub display_name: Option<String>,
}

/// A playlist in the listener's library.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Playlist {
    pub id: String,
    pub name: String,
    pub owner: PlaylistOwner,
    pub collaborative: bool,
    /// Whether the playlist is on the owner's public profile (`None`: unknown).
    pub public: Option<bool>,
    /// Changes whenever the playlist's entries change.
    pub snapshot_id: String,
    pub images: Vec<Image>,
    pub external_urls: ExternalUrls,
    /// How many entries it has.
    pub total: u32,
}

impl Playlist {
    /// Whether the user with this Spotify id owns the playlist. An empty id is nobody's: a
    /// playlist whose owner is unknown must not count as the user's just because both are
    /// blank.
    pub fn is_owned_by(&self, user_spotify_id: &str) -> bool {
        !user_spotify_id.is_empty() && self.owner.id == user_spotify_id
    }
}

/// Picks the image a panel shows: the one 300 pixels wide, else the first listed.
pub fn pick_image(images: &[Image]) -> Option<&Image> {
    images
        .iter()
        .find(|image| image.width == Some(300))
        .or_else(|| images.first())
}
