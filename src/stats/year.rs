//! "Your year": the year in review from stored plays, in the listener's zone. Plain data in
//! (what `load::year` read), figures out; the rules are in each field's comment.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::domain::time::{DAY_MS, civil_from_days, month_index};
use crate::domain::{CatalogueTrack, TopEntry};
use crate::stats::history::{MonthFigure, fill_months};
use crate::stats::ranking::{top_albums, top_artists, top_tracks};

/// How many songs, artists, albums and genres the year lists.
pub const YEAR_TOP: usize = 5;

/// How long an artist must have gone unplayed before their first play of the year for it to be
/// a rediscovery.
pub const REDISCOVERY_GAP_MS: i64 = 365 * DAY_MS;

/// What the year in review is computed from.
pub struct YearInputs<'a> {
    pub year: i64,
    /// The year's span `[from, to)` (Unix ms): local midnights of 1 January.
    pub span: (i64, i64),
    /// Plays and time per track number in the year.
    pub counts: &'a [(i64, i64)],
    pub catalogue: &'a [CatalogueTrack],
    /// Plays and time per local day and per local hour of the day, in the year.
    pub days: &'a [(i64, i64, i64)],
    pub hours: &'a [(i64, i64, i64)],
    /// The song played most in one local day: key, day, plays.
    pub on_repeat: Option<(String, i64, i64)>,
    /// Per track: first play in the year, last play in the 365 days before the year.
    pub edges: &'a [(String, Option<i64>, Option<i64>)],
    /// The first stored play of all.
    pub history_first: Option<i64>,
    /// Genres by artist name, as far as the panels know them.
    pub genres: &'a HashMap<String, Vec<String>>,
}

/// An artist back after a year or more away.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rediscovery {
    pub artist: String,
    /// Their last play before the gap, when within the 365 days before the year (else older).
    pub last_before: Option<i64>,
    /// Their first play of the year.
    pub back_on: i64,
}

/// The song on repeat: most plays in a single local day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnRepeat {
    pub song: TopEntry,
    pub day: i64,
    pub plays: i64,
}

/// The year in review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YearReview {
    pub year: i64,
    pub plays: i64,
    pub ms_played: i64,
    pub songs: usize,
    pub artists: usize,
    pub top_songs: Vec<TopEntry>,
    pub top_artists: Vec<TopEntry>,
    pub top_albums: Vec<TopEntry>,
    /// Genres weighted by their artists' plays in the year, most first (ties by name).
    pub top_genres: Vec<(String, i64)>,
    /// Artists whose first stored play falls in the year, most played in it first.
    pub new_artists: Vec<TopEntry>,
    /// The history starts in this year: every artist is new.
    pub first_year_on_record: bool,
    pub rediscoveries: Vec<Rediscovery>,
    /// The local day with most listening time (ties: the earlier), and that time.
    pub busiest_day: Option<(i64, i64)>,
    /// The month (1–12) with most listening time (ties: the earlier), and that time.
    pub busiest_month: Option<(u32, i64)>,
    /// The hour of the day with most plays (ties: the earlier), and those plays.
    pub busiest_hour: Option<(u32, i64)>,
    /// The longest run of consecutive local days with a play: first day and length (ties: the
    /// earlier run).
    pub longest_streak: Option<(i64, i64)>,
    pub on_repeat: Option<OnRepeat>,
    /// Minutes per month, January to December.
    pub months: Vec<MonthFigure>,
}

