//! The figures of a detail page (a song, an artist, an album) from every stored play of its
//! tracks: totals all time and in the panels' three windows, plays per local month, first and
//! last play, plays per hour of the day and the tracks most played.

use std::collections::BTreeMap;

use crate::domain::time::month_index;
use crate::domain::zone::Zone;
use crate::domain::{Album, Artist, Image, TimeRange, Track};
use crate::stats::history::{MonthFigure, fill_months, season_window};
use crate::stats::{chosen_image, top_albums};

/// Plays and listening time (ms).
pub type Figure = (i64, i64);

/// What a detail page shows of the history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubjectFigures {
    pub all: Figure,
    /// Last 4 weeks, 6 months and year: the windows the panels' play counts use.
    pub ranges: Vec<(TimeRange, Figure)>,
    /// Plays per local month (`plays`; `value`: minutes), first to last month, zeros kept.
    pub months: Vec<MonthFigure>,
    /// First and last play (Unix ms).
    pub first: Option<i64>,
    pub last: Option<i64>,
    /// Plays per local hour of the day.
    pub by_hour: [i64; 24],
    /// Per track number: plays and time, most played first (ties: smaller number).
    pub tracks: Vec<(i64, Figure)>,
}

/// Adds up `plays` (`(track number, played_at, ms_played)`) in `zone` as of `now_ms`.
pub fn subject_figures(plays: &[(i64, i64, i64)], zone: &Zone, now_ms: i64) -> SubjectFigures {
    let mut figures = SubjectFigures::default();
    let windows: Vec<(TimeRange, (i64, i64))> = TimeRange::ALL
        .iter()
        .map(|&range| (range, season_window(range, now_ms)))
        .collect();
    let mut ranges = vec![(0i64, 0i64); windows.len()];
    let mut months: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    let mut tracks: BTreeMap<i64, Figure> = BTreeMap::new();
    for &(no, at, ms) in plays {
        figures.all.0 += 1;
        figures.all.1 = figures.all.1.saturating_add(ms);
        for (index, (_, (from, to))) in windows.iter().enumerate() {
            if (*from..*to).contains(&at) {
                ranges[index].0 += 1;
                ranges[index].1 = ranges[index].1.saturating_add(ms);
            }
        }
        let local = zone.local(at);
        let month = months
            .entry(month_index(local.year, local.month))
            .or_default();
        month.0 += 1;
        month.1 = month.1.saturating_add(ms);
        figures.by_hour[local.hour as usize] += 1;
        figures.first = Some(figures.first.map_or(at, |first| first.min(at)));
        figures.last = Some(figures.last.map_or(at, |last| last.max(at)));
        let track = tracks.entry(no).or_default();
        track.0 += 1;
        track.1 = track.1.saturating_add(ms);
    }
    figures.ranges = windows
        .iter()
        .zip(ranges)
        .map(|((range, _), figure)| (*range, figure))
        .collect();
    figures.months = fill_months(&months, |(plays, ms)| (plays, ms / 60_000));
    let mut tracks: Vec<(i64, Figure)> = tracks.into_iter().collect();
    tracks.sort_by_key(|&(no, (plays, ms))| (std::cmp::Reverse(plays), std::cmp::Reverse(ms), no));
    figures.tracks = tracks;
    figures
}

/// Where a subject stands in Spotify's top lists, and what Spotify shows of it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Standing {
    /// Its 1-based rank in each range's list, if listed.
    pub ranks: Vec<(TimeRange, Option<usize>)>,
    pub image: Option<Image>,
    /// Its page on open.spotify.com.
    pub url: Option<String>,
    /// Spotify's name for it (and, for a song or album, its artists).
    pub name: Option<String>,
    pub byline: Option<String>,
}

fn ranks_in<T>(lists: &[&[T]; 3], is_it: impl Fn(&T) -> bool) -> Vec<(TimeRange, Option<usize>)> {
    TimeRange::ALL
        .iter()
        .zip(lists)
        .map(|(range, list)| (*range, list.iter().position(&is_it).map(|i| i + 1)))
        .collect()
}

fn names(artists: &[crate::domain::ArtistRef]) -> String {
    crate::stats::join_artist_names(artists)
}

/// A song's standing in the top tracks of the three ranges.
pub fn track_standing(lists: &[&[Track]; 3], is_it: impl Fn(&Track) -> bool) -> Standing {
    let found = lists.iter().flat_map(|l| l.iter()).find(|t| is_it(t));
    Standing {
        ranks: ranks_in(lists, &is_it),
        image: found.and_then(|t| chosen_image(&t.album.images)),
        url: found.map(|t| t.external_urls.spotify.clone()),
        name: found.map(|t| t.name.clone()),
        byline: found.map(|t| names(&t.artists)),
    }
}

/// An artist's standing in the top artists of the three ranges.
pub fn artist_standing(lists: &[&[Artist]; 3], is_it: impl Fn(&Artist) -> bool) -> Standing {
    let found = lists.iter().flat_map(|l| l.iter()).find(|a| is_it(a));
    Standing {
        ranks: ranks_in(lists, &is_it),
        image: found.and_then(|a| chosen_image(&a.images)),
        url: found.map(|a| a.external_urls.spotify.clone()),
        name: found.map(|a| a.name.clone()),
        byline: None,
    }
}

/// An album's standing in the Top albums panel's order (albums of the top tracks) of each range.
pub fn album_standing(lists: &[&[Track]; 3], is_it: impl Fn(&Album) -> bool) -> Standing {
    let found = lists
        .iter()
        .flat_map(|l| l.iter())
        .map(|t| &t.album)
        .find(|a| is_it(a));
    let ranks = TimeRange::ALL
        .iter()
        .zip(lists)
        .map(|(range, tracks)| {
            let rows = top_albums(tracks);
            let rank = rows.iter().position(|row| {
                found.is_some_and(|album| {
                    (!album.id.is_empty() && row.id == album.id) || row.name == album.name
                })
            });
            (*range, rank.map(|i| i + 1))
        })
        .collect();
    Standing {
        ranks,
        image: found.and_then(|a| chosen_image(&a.images)),
        url: found.map(|a| a.external_urls.spotify.clone()),
        name: found.map(|a| a.name.clone()),
        byline: found.map(|a| names(&a.artists)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::DAY_MS;

    #[test]
    fn plays_land_in_their_local_month_hour_and_window() {
        let zone = Zone::parse("Europe/Stockholm").unwrap();
        // 2026-01-31 23:30 UTC is 1 Feb 00:30 in Stockholm.
        let late_january = 1_769_902_200_000;
        let now = late_january + 10 * DAY_MS;
        let plays = [
            (1, late_january, 60_000),
            (1, late_january - 40 * DAY_MS, 120_000),
            (2, late_january - 300 * DAY_MS, 60_000),
        ];
        let figures = subject_figures(&plays, &zone, now);
        assert_eq!(figures.all, (3, 240_000));
        assert_eq!(
            figures.ranges,
            [
                (TimeRange::ShortTerm, (1, 60_000)),
                (TimeRange::MediumTerm, (2, 180_000)),
                (TimeRange::LongTerm, (3, 240_000))
            ]
        );
        let last = figures.months.last().unwrap();
        assert_eq!((last.year, last.month, last.plays), (2026, 2, 1));
        assert_eq!(figures.by_hour[0], 2, "00:30 on 1 Feb and on 23 Dec");
        assert_eq!(figures.tracks[0], (1, (2, 180_000)));
        assert_eq!(figures.first, Some(late_january - 300 * DAY_MS));
    }
}
