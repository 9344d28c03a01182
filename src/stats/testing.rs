//! Builders of the music objects the stats unit tests compute on (the recorded Spotify answers
//! come translated from `spotify::fixtures`).

use super::{AlbumRow, HiddenGems, PlaylistRow, SeasonItem, SeasonStats};
use crate::domain::{
    Album, Artist, ArtistRef, ExternalUrls, Image, Playlist, PlaylistOwner, Track,
};

/// An image whose URL names it, so tests can tell which one was chosen.
pub fn image(label: &str, width: u32) -> Image {
    Image {
        url: format!("https://i.scdn.co/image/{label}"),
        width: Some(width),
        height: Some(width),
    }
}

fn link(kind: &str, id: &str) -> ExternalUrls {
    ExternalUrls {
        spotify: format!("https://open.spotify.com/{kind}/{id}"),
    }
}

/// An artist as credited on a track.
pub fn credit(id: &str, name: &str) -> ArtistRef {
    ArtistRef {
        id: id.to_owned(),
        name: name.to_owned(),
        external_urls: link("artist", id),
    }
}

/// An album with a 640 and a 300 pixel cover and no release date.
pub fn album(id: &str, name: &str) -> Album {
    Album {
        id: id.to_owned(),
        name: name.to_owned(),
        album_type: "album".to_owned(),
        artists: vec![credit(&format!("{id}-artist"), &format!("{name} Artist"))],
        images: vec![
            image(&format!("{id}-640"), 640),
            image(&format!("{id}-300"), 300),
        ],
        external_urls: link("album", id),
        ..Album::default()
    }
}

/// An album with the given release date and precision (empty strings are kept as given).
pub fn album_dated(date: &str, precision: &str) -> Album {
    Album {
        release_date: Some(date.to_owned()),
        release_date_precision: Some(precision.to_owned()),
        ..album(&format!("album-{date}-{precision}"), "Dated")
    }
}

/// A three-minute-twenty track without popularity (as development mode sends it).
pub fn track(id: &str, name: &str, artists: &[ArtistRef], album: Album) -> Track {
    Track {
        id: id.to_owned(),
        name: name.to_owned(),
        artists: artists.to_vec(),
        album,
        duration_ms: 200_000,
        external_urls: link("track", id),
        uri: format!("spotify:track:{id}"),
        kind: "track".to_owned(),
        ..Track::default()
    }
}

/// A track with only an id and a release date, for the release-year panel.
pub fn dated_track(id: &str, date: Option<&str>) -> Track {
    let mut album = album(&format!("album-{id}"), "Album");
    album.release_date = date.map(str::to_owned);
    album.release_date_precision = Some("day".to_owned());
    track(id, id, &[credit("a", "A")], album)
}

/// A full artist without genres or popularity (as development mode sends it).
pub fn artist(id: &str, name: &str) -> Artist {
    Artist {
        id: id.to_owned(),
        name: name.to_owned(),
        images: vec![
            image(&format!("{id}-640"), 640),
            image(&format!("{id}-300"), 300),
        ],
        external_urls: link("artist", id),
        ..Artist::default()
    }
}

/// A playlist as `/me/playlists` lists it.
pub fn playlist(id: &str, name: &str, owner: &str, total: u32) -> Playlist {
    Playlist {
        id: id.to_owned(),
        name: name.to_owned(),
        owner: PlaylistOwner {
            id: owner.to_owned(),
            display_name: None,
        },
        snapshot_id: format!("snapshot-{id}"),
        images: vec![image(&format!("{id}-640"), 640)],
        external_urls: link("playlist", id),
        total,
        ..Playlist::default()
    }
}

pub fn albums_summary(rows: &[AlbumRow]) -> Vec<(&str, usize, usize)> {
    rows.iter()
        .map(|row| (row.name.as_str(), row.track_count, row.best_rank))
        .collect()
}

pub fn gem_order(gems: &HiddenGems) -> Vec<(usize, Option<u8>)> {
    gems.rows
        .iter()
        .map(|row| (row.rank, row.popularity))
        .collect()
}

pub fn top_of_ids(ids: &[&str]) -> Vec<Track> {
    ids.iter()
        .map(|id| track(id, id, &[credit("a", "A")], album("al", "Al")))
        .collect()
}

pub fn playlists_summary(rows: &[PlaylistRow]) -> Vec<(&str, usize)> {
    rows.iter().map(|r| (r.name.as_str(), r.matches)).collect()
}

pub fn season_item(month: u8, artists: &[&str]) -> SeasonItem {
    SeasonItem {
        month,
        artist_ids: artists.iter().map(|id| (*id).to_owned()).collect(),
    }
}

pub fn no_genres(_: &str) -> Option<&'static [String]> {
    None
}

pub fn genres_of(stats: &SeasonStats) -> Vec<(&str, usize)> {
    stats
        .top_genres
        .iter()
        .map(|(genre, count)| (genre.as_str(), *count))
        .collect()
}
