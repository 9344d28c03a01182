//! The recorded Spotify answers (`tests/fixtures/spotify`), read through the client's wire types
//! and translated into the domain's music objects, as the stats unit tests take them.

use super::models::{self as wire, Page, PlaylistEntry, RecentlyPlayed};
use crate::domain::{Artist, Playlist, Track};

/// The recorded `/me/top/tracks` answer (20 tracks, with popularity, no release dates).
pub fn top_tracks_fixture() -> Vec<Track> {
    let page: Page<wire::Track> = serde_json::from_str(include_str!(
        "../../tests/fixtures/spotify/webapi/me_top_tracks.json"
    ))
    .expect("top tracks fixture parses");
    page.items.into_iter().map(Track::from).collect()
}

/// The recorded `/me/top/artists` answer (10 artists, with genres and popularity).
pub fn top_artists_fixture() -> Vec<Artist> {
    let page: Page<wire::Artist> = serde_json::from_str(include_str!(
        "../../tests/fixtures/spotify/webapi/me_top_artists.json"
    ))
    .expect("top artists fixture parses");
    page.items.into_iter().map(Artist::from).collect()
}

/// The recorded `/me/playlists` page (5 playlists of user `1123408718`, old `tracks` shape).
pub fn playlists_fixture() -> Vec<Playlist> {
    let page: Page<wire::Playlist> = serde_json::from_str(include_str!(
        "../../tests/fixtures/spotify/webapi/me_playlists_pre2026.json"
    ))
    .expect("playlists fixture parses");
    page.items.into_iter().map(Playlist::from).collect()
}

/// The tracks of the recorded playlist items page (2 tracks released on 2021-04-30 and
/// 2021-01-29).
pub fn playlist_items_fixture() -> Vec<Track> {
    let page: Page<PlaylistEntry> = serde_json::from_str(include_str!(
        "../../tests/fixtures/spotify/webapi/playlist_items_pre2026.json"
    ))
    .expect("playlist items fixture parses");
    page.items
        .into_iter()
        .filter_map(|entry| entry.item.or(entry.track))
        .map(Track::from)
        .collect()
}

/// The tracks of the recorded `/me/player/recently-played` answer (2 plays on 2023-09-22).
pub fn recently_played_fixture() -> Vec<Track> {
    let recent: RecentlyPlayed = serde_json::from_str(include_str!(
        "../../tests/fixtures/spotify/webapi/me_player_recently_played.json"
    ))
    .expect("recently played fixture parses");
    recent
        .items
        .into_iter()
        .map(|play| Track::from(play.track))
        .collect()
}
