//! Spotify Web API objects as Euterpe reads them: the wire format, translated into the
//! project's music objects (`crate::domain`) at the client's edge (`translate.rs`), so that
//! nothing above `spotify` knows Spotify's shapes. They tolerate what
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

/// One of Spotify's cover or portrait images (a word of [`crate::domain`]).
pub use crate::domain::Image;

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
    /// Whether the playlist is on the owner's public profile (`None`: Spotify didn't say).
    #[serde(default)]
    pub public: Option<bool>,
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

/// The three windows of Spotify's top lists: one of the project's own words, kept in
/// [`crate::domain`] and named here too, where Spotify's JSON uses it.
pub use crate::domain::TimeRange;

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! fixture {
        ($name:literal) => {
            include_str!(concat!("../../tests/fixtures/spotify/webapi/", $name))
        };
    }

    #[test]
    fn top_tracks_recording_parses_with_popularity_and_isrc() {
        let page: Page<Track> = serde_json::from_str(fixture!("me_top_tracks.json")).unwrap();
        assert_eq!(page.items.len(), 20);
        assert_eq!(page.total, 380);
        let first = &page.items[0];
        assert_eq!(first.name, "Adventure Awaits! (Alola Region Theme)");
        assert_eq!(first.popularity, Some(32));
        assert_eq!(first.external_ids.isrc.as_deref(), Some("QZ4JJ1764466"));
        assert_eq!(first.album.id, "7siyLyX5HmMdU0HJl700eV");
        assert_eq!(first.album.images[1].width, Some(300));
        assert_eq!(
            first.album.release_date, None,
            "this recording has no release dates"
        );
    }

    #[test]
    fn top_artists_recording_parses_with_genres() {
        let page: Page<Artist> = serde_json::from_str(fixture!("me_top_artists.json")).unwrap();
        assert_eq!(page.items.len(), 10);
        let first = &page.items[0];
        assert_eq!(first.name, "insaneintherainmusic");
        assert_eq!(first.popularity, Some(49));
        assert_eq!(first.genres.as_ref().unwrap()[0], "deep chiptune");
        assert_eq!(first.followers.as_ref().unwrap().total, 8437);
    }

    #[test]
    fn development_mode_artist_has_unknown_not_empty_genres() {
        let artist: Artist = serde_json::from_str(r#"{"id":"a","name":"N","images":[]}"#).unwrap();
        assert_eq!(artist.genres, None);
        assert_eq!(artist.popularity, None);
    }

    #[test]
    fn recently_played_recording_parses_with_cursors() {
        let recent: RecentlyPlayed =
            serde_json::from_str(fixture!("me_player_recently_played.json")).unwrap();
        assert_eq!(recent.items.len(), 2);
        assert_eq!(recent.items[0].played_at, "2023-09-22T15:43:33.750Z");
        let cursors = recent.cursors.unwrap();
        assert_eq!(cursors.after.as_deref(), Some("1695397413750"));
        assert_eq!(cursors.before.as_deref(), Some("1695396194294"));
        assert_eq!(
            recent.items[0]
                .track
                .album
                .release_date_precision
                .as_deref(),
            Some("day")
        );
    }

    #[test]
    fn playlists_recording_parses_the_old_tracks_count() {
        let page: Page<Playlist> =
            serde_json::from_str(fixture!("me_playlists_pre2026.json")).unwrap();
        assert_eq!(page.total, 42);
        assert_eq!(page.items[0].name, "Core");
        assert_eq!(page.items[0].total(), 3);
        assert_eq!(page.items[0].owner.id, "1123408718");
        assert!(!page.items[0].snapshot_id.is_empty());
    }

    #[test]
    fn new_playlist_shape_counts_items() {
        let playlist: Playlist = serde_json::from_str(
            r#"{"id":"p","name":"n","owner":{"id":"u"},"snapshot_id":"s","images":null,"items":{"href":"h","total":230}}"#,
        )
        .unwrap();
        assert_eq!(playlist.total(), 230);
        assert!(playlist.images.is_empty());
    }

    #[test]
    fn playlist_items_parse_in_both_shapes() {
        let page: Page<PlaylistEntry> =
            serde_json::from_str(fixture!("playlist_items_pre2026.json")).unwrap();
        assert_eq!(page.items.len(), 2);
        let track = page.items[0].content().unwrap();
        assert!(!track.id.is_empty());
        assert_eq!(track.kind, "track");
        let new: PlaylistEntry = serde_json::from_str(
            r#"{"added_at":"2026-01-01T00:00:00Z","is_local":true,"item":{"id":null,"name":"Local","type":"track","is_local":true,"artists":[{"id":null,"name":"Me"}],"album":{"id":null,"name":"","images":[]}}}"#,
        )
        .unwrap();
        let local = new.content().unwrap();
        assert_eq!(local.id, "", "local files have no id");
        assert!(local.is_local);
    }

    #[test]
    fn me_recording_parses_and_falls_back_to_id() {
        let me: CurrentUser = serde_json::from_str(fixture!("me_pre2026.json")).unwrap();
        assert_eq!(me.id, "wizzler");
        assert_eq!(me.account_id, None);
        assert_eq!(me.stable_id(), "wizzler");
        assert_eq!(me.email.as_deref(), Some("email@example.com"));
        let new: CurrentUser =
            serde_json::from_str(r#"{"id":"wizzler","account_id":"acc-1","display_name":null}"#)
                .unwrap();
        assert_eq!(new.stable_id(), "acc-1");
    }

    #[test]
    fn several_artists_recording_parses() {
        let artists: Artists =
            serde_json::from_str(fixture!("artists_several_pre2026.json")).unwrap();
        let bowie = artists.artists[0].as_ref().unwrap();
        assert_eq!(bowie.name, "David Bowie");
        assert_eq!(bowie.genres.as_ref().unwrap().len(), 3);
    }
}
