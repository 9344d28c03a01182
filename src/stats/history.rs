//! Computations of the history views: the listening clock, months, new artists, coverage holes
//! and the items of the history form of "Music variety by season". Plain data in, rows out.

use std::collections::{BTreeMap, HashMap};

use crate::domain::TimeRange;
use crate::domain::time::{DAY_MS, civil_from_days, month_index, month_of_index};
use crate::domain::zone::Zone;
use crate::domain::{CoverageSpan, WindowPlays};
use crate::stats::SeasonItem;

/// Plays per weekday (Monday first) and local hour.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClockGrid {
    pub plays: [[i64; 24]; 7],
    pub max: i64,
    pub total: i64,
}

/// Weekday names, Monday first.
pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The clock from plays per hour of the week counted from Thursday 00:00 (1970-01-01's
/// weekday), as `Store::plays_by_hour_of_week` gives them.
pub fn listening_clock(rows: &[(i64, i64, i64)]) -> ClockGrid {
    let mut grid = ClockGrid::default();
    for &(hour_of_week, plays, _) in rows {
        let how = hour_of_week.rem_euclid(168);
        let weekday = ((how / 24 + 3) % 7) as usize;
        let hour = (how % 24) as usize;
        grid.plays[weekday][hour] += plays;
        grid.total += plays;
    }
    grid.max = grid.plays.iter().flatten().copied().max().unwrap_or(0);
    grid
}

/// A calendar month's figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonthFigure {
    pub year: i64,
    pub month: u32,
    pub plays: i64,
    /// Minutes listened (rounded down) or new artists, depending on the chart.
    pub value: i64,
}

/// Plays and minutes per local month, every month from the first to the last (zeros kept, so
/// silences show), from `Store::plays_by_local_day` rows.
pub fn minutes_per_month(days: &[(i64, i64, i64)]) -> Vec<MonthFigure> {
    let mut months: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for &(day, plays, ms) in days {
        let (year, month, _) = civil_from_days(day);
        let entry = months.entry(month_index(year, month)).or_default();
        entry.0 += plays;
        entry.1 = entry.1.saturating_add(ms);
    }
    fill_months(&months, |(plays, ms)| (plays, ms / 60_000))
}

/// New artists (first play ever) per local month, from `Store::artist_first_plays`.
pub fn new_artists_per_month(firsts: &[(String, i64)], zone: &Zone) -> Vec<MonthFigure> {
    let mut months: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for (_, first) in firsts {
        let local = zone.local(*first);
        months
            .entry(month_index(local.year, local.month))
            .or_default()
            .1 += 1;
    }
    fill_months(&months, |(plays, count)| (plays, count))
}

pub(crate) fn fill_months(
    months: &BTreeMap<i64, (i64, i64)>,
    figure: impl Fn((i64, i64)) -> (i64, i64),
) -> Vec<MonthFigure> {
    let (Some(&first), Some(&last)) = (months.keys().next(), months.keys().next_back()) else {
        return Vec::new();
    };
    (first..=last)
        .map(|index| {
            let (year, month) = month_of_index(index);
            let (plays, value) = figure(months.get(&index).copied().unwrap_or_default());
            MonthFigure {
                year,
                month,
                plays,
                value,
            }
        })
        .collect()
}

/// Holes shorter than this are not worth a note (the poller's own rhythm leaves none; a
/// restart of a few minutes loses nothing the next poll can't fetch).
pub const MIN_HOLE_MS: i64 = 6 * 3_600_000;

