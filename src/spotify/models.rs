//! Spotify Web API objects as Euterpe reads them.
//!
//! The same structs are the plain data the `stats` functions compute over. They tolerate what
//! Spotify leaves out (development-mode apps get no `popularity`, `genres` or `followers`) and
//! both the 2026 and the older shapes (`items`/`tracks` on playlists, `item`/`track` on
//! playlist entries). A field that Spotify sends as `null` or omits becomes its default, except
//! where "unknown" and "empty" differ (popularity, genres), which stay `Option`s.

use serde::{Deserialize, Deserializer, Serialize};

/// Treats a JSON `null` like a missing field: the type's default.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// One of Spotify's cover or portrait images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    pub url: String,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
}

/// Picks the image a panel shows: the one 300 pixels wide, else the first listed.
pub fn pick_image(images: &[Image]) -> Option<&Image> {
    images
        .iter()
        .find(|image| image.width == Some(300))
        .or_else(|| images.first())
}

/// Links to the object on Spotify's own site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalUrls {
    #[serde(default, deserialize_with = "null_as_default")]
    pub spotify: String,
}

/// Identifiers outside Spotify; tracks carry an ISRC again since March 2026.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalIds {
    #[serde(default)]
    pub isrc: Option<String>,
}

/// An artist as credited on a track or album (no images, genres or popularity).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtistRef {
    /// Empty for local files in playlists.
    #[serde(default, deserialize_with = "null_as_default")]
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub external_urls: ExternalUrls,
}

/// An album as embedded in a track.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Album {
    #[serde(default, deserialize_with = "null_as_default")]
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub album_type: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub artists: Vec<ArtistRef>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub images: Vec<Image>,
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY` (sometimes `0000`).
    #[serde(default)]
    pub release_date: Option<String>,
    /// `day`, `month` or `year`.
    #[serde(default)]
    pub release_date_precision: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub external_urls: ExternalUrls,
    /// Extended-quota apps only.
    #[serde(default)]
    pub popularity: Option<u8>,
}

/// A track (the full object of `/me/top/tracks`, recently played and playlist entries).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Track {
    /// Empty for local files in playlists.
    #[serde(default, deserialize_with = "null_as_default")]
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub artists: Vec<ArtistRef>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub album: Album,
    #[serde(default, deserialize_with = "null_as_default")]
    pub duration_ms: u64,
    /// 0–100; extended-quota apps only.
    #[serde(default)]
    pub popularity: Option<u8>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub external_urls: ExternalUrls,
    #[serde(default, deserialize_with = "null_as_default")]
    pub external_ids: ExternalIds,
    #[serde(default, deserialize_with = "null_as_default")]
    pub uri: String,
    /// `track` or `episode` in playlists.
    #[serde(default, rename = "type", deserialize_with = "null_as_default")]
    pub kind: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_local: bool,
}

/// Follower count (extended-quota apps only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Followers {
    #[serde(default, deserialize_with = "null_as_default")]
    pub total: u64,
}

/// A full artist (`/me/top/artists`, `/artists/{id}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artist {
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub images: Vec<Image>,
    /// `None` when Spotify did not send genres (development mode): unknown, not "no genres".
    #[serde(default)]
    pub genres: Option<Vec<String>>,
    #[serde(default)]
    pub popularity: Option<u8>,
    #[serde(default)]
    pub followers: Option<Followers>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub external_urls: ExternalUrls,
}

/// A page of a list endpoint (`/me/top/...`, `/me/playlists`, `/playlists/{id}/items`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct Page<T> {
    #[serde(default = "Vec::new", deserialize_with = "null_as_default")]
    pub items: Vec<T>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub total: u32,
    #[serde(default, deserialize_with = "null_as_default")]
    pub limit: u32,
    #[serde(default, deserialize_with = "null_as_default")]
    pub offset: u32,
    #[serde(default)]
    pub next: Option<String>,
}

/// The owner of a playlist.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaylistOwner {
    #[serde(default, deserialize_with = "null_as_default")]
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
}

/// The `{href, total}` object that says how many entries a playlist has.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemCount {
    #[serde(default, deserialize_with = "null_as_default")]
    pub total: u32,
}

/// A playlist as listed by `/me/playlists`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Playlist {
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub owner: PlaylistOwner,
    #[serde(default, deserialize_with = "null_as_default")]
    pub collaborative: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub snapshot_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub images: Vec<Image>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub external_urls: ExternalUrls,
    /// 2026 shape: `items: {href, total}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<ItemCount>,
    /// Pre-2026 shape: `tracks: {href, total}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracks: Option<ItemCount>,
}

impl Playlist {
    /// Number of entries, whichever shape Spotify used.
    pub fn total(&self) -> u32 {
        self.items
            .as_ref()
            .or(self.tracks.as_ref())
            .map_or(0, |count| count.total)
    }
}

/// One entry of `/playlists/{id}/items`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaylistEntry {
    /// 2026 shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Track>,
    /// Pre-2026 shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<Track>,
    #[serde(default)]
    pub added_at: Option<String>,
}

impl PlaylistEntry {
    /// The track or episode of the entry, whichever shape Spotify used.
    pub fn content(&self) -> Option<&Track> {
        self.item.as_ref().or(self.track.as_ref())
    }
}

/// One play of `/me/player/recently-played`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlayHistory {
    pub track: Track,
    /// ISO-8601 UTC, e.g. `2023-09-22T15:43:33.750Z`.
    pub played_at: String,
}

/// The cursors of `/me/player/recently-played` (Unix milliseconds, sent as strings).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursors {
    #[serde(default)]
    pub after: Option<String>,
    #[serde(default)]
    pub before: Option<String>,
}

/// The answer of `/me/player/recently-played`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentlyPlayed {
    #[serde(default, deserialize_with = "null_as_default")]
    pub items: Vec<PlayHistory>,
    #[serde(default)]
    pub cursors: Option<Cursors>,
    #[serde(default)]
    pub next: Option<String>,
}

/// The answer of `/me`. Development-mode apps get no email, country or product.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    /// Immutable account id (since May 2026); absent in older answers.
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub product: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub images: Vec<Image>,
}

impl CurrentUser {
    /// The identity Euterpe keys users on: `account_id` when present, else `id`.
    pub fn stable_id(&self) -> &str {
        self.account_id
            .as_deref()
            .filter(|id| !id.is_empty())
            .unwrap_or(&self.id)
    }
}

/// The answer of the batch look-up `/artists?ids=` (extended quota only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artists {
    /// Unknown ids come back as `null`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub artists: Vec<Option<Artist>>,
}

/// The three windows of Spotify's top lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeRange {
    /// About the last four weeks.
    ShortTerm,
    /// About the last six months (Spotify's default).
    #[default]
    MediumTerm,
    /// About the last year.
    LongTerm,
}

impl TimeRange {
    /// All three, shortest first.
    pub const ALL: [TimeRange; 3] = [Self::ShortTerm, Self::MediumTerm, Self::LongTerm];

    /// The value Spotify and Euterpe's URLs use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ShortTerm => "short_term",
            Self::MediumTerm => "medium_term",
            Self::LongTerm => "long_term",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::ShortTerm => "Last 4 weeks",
            Self::MediumTerm => "Last 6 months",
            Self::LongTerm => "Last year",
        }
    }

    /// Parses a URL value; `None` for anything but the three accepted values.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|range| range.as_str() == value)
    }
}

impl std::fmt::Display for TimeRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