/// The year in review of `inputs`.
pub fn year_review(inputs: &YearInputs<'_>) -> YearReview {
    let (from, to) = inputs.span;
    let counts = inputs.counts;
    let played = |no: i64| {
        usize::try_from(no)
            .ok()
            .and_then(|index| counts.get(index))
            .is_some_and(|c| c.0 > 0)
    };
    let (plays, ms_played) = counts.iter().fold((0i64, 0i64), |(p, m), &(plays, ms)| {
        (p + plays, m.saturating_add(ms))
    });
    let songs = inputs.catalogue.iter().filter(|t| played(t.no)).count();
    let all_artists = top_artists(inputs.catalogue, counts, usize::MAX);

    // An artist's first stored play: the earliest of their tracks'.
    let mut first_ever: HashMap<&str, i64> = HashMap::new();
    for track in inputs.catalogue {
        if let Some(at) = track.first_played_at {
            let entry = first_ever.entry(track.artist_name.as_str()).or_insert(at);
            *entry = (*entry).min(at);
        }
    }
    let new_artists: Vec<TopEntry> = all_artists
        .iter()
        .filter(|artist| {
            first_ever
                .get(artist.name.as_str())
                .is_some_and(|at| (from..to).contains(at))
        })
        .cloned()
        .collect();

    let artist_of: HashMap<&str, &str> = inputs
        .catalogue
        .iter()
        .map(|t| (t.key.as_str(), t.artist_name.as_str()))
        .collect();
    // Per artist: first play of the year, last play in the 365 days before the year.
    let mut edges: HashMap<&str, (Option<i64>, Option<i64>)> = HashMap::new();
    for (key, first, last) in inputs.edges {
        let Some(artist) = artist_of.get(key.as_str()) else {
            continue;
        };
        let entry = edges.entry(artist).or_default();
        entry.0 = min_some(entry.0, *first);
        entry.1 = max_some(entry.1, *last);
    }
    let mut rediscoveries: Vec<Rediscovery> = edges
        .iter()
        .filter_map(|(artist, &(first, last))| {
            let back_on = first?;
            let played_before = first_ever.get(artist).is_some_and(|&at| at < back_on);
            let away = last.is_none_or(|last| last < back_on - REDISCOVERY_GAP_MS);
            (played_before && away).then(|| Rediscovery {
                artist: (*artist).to_owned(),
                last_before: last,
                back_on,
            })
        })
        .collect();
    rediscoveries.sort_by(|a, b| (a.back_on, &a.artist).cmp(&(b.back_on, &b.artist)));

    let mut genre_plays: HashMap<&str, i64> = HashMap::new();
    for artist in &all_artists {
        let mut seen = HashSet::new();
        for genre in inputs.genres.get(&artist.name).into_iter().flatten() {
            if seen.insert(genre.as_str()) {
                *genre_plays.entry(genre.as_str()).or_default() += artist.plays;
            }
        }
    }
    let mut top_genres: Vec<(String, i64)> = genre_plays
        .into_iter()
        .map(|(genre, plays)| (genre.to_owned(), plays))
        .collect();
    top_genres.sort_by(|a, b| (std::cmp::Reverse(a.1), &a.0).cmp(&(std::cmp::Reverse(b.1), &b.0)));
    top_genres.truncate(YEAR_TOP);

    let by_key: HashMap<&str, &CatalogueTrack> = inputs
        .catalogue
        .iter()
        .map(|track| (track.key.as_str(), track))
        .collect();
    let on_repeat = inputs.on_repeat.as_ref().map(|(key, day, plays)| {
        let track = by_key.get(key.as_str());
        OnRepeat {
            song: TopEntry {
                key: key.clone(),
                name: track.map_or_else(|| key.clone(), |t| t.name.clone()),
                artist_name: track.map(|t| t.artist_name.clone()).unwrap_or_default(),
                plays: *plays,
                ms_played: 0,
            },
            day: *day,
            plays: *plays,
        }
    });

    let mut months: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    months.insert(month_index(inputs.year, 1), (0, 0));
    months.insert(month_index(inputs.year, 12), (0, 0));
    let mut days: Vec<(i64, i64, i64)> = inputs
        .days
        .iter()
        .copied()
        .filter(|&(_, plays, _)| plays > 0)
        .collect();
    days.sort_unstable();
    for &(day, plays, ms) in &days {
        let (year, month, _) = civil_from_days(day);
        if year == inputs.year {
            let entry = months.entry(month_index(year, month)).or_default();
            entry.0 += plays;
            entry.1 = entry.1.saturating_add(ms);
        }
    }
    let months = fill_months(&months, |(plays, ms)| (plays, ms / 60_000));
    let busiest_month = months
        .iter()
        .filter(|m| m.plays > 0)
        .max_by_key(|m| (m.value, std::cmp::Reverse(m.month)))
        .map(|m| (m.month, m.value));
    let busiest_day = days
        .iter()
        .max_by_key(|&&(day, _, ms)| (ms, std::cmp::Reverse(day)))
        .map(|&(day, _, ms)| (day, ms));
    let busiest_hour = inputs
        .hours
        .iter()
        .filter(|&&(_, plays, _)| plays > 0)
        .max_by_key(|&&(hour, plays, _)| (plays, std::cmp::Reverse(hour)))
        .map(|&(hour, plays, _)| (hour as u32, plays));

    YearReview {
        year: inputs.year,
        plays,
        ms_played,
        songs,
        artists: all_artists.len(),
        top_songs: top_tracks(inputs.catalogue, counts, YEAR_TOP),
        top_artists: all_artists.iter().take(YEAR_TOP).cloned().collect(),
        top_albums: top_albums(inputs.catalogue, counts, YEAR_TOP),
        top_genres,
        new_artists,
        first_year_on_record: inputs
            .history_first
            .is_some_and(|at| (from..to).contains(&at)),
        rediscoveries,
        busiest_day,
        busiest_month,
        busiest_hour,
        longest_streak: longest_streak(days.iter().map(|&(day, _, _)| day)),
        on_repeat,
        months,
    }
}

fn min_some(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_some(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// The longest run of consecutive days in `days` (ascending): its first day and length.
fn longest_streak(days: impl Iterator<Item = i64>) -> Option<(i64, i64)> {
    let mut best: Option<(i64, i64)> = None;
    let mut run: Option<(i64, i64)> = None;
    for day in days {
        run = match run {
            Some((start, length)) if start + length == day => Some((start, length + 1)),
            Some(same) if same.0 + same.1 > day => Some(same),
            _ => Some((day, 1)),
        };
        if let Some((start, length)) = run
            && best.is_none_or(|(_, longest)| length > longest)
        {
            best = Some((start, length));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streak_is_the_longest_run_of_consecutive_days_and_the_earlier_wins_a_tie() {
        assert_eq!(longest_streak([1, 2, 3, 5, 6, 7].into_iter()), Some((1, 3)));
        assert_eq!(longest_streak([1, 3, 4, 5, 6].into_iter()), Some((3, 4)));
        assert_eq!(longest_streak([].into_iter()), None);
    }
}