/// The parts of `[from_ms, to_ms)` that no coverage span holds, longest-first irrelevant:
/// oldest first. Holes shorter than `min_ms` are left out.
pub fn coverage_holes(
    spans: &[CoverageSpan],
    from_ms: i64,
    to_ms: i64,
    min_ms: i64,
) -> Vec<(i64, i64)> {
    let mut spans: Vec<(i64, i64)> = spans.iter().map(|s| (s.start_ms, s.end_ms)).collect();
    spans.sort_unstable();
    let mut holes = Vec::new();
    let mut cursor = from_ms;
    for (start, end) in spans {
        if end <= cursor {
            continue;
        }
        if start > cursor {
            holes.push((cursor, start.min(to_ms)));
        }
        cursor = cursor.max(end);
        if cursor >= to_ms {
            break;
        }
    }
    if cursor < to_ms {
        holes.push((cursor, to_ms));
    }
    holes.retain(|(start, end)| end - start >= min_ms && end > start);
    holes
}

/// The window of the history form of "Music variety by season" for a range, measured back from
/// `now_ms`: 28, 182 or 365 days (PANELS.md).
pub fn season_window(range: TimeRange, now_ms: i64) -> (i64, i64) {
    let days = match range {
        TimeRange::ShortTerm => 28,
        TimeRange::MediumTerm => 182,
        TimeRange::LongTerm => 365,
    };
    (now_ms - days * DAY_MS, now_ms)
}

/// The items of the history form of "Music variety by season": one per play, in the month of
/// its `played_at` in the user's time zone (already applied by `Store::plays_in_window`),
/// crediting the track's artists.
///
/// Artists are identified by Spotify id when the Web API told Euterpe the track's artists
/// (plays the poller recorded, or tracks it has seen); an export names only the album artist,
/// so such a play credits the id Euterpe knows for that artist's name from another track, or
/// else `name:<artist name>` (an identity genre sources don't know: it counts for artists and
/// variety, never for genres).
pub fn season_items(plays: &[WindowPlays]) -> Vec<SeasonItem> {
    let mut id_of_name: HashMap<&str, &str> = HashMap::new();
    for play in plays {
        if let Some(first) = play
            .artist_ids
            .as_deref()
            .and_then(|ids| ids.split(',').next())
            .filter(|first| !first.is_empty())
        {
            id_of_name.entry(play.artist_name.as_str()).or_insert(first);
        }
    }
    let mut items = Vec::new();
    for play in plays {
        let artist_ids: Vec<String> = match play.artist_ids.as_deref() {
            Some(ids) => ids
                .split(',')
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .collect(),
            None => match id_of_name.get(play.artist_name.as_str()) {
                Some(id) => vec![(*id).to_owned()],
                None if play.artist_name.is_empty() => Vec::new(),
                None => vec![format!("name:{}", play.artist_name)],
            },
        };
        for _ in 0..play.plays.max(0) {
            items.push(SeasonItem {
                month: play.month,
                artist_ids: artist_ids.clone(),
            });
        }
    }
    items
}

/// Minutes as people read them: `1,234 min` or `12 h 5 min`.
pub fn format_minutes(ms: i64) -> String {
    let minutes = ms / 60_000;
    if minutes < 60 {
        format!("{minutes} min")
    } else {
        format!("{} h {} min", group_thousands(minutes / 60), minutes % 60)
    }
}

