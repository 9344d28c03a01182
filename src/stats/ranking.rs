//! Ranking the history's songs, artists and albums by plays, with the rule `/history/top`
//! uses (`Store::top_tracks_between`): most plays first, then most listening time, then the
//! smaller key in byte order (a track's key, an artist's name, an album's name then artist).

use std::cmp::Reverse;
use std::collections::HashMap;

use crate::domain::{CatalogueTrack, TopEntry};

/// Plays and listening time (ms) of each track number, from a count per number.
pub type Counts<'a> = &'a [(i64, i64)];

fn count_of(counts: Counts<'_>, no: i64) -> (i64, i64) {
    usize::try_from(no)
        .ok()
        .and_then(|index| counts.get(index))
        .copied()
        .unwrap_or((0, 0))
}

/// An entry of a list being ranked, borrowed from the catalogue until it makes the list: a
/// catalogue of 40,000 tracks would otherwise cost three strings each for a list of five.
struct Candidate<'t> {
    key: &'t str,
    name: &'t str,
    artist_name: &'t str,
    plays: i64,
    ms_played: i64,
}

fn ranked(mut entries: Vec<Candidate<'_>>, limit: usize) -> Vec<TopEntry> {
    entries.retain(|entry| entry.plays > 0);
    let order = |a: &Candidate<'_>, b: &Candidate<'_>| {
        (Reverse(a.plays), Reverse(a.ms_played), a.key, a.artist_name).cmp(&(
            Reverse(b.plays),
            Reverse(b.ms_played),
            b.key,
            b.artist_name,
        ))
    };
    if limit < entries.len() {
        entries.select_nth_unstable_by(limit, order);
        entries.truncate(limit);
    }
    entries.sort_by(order);
    entries
        .into_iter()
        .map(|entry| TopEntry {
            key: entry.key.to_owned(),
            name: entry.name.to_owned(),
            artist_name: entry.artist_name.to_owned(),
            plays: entry.plays,
            ms_played: entry.ms_played,
        })
        .collect()
}

/// The most played tracks of `tracks` (key: the track key).
pub fn top_tracks(tracks: &[CatalogueTrack], counts: Counts<'_>, limit: usize) -> Vec<TopEntry> {
    let entries = tracks
        .iter()
        .map(|track| {
            let (plays, ms_played) = count_of(counts, track.no);
            Candidate {
                key: &track.key,
                name: &track.name,
                artist_name: &track.artist_name,
                plays,
                ms_played,
            }
        })
        .collect();
    ranked(entries, limit)
}

/// Plays and listening time summed by `group` (tracks it maps to `None` are left out).
fn summed<'t>(
    tracks: &'t [CatalogueTrack],
    counts: Counts<'_>,
    group: impl Fn(&'t CatalogueTrack) -> Option<(&'t str, &'t str)>,
) -> HashMap<(&'t str, &'t str), (i64, i64)> {
    let mut sums: HashMap<(&str, &str), (i64, i64)> = HashMap::new();
    for track in tracks {
        let (plays, ms) = count_of(counts, track.no);
        if plays == 0 {
            continue;
        }
        if let Some(key) = group(track) {
            let sum = sums.entry(key).or_default();
            sum.0 += plays;
            sum.1 = sum.1.saturating_add(ms);
        }
    }
    sums
}

/// The most played artists (by name; key and name: the artist's name).
pub fn top_artists(tracks: &[CatalogueTrack], counts: Counts<'_>, limit: usize) -> Vec<TopEntry> {
    let entries = summed(tracks, counts, |track| {
        Some((track.artist_name.as_str(), ""))
    })
    .into_iter()
    .map(|((name, _), (plays, ms_played))| Candidate {
        key: name,
        name,
        artist_name: "",
        plays,
        ms_played,
    })
    .collect();
    ranked(entries, limit)
}

/// The most played albums, by album and artist name (key and name: the album's name); tracks
/// without an album name are left out.
pub fn top_albums(tracks: &[CatalogueTrack], counts: Counts<'_>, limit: usize) -> Vec<TopEntry> {
    let entries = summed(tracks, counts, |track| {
        track
            .album_name
            .as_deref()
            .filter(|name| !name.is_empty())
            .map(|album| (album, track.artist_name.as_str()))
    })
    .into_iter()
    .map(|((album, artist), (plays, ms_played))| Candidate {
        key: album,
        name: album,
        artist_name: artist,
        plays,
        ms_played,
    })
    .collect();
    ranked(entries, limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(no: i64, key: &str, artist: &str, album: &str) -> CatalogueTrack {
        CatalogueTrack {
            no,
            key: key.into(),
            name: format!("song {key}"),
            artist_name: artist.into(),
            album_name: Some(album.into()),
            artist_ids: None,
            first_played_at: None,
        }
    }

    #[test]
    fn plays_then_time_then_key_decide_and_silent_entries_are_left_out() {
        let tracks = [
            track(0, "b", "X", "One"),
            track(1, "a", "Y", "One"),
            track(2, "c", "X", "Two"),
            track(3, "d", "Z", "Three"),
        ];
        let counts = [(3, 100), (3, 100), (3, 200), (0, 0)];
        let keys = |list: Vec<TopEntry>| list.into_iter().map(|e| e.key).collect::<Vec<_>>();
        assert_eq!(keys(top_tracks(&tracks, &counts, 10)), ["c", "a", "b"]);
        assert_eq!(keys(top_artists(&tracks, &counts, 10)), ["X", "Y"]);
        // "One" by X and "One" by Y are two albums.
        let albums = top_albums(&tracks, &counts, 10);
        assert_eq!(
            albums
                .iter()
                .map(|e| (e.name.as_str(), e.artist_name.as_str()))
                .collect::<Vec<_>>(),
            [("Two", "X"), ("One", "X"), ("One", "Y")]
        );
    }
}
