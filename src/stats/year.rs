//! "Your year": the year in review from stored plays, in the listener's zone. Plain data in
//! (what `load::year` read), figures out; the rules are in each field's comment.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::domain::time::{DAY_MS, civil_from_days, month_index};
use crate::domain::zone::Zone;
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
    /// Every play of the year and of the [`REDISCOVERY_GAP_MS`] before it: `(track number,
    /// played_at, ms_played)`, in time order.
    pub plays: &'a [(i64, i64, i64)],
    /// The listener's zone, whose local days the year counts.
    pub zone: &'a Zone,
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

    // Track numbers are small and dense: per-play work indexes vectors by them, and only the
    // tracks' sums are grouped by artist name (a year holds ~100,000 plays, a catalogue far
    // fewer tracks).
    let by_no = index_by_number(inputs.catalogue);
    // Per track, then per artist: first play of the year, last play in the 365 days before it.
    let mut track_edges: Vec<(Option<i64>, Option<i64>)> = vec![(None, None); by_no.len()];
    for &(no, at, _) in inputs.plays {
        let Some(entry) = usize::try_from(no)
            .ok()
            .and_then(|no| track_edges.get_mut(no))
        else {
            continue;
        };
        if (from..to).contains(&at) {
            entry.0 = min_some(entry.0, Some(at));
        } else if at < from {
            entry.1 = max_some(entry.1, Some(at));
        }
    }
    let mut edges: HashMap<&str, (Option<i64>, Option<i64>)> = HashMap::new();
    for (track, &(first, last)) in by_no.iter().zip(&track_edges) {
        if let (Some(track), true) = (track, first.is_some() || last.is_some()) {
            let entry = edges.entry(track.artist_name.as_str()).or_default();
            entry.0 = min_some(entry.0, first);
            entry.1 = max_some(entry.1, last);
        }
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

    let on_repeat = most_plays_in_a_day(inputs, &by_no).map(|(no, day, plays)| {
        let track = usize::try_from(no)
            .ok()
            .and_then(|no| by_no.get(no))
            .copied()
            .flatten();
        OnRepeat {
            song: TopEntry {
                key: track.map_or_else(|| no.to_string(), |t| t.key.clone()),
                name: track.map_or_else(|| no.to_string(), |t| t.name.clone()),
                artist_name: track.map(|t| t.artist_name.clone()).unwrap_or_default(),
                plays,
                ms_played: 0,
            },
            day,
            plays,
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

/// The catalogue's tracks indexed by their number.
fn index_by_number(catalogue: &[CatalogueTrack]) -> Vec<Option<&CatalogueTrack>> {
    let top = catalogue.iter().map(|t| t.no).max().unwrap_or(0).max(0) as usize;
    let mut by_no = vec![None; top + 1];
    for track in catalogue {
        if let Ok(no) = usize::try_from(track.no) {
            by_no[no] = Some(track);
        }
    }
    by_no
}

/// The track played most often on one local day of the year: `(track number, local day,
/// plays)`; ties go to the earlier day, then the track whose key sorts first.
fn most_plays_in_a_day(
    inputs: &YearInputs<'_>,
    by_no: &[Option<&CatalogueTrack>],
) -> Option<(i64, i64, i64)> {
    let (from, to) = inputs.span;
    let spans = inputs.zone.offset_spans(from, to);
    let mut span = spans.iter().peekable();
    let key_of = |no: i64| {
        usize::try_from(no)
            .ok()
            .and_then(|no| by_no.get(no).copied().flatten())
            .map(|track| track.key.as_str())
    };
    // Plays are in time order, so local days come one after the other: count a day's plays
    // per track, then keep the day's best against the best so far (an earlier day wins a tie).
    let mut best: Option<(i64, i64, i64)> = None;
    let mut day_counts: HashMap<i64, i64> = HashMap::new();
    let mut current_day = None;
    let mut close_day = |day: i64, counts: &mut HashMap<i64, i64>| {
        let day_best = counts
            .drain()
            .min_by_key(|&(no, plays)| (std::cmp::Reverse(plays), key_of(no)));
        if let Some((no, plays)) = day_best
            && best.is_none_or(|(_, _, most)| plays > most)
        {
            best = Some((no, day, plays));
        }
    };
    for &(no, at, _) in inputs.plays.iter().filter(|p| (from..to).contains(&p.1)) {
        while span.next_if(|s| s.end_ms <= at).is_some() {}
        let offset = span.peek().map_or(0, |s| s.offset_secs * 1000);
        let day = (at + offset).div_euclid(DAY_MS);
        if let Some(previous) = current_day
            && previous != day
        {
            close_day(previous, &mut day_counts);
        }
        current_day = Some(day);
        *day_counts.entry(no).or_default() += 1;
    }
    if let Some(day) = current_day {
        close_day(day, &mut day_counts);
    }
    best
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

    #[test]
    fn the_song_on_repeat_counts_local_days_across_midnight_and_the_clock_change() {
        use crate::domain::time::days_from_civil;
        let zone = Zone::parse("Europe/Berlin").expect("a zone");
        let track = |no: i64, key: &str| CatalogueTrack {
            no,
            key: key.into(),
            name: format!("song {key}"),
            artist_name: "someone".into(),
            album_name: None,
            artist_ids: None,
            first_played_at: None,
        };
        let catalogue = [track(1, "b-key"), track(2, "a-key"), track(3, "0-key")];
        let day = |month, day| days_from_civil(2024, month, day).expect("a real date");
        // UTC times. Berlin is an hour ahead until 01:00 UTC on 31 March, two after.
        let utc = |month, d, hour: i64, minute: i64| {
            day(month, d) * DAY_MS + hour * 3_600_000 + minute * 60_000
        };
        let mut plays = vec![
            // Song 1: 23:30 and 23:45 on 30 March, then 00:15 on 31 March, in Berlin; all on
            // 30 March in UTC.
            (1, utc(3, 30, 22, 30), 1),
            (1, utc(3, 30, 22, 45), 1),
            (1, utc(3, 30, 23, 15), 1),
            // Song 2: 03:30 and 04:00 on 31 March in Berlin, after the clocks went forward.
            (2, utc(3, 31, 1, 30), 1),
            (2, utc(3, 31, 2, 0), 1),
            // The year before doesn't count.
            (2, utc(3, 31, 2, 0) - 365 * DAY_MS, 1),
            (2, utc(3, 31, 2, 1) - 365 * DAY_MS, 1),
            (2, utc(3, 31, 2, 2) - 365 * DAY_MS, 1),
        ];
        plays.sort_by_key(|p| p.1);
        let span = (
            zone.local_month_start_ms(2024, 1),
            zone.local_month_start_ms(2025, 1),
        );
        let genres = HashMap::new();
        let on_repeat = |plays: &[(i64, i64, i64)]| {
            let inputs = YearInputs {
                year: 2024,
                span,
                counts: &[],
                catalogue: &catalogue,
                days: &[],
                hours: &[],
                plays,
                zone: &zone,
                history_first: None,
                genres: &genres,
            };
            year_review(&inputs)
                .on_repeat
                .map(|repeat| (repeat.song.key, repeat.day, repeat.plays))
        };
        // Two plays each on 30 and 31 March: the earlier day wins.
        assert_eq!(on_repeat(&plays), Some(("b-key".into(), day(3, 30), 2)));
        // Song 3's two plays on 30 March tie with song 1's: the smaller key wins.
        plays.push((3, utc(3, 30, 10, 0), 1));
        plays.push((3, utc(3, 30, 11, 0), 1));
        plays.sort_by_key(|p| p.1);
        assert_eq!(on_repeat(&plays), Some(("0-key".into(), day(3, 30), 2)));
    }
}