/// `1234567` → `1,234,567`.
pub fn group_thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    if value < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::{days_from_civil, parse_utc_timestamp};
    use crate::stats::{Hemisphere, Season, variety_by_season};

    fn span(start: i64, end: i64) -> CoverageSpan {
        CoverageSpan {
            source: "poller".into(),
            start_ms: start,
            end_ms: end,
        }
    }

    #[test]
    fn clock_puts_hours_on_the_right_weekday() {
        // Hour 0 of the week is Thursday 00:00; hour 24 * 4 + 13 is Monday 13:00.
        let grid = listening_clock(&[(0, 2, 0), (24 * 4 + 13, 5, 0), (167, 1, 0)]);
        assert_eq!(grid.plays[3][0], 2);
        assert_eq!(grid.plays[0][13], 5);
        assert_eq!(grid.plays[2][23], 1, "Wednesday 23:00");
        assert_eq!((grid.max, grid.total), (5, 8));
    }

    #[test]
    fn months_are_contiguous_and_zero_filled() {
        let jan = days_from_civil(2024, 1, 31).unwrap();
        let mar = days_from_civil(2024, 3, 1).unwrap();
        let rows = minutes_per_month(&[(jan, 3, 600_000), (mar, 1, 59_999), (jan, 1, 60_000)]);
        let shown: Vec<(u32, i64, i64)> =
            rows.iter().map(|m| (m.month, m.plays, m.value)).collect();
        assert_eq!(shown, [(1, 4, 11), (2, 0, 0), (3, 1, 0)]);
        assert!(minutes_per_month(&[]).is_empty());
    }

    #[test]
    fn new_artists_count_in_the_local_month_of_their_first_play() {
        let utc_new_year = parse_utc_timestamp("2023-12-31T20:00:00Z").unwrap();
        let firsts = vec![
            ("A".to_owned(), utc_new_year),
            ("B".to_owned(), utc_new_year),
        ];
        let utc = new_artists_per_month(&firsts, &Zone::utc());
        assert_eq!((utc[0].year, utc[0].month, utc[0].value), (2023, 12, 2));
        let tokyo = new_artists_per_month(&firsts, &Zone::parse("Asia/Tokyo").unwrap());
        assert_eq!(
            (tokyo[0].year, tokyo[0].month, tokyo[0].value),
            (2024, 1, 2)
        );
    }

    #[test]
    fn holes_are_what_no_span_covers() {
        let h = 3_600_000;
        let spans = [
            span(10 * h, 20 * h),
            span(15 * h, 30 * h),
            span(50 * h, 60 * h),
        ];
        assert_eq!(
            coverage_holes(&spans, 0, 100 * h, 0),
            [(0, 10 * h), (30 * h, 50 * h), (60 * h, 100 * h)]
        );
        assert_eq!(
            coverage_holes(&spans, 12 * h, 55 * h, 0),
            [(30 * h, 50 * h)]
        );
        assert_eq!(coverage_holes(&spans, 12 * h, 55 * h, 21 * h), []);
        assert_eq!(coverage_holes(&[], 0, h, 0), [(0, h)]);
    }

    #[test]
    fn season_items_credit_ids_when_known_and_names_otherwise() {
        let plays = vec![
            WindowPlays {
                month: 1,
                track_key: "t1".into(),
                artist_name: "Alpha".into(),
                artist_ids: Some("idA,idB".into()),
                plays: 2,
            },
            WindowPlays {
                month: 7,
                track_key: "t2".into(),
                artist_name: "Alpha".into(),
                artist_ids: None,
                plays: 1,
            },
            WindowPlays {
                month: 7,
                track_key: "~Zed\u{1f}x".into(),
                artist_name: "Zed".into(),
                artist_ids: None,
                plays: 3,
            },
        ];
        let items = season_items(&plays);
        assert_eq!(items.len(), 6);
        assert_eq!(items[0].artist_ids, ["idA", "idB"]);
        assert_eq!(
            items[2].artist_ids,
            ["idA"],
            "the export's album artist linked by name"
        );
        assert_eq!(items[3].artist_ids, ["name:Zed"]);
        let none = |_: &str| -> Option<&'static [String]> { None };
        let stats = variety_by_season(&items, &none, Hemisphere::Northern);
        assert_eq!(stats[0].season, Season::Winter);
        assert_eq!((stats[0].items, stats[0].distinct_artists), (2, 2));
        assert_eq!((stats[2].items, stats[2].distinct_artists), (4, 2));
    }

    #[test]
    fn numbers_for_people() {
        assert_eq!(group_thousands(1_234_567), "1,234,567");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(format_minutes(59 * 60_000), "59 min");
        assert_eq!(format_minutes(125 * 60_000), "2 h 5 min");
        let (from, to) = season_window(TimeRange::ShortTerm, 100 * DAY_MS);
        assert_eq!((from, to), (72 * DAY_MS, 100 * DAY_MS));
    }
}
