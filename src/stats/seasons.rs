//! Music variety by season: how many artists and genres each season of the year holds.

use std::collections::{HashMap, HashSet};

pub use crate::domain::Hemisphere;
use crate::domain::Track;
use crate::stats::common::release_month;

/// How many genres each season lists.
pub const TOP_GENRES_SHOWN: usize = 10;

/// A season of the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Season {
    /// December, January, February in the northern hemisphere.
    Winter,
    /// March to May in the northern hemisphere.
    Spring,
    /// June to August in the northern hemisphere.
    Summer,
    /// September to November in the northern hemisphere.
    Fall,
}

impl Season {
    /// All four, in the order the panel shows them.
    pub const ALL: [Season; 4] = [Self::Winter, Self::Spring, Self::Summer, Self::Fall];

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Winter => "Winter",
            Self::Spring => "Spring",
            Self::Summer => "Summer",
            Self::Fall => "Fall",
        }
    }

    /// The season half a year away.
    fn opposite(self) -> Self {
        match self {
            Self::Winter => Self::Summer,
            Self::Spring => Self::Fall,
            Self::Summer => Self::Winter,
            Self::Fall => Self::Spring,
        }
    }
}

/// The season of a month (1–12): northern Winter = Dec–Feb, Spring = Mar–May, Summer =
/// Jun–Aug, Fall = Sep–Nov; the southern hemisphere swaps Winter↔Summer and Spring↔Fall.
///
/// Months outside 1–12 have no season; they are treated like December–February here so the
/// function stays total, and [`variety_by_season`] never passes them.
pub fn season_of(month: u8, hemisphere: Hemisphere) -> Season {
    let northern = match month {
        3..=5 => Season::Spring,
        6..=8 => Season::Summer,
        9..=11 => Season::Fall,
        _ => Season::Winter,
    };
    match hemisphere {
        Hemisphere::Northern => northern,
        Hemisphere::Southern => northern.opposite(),
    }
}

/// Which of the two forms of the panel was computed; the panel says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeasonSource {
    /// Stored plays, each in the season of its `played_at` in the user's time zone.
    ListeningHistory,
    /// Top tracks, each in the season of its release month.
    ReleaseMonth,
}

impl SeasonSource {
    /// The wording the panel uses.
    pub fn label(self) -> &'static str {
        match self {
            Self::ListeningHistory => "listening history",
            Self::ReleaseMonth => "release month",
        }
    }
}

/// One thing counted by season: a play (history form) or a top track (release-month form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeasonItem {
    /// Month 1–12: of the play in the user's time zone, or of the release.
    pub month: u8,
    /// Spotify ids of the credited artists (duplicates allowed; they count once).
    pub artist_ids: Vec<String>,
}

impl SeasonItem {
    /// An item crediting the track's artists.
    pub fn from_track(month: u8, track: &Track) -> Self {
        Self {
            month,
            artist_ids: track
                .artists
                .iter()
                .map(|artist| artist.id.clone())
                .collect(),
        }
    }
}

/// The release-month form's items: each top track whose `release_date_precision` is `month`
/// or `day`, in the month it was released. Year-only and undated tracks are left out.
pub fn release_month_items(tracks: &[Track]) -> Vec<SeasonItem> {
    tracks
        .iter()
        .filter_map(|track| {
            release_month(&track.album).map(|month| SeasonItem::from_track(month, track))
        })
        .collect()
}

/// The figures of one season.
#[derive(Debug, Clone, PartialEq)]
pub struct SeasonStats {
    /// Which season.
    pub season: Season,
    /// Number of plays (history form) or tracks (release-month form).
    pub items: usize,
    /// Distinct artists credited by those items.
    pub distinct_artists: usize,
    /// Normalised Shannon entropy of the artists, 0–1 (see [`artist_variety`]).
    pub artist_variety: f64,
    /// Distinct genres among those artists (0 when no genre is known).
    pub distinct_genres: usize,
    /// The [`TOP_GENRES_SHOWN`] most frequent genres with their counts, ties by name.
    pub top_genres: Vec<(String, usize)>,
}

/// Artist variety `H / ln(k)`, `H = −Σ pᵢ ln pᵢ`, from how many items credit each of the `k`
/// artists (`pᵢ` = count ÷ sum of counts); 0 when `k < 2`.
///
/// Dividing by `ln k` makes 1 mean "every artist equally often" whatever the number of
/// artists, so seasons with more plays compare fairly. Zero counts are not artists of the
/// season and are ignored. The result is kept within 0–1 so rounding never shows `1.001`.
pub fn artist_variety(counts: impl IntoIterator<Item = usize>) -> f64 {
    let counts: Vec<f64> = counts
        .into_iter()
        .filter(|&count| count > 0)
        .map(|count| count as f64)
        .collect();
    if counts.len() < 2 {
        return 0.0;
    }
    let total: f64 = counts.iter().sum();
    let entropy: f64 = counts
        .iter()
        .map(|&count| {
            let share = count / total;
            -share * share.ln()
        })
        .sum();
    (entropy / (counts.len() as f64).ln()).clamp(0.0, 1.0)
}

/// Artist variety as the panel shows it: three decimals (`0.946`).
pub fn format_variety(variety: f64) -> String {
    format!("{variety:.3}")
}

/// Whether the genre source knows the genres of at least one artist of the items, so the
/// panel can say genres are unavailable instead of showing zeros as if they were a result.
pub fn any_genre_known<'g>(
    items: &[SeasonItem],
    genres: &dyn Fn(&str) -> Option<&'g [String]>,
) -> bool {
    items
        .iter()
        .flat_map(|item| &item.artist_ids)
        .any(|id| !id.is_empty() && genres(id).is_some())
}

/// The seasons a window of time `[from_ms, to_ms)` overlaps, in the user's zone, in calendar
/// order from the window's start: a window of 4 weeks touches one or two, a year all four.
pub fn seasons_in_window(
    from_ms: i64,
    to_ms: i64,
    zone: &crate::domain::zone::Zone,
    hemisphere: Hemisphere,
) -> Vec<Season> {
    let (first, last) = (zone.local(from_ms), zone.local(to_ms.max(from_ms + 1) - 1));
    let mut seasons = Vec::new();
    let (mut year, mut month) = (first.year, first.month);
    while (year, month) <= (last.year, last.month) && seasons.len() < 4 {
        let season = season_of(month as u8, hemisphere);
        if !seasons.contains(&season) {
            seasons.push(season);
        }
        (year, month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
    }
    seasons
}

/// The four seasons' figures, in [`Season::ALL`] order, zero-filled when a season is empty.
///
/// `genres` gives an artist's genres by Spotify id (`None` when unknown). Rules:
/// - an item counts once for each of its *distinct* artists (an artist credited twice on one
///   track is one credit); artists without an id (local files) are not counted;
/// - artist variety uses, per artist, the number of items crediting it;
/// - for each item, each distinct artist adds 1 to each of its distinct genres, so a genre
///   two artists of one item share gets 2.
///
/// Items whose month is not 1–12 have no season and are skipped.
pub fn variety_by_season<'g>(
    items: &[SeasonItem],
    genres: &dyn Fn(&str) -> Option<&'g [String]>,
    hemisphere: Hemisphere,
) -> Vec<SeasonStats> {
    #[derive(Default)]
    struct Tally<'a> {
        items: usize,
        artist_items: HashMap<&'a str, usize>,
        genre_counts: HashMap<&'a str, usize>,
    }
    let mut tallies: HashMap<Season, Tally> = HashMap::new();
    for item in items.iter().filter(|item| (1..=12).contains(&item.month)) {
        let tally = tallies
            .entry(season_of(item.month, hemisphere))
            .or_default();
        tally.items += 1;
        let mut artists_of_item: HashSet<&str> = HashSet::new();
        for id in item.artist_ids.iter().map(String::as_str) {
            if id.is_empty() || !artists_of_item.insert(id) {
                continue;
            }
            *tally.artist_items.entry(id).or_default() += 1;
            let Some(artist_genres) = genres(id) else {
                continue;
            };
            let mut genres_of_artist: HashSet<&str> = HashSet::new();
            for genre in artist_genres.iter().map(String::as_str) {
                if genres_of_artist.insert(genre) {
                    *tally.genre_counts.entry(genre).or_default() += 1;
                }
            }
        }
    }

    Season::ALL
        .into_iter()
        .map(|season| {
            let tally = tallies.remove(&season).unwrap_or_default();
            let mut top_genres: Vec<(String, usize)> = tally
                .genre_counts
                .iter()
                .map(|(&genre, &count)| (genre.to_owned(), count))
                .collect();
            top_genres.sort_by(|(a_name, a_count), (b_name, b_count)| {
                b_count.cmp(a_count).then_with(|| a_name.cmp(b_name))
            });
            top_genres.truncate(TOP_GENRES_SHOWN);
            SeasonStats {
                season,
                items: tally.items,
                distinct_artists: tally.artist_items.len(),
                artist_variety: artist_variety(tally.artist_items.values().copied()),
                distinct_genres: tally.genre_counts.len(),
                top_genres,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::stats::testing::{genres_of, no_genres, season_item};

    #[test]
    fn a_window_overlaps_only_the_seasons_it_touches() {
        use crate::domain::time::parse_utc_timestamp;
        use crate::domain::zone::Zone;
        let at = |text: &str| parse_utc_timestamp(text).unwrap();
        let utc = Zone::utc();
        // Four weeks from mid-November to mid-December: autumn, then winter.
        let four_weeks = seasons_in_window(
            at("2026-11-06T00:00:00Z"),
            at("2026-12-04T00:00:00Z"),
            &utc,
            Hemisphere::Northern,
        );
        assert_eq!(four_weeks, vec![Season::Fall, Season::Winter]);
        let south = seasons_in_window(
            at("2026-11-06T00:00:00Z"),
            at("2026-12-04T00:00:00Z"),
            &utc,
            Hemisphere::Southern,
        );
        assert_eq!(south, vec![Season::Spring, Season::Summer]);
        // Ending at midnight on 1 March does not reach into spring; in Tokyo it does.
        let winter = seasons_in_window(
            at("2026-01-10T00:00:00Z"),
            at("2026-03-01T00:00:00Z"),
            &utc,
            Hemisphere::Northern,
        );
        assert_eq!(winter, vec![Season::Winter]);
        let tokyo = Zone::parse("Asia/Tokyo").unwrap();
        let tokyo = seasons_in_window(
            at("2026-01-10T00:00:00Z"),
            at("2026-03-01T00:00:00Z"),
            &tokyo,
            Hemisphere::Northern,
        );
        assert_eq!(tokyo, vec![Season::Winter, Season::Spring]);
        let year = seasons_in_window(
            at("2025-12-04T00:00:00Z"),
            at("2026-12-04T00:00:00Z"),
            &utc,
            Hemisphere::Northern,
        );
        assert_eq!(year.len(), 4);
    }

    fn genre_map(entries: &[(&str, &[&str])]) -> HashMap<String, Vec<String>> {
        entries
            .iter()
            .map(|(id, genres)| {
                (
                    (*id).to_owned(),
                    genres.iter().map(|g| (*g).to_owned()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn northern_seasons_by_month() {
        let seasons: Vec<Season> = (1..=12)
            .map(|month| season_of(month, Hemisphere::Northern))
            .collect();
        use Season::*;
        assert_eq!(
            seasons,
            [
                Winter, Winter, Spring, Spring, Spring, Summer, Summer, Summer, Fall, Fall, Fall,
                Winter
            ]
        );
        assert_eq!(Hemisphere::default(), Hemisphere::Northern);
    }

    #[test]
    fn southern_hemisphere_swaps_winter_with_summer_and_spring_with_fall() {
        use Season::*;
        let seasons: Vec<Season> = (1..=12)
            .map(|month| season_of(month, Hemisphere::Southern))
            .collect();
        assert_eq!(
            seasons,
            [
                Summer, Summer, Fall, Fall, Fall, Winter, Winter, Winter, Spring, Spring, Spring,
                Summer
            ]
        );
        // The same plays land in swapped seasons.
        let items = [
            season_item(12, &["a"]),
            season_item(4, &["a"]),
            season_item(4, &["b"]),
        ];
        let north = variety_by_season(&items, &no_genres, Hemisphere::Northern);
        let south = variety_by_season(&items, &no_genres, Hemisphere::Southern);
        let counts =
            |stats: &[SeasonStats]| -> Vec<usize> { stats.iter().map(|s| s.items).collect() };
        assert_eq!(counts(&north), [1, 2, 0, 0]);
        assert_eq!(counts(&south), [0, 0, 1, 2]);
        assert_eq!(south[3].season, Fall);
        assert_eq!(format_variety(south[3].artist_variety), "1.000");
    }

    #[test]
    fn labels_and_settings_values() {
        let labels: Vec<&str> = Season::ALL.iter().map(|s| s.label()).collect();
        assert_eq!(labels, ["Winter", "Spring", "Summer", "Fall"]);
        assert_eq!(Hemisphere::parse("southern"), Some(Hemisphere::Southern));
        assert_eq!(Hemisphere::parse("Southern"), None);
        assert_eq!(SeasonSource::ReleaseMonth.label(), "release month");
        assert_eq!(SeasonSource::ListeningHistory.label(), "listening history");
    }

    #[test]
    fn variety_matches_hand_computed_values() {
        // Two artists, equal shares: H = ln 2, H / ln 2 = 1.
        assert_eq!(format_variety(artist_variety([3, 3])), "1.000");
        // Counts 2, 1, 1: p = ½, ¼, ¼; H = ½ln2 + ¼ln4 + ¼ln4 = 1.5 ln 2;
        // 1.5 ln 2 / ln 3 = 1.039720771 / 1.098612289 = 0.946394630.
        let v = artist_variety([2, 1, 1]);
        assert!((v - 0.946_394_630_357_186).abs() < 1e-12, "{v}");
        assert_eq!(format_variety(v), "0.946");
        // Counts 4, 1: p = 0.8, 0.2; H = 0.500402424; / ln 2 = 0.721928095.
        assert_eq!(format_variety(artist_variety([4, 1])), "0.722");
        // Fewer than two artists: 0, never NaN.
        assert_eq!(artist_variety([5]), 0.0);
        assert_eq!(artist_variety([]), 0.0);
        assert_eq!(artist_variety([0, 7]), 0.0);
        assert_eq!(format_variety(0.0), "0.000");
        // Ten equal artists are as varied as two.
        assert_eq!(format_variety(artist_variety([1; 10])), "1.000");
    }

    #[test]
    fn a_season_of_items_with_hand_computed_figures() {
        // Four plays in July: a+b, a, a+c, a (credited twice). Items crediting: a 4, b 1, c 1.
        let items = [
            season_item(7, &["a", "b"]),
            season_item(7, &["a"]),
            season_item(7, &["a", "c"]),
            season_item(7, &["a", "a"]),
        ];
        let summer = &variety_by_season(&items, &no_genres, Hemisphere::Northern)[2];
        assert_eq!(summer.season, Season::Summer);
        assert_eq!(summer.items, 4);
        assert_eq!(summer.distinct_artists, 3);
        // p = 4/6, 1/6, 1/6: H = 0.867563228; / ln 3 = 0.789690…
        assert_eq!(format_variety(summer.artist_variety), "0.790");
        assert_eq!(summer.distinct_genres, 0);
        assert!(summer.top_genres.is_empty());
    }

    #[test]
    fn an_artist_credited_twice_on_one_item_counts_once() {
        let genres = genre_map(&[("a", &["pop"]), ("b", &["rock"])]);
        let lookup = |id: &str| genres.get(id).map(Vec::as_slice);
        // Without de-duplication "a" would have 3 credits to b's 1 and pop would count 3.
        let items = [
            season_item(1, &["a", "a", "b"]),
            season_item(1, &["a", "b"]),
        ];
        let winter = &variety_by_season(&items, &lookup, Hemisphere::Northern)[0];
        assert_eq!(winter.items, 2);
        assert_eq!(winter.distinct_artists, 2);
        // a and b each credited by 2 items: equal shares.
        assert_eq!(format_variety(winter.artist_variety), "1.000");
        assert_eq!(genres_of(winter), [("pop", 2), ("rock", 2)]);
    }

    #[test]
    fn a_genre_shared_by_two_artists_of_one_item_adds_two() {
        let genres = genre_map(&[
            ("a", &["pop", "dance pop", "pop"]), // "pop" listed twice counts once for a
            ("b", &["pop", "edm"]),
            ("c", &["Pop"]), // not folded into "pop"
        ]);
        let lookup = |id: &str| genres.get(id).map(Vec::as_slice);
        let items = [
            season_item(10, &["a", "b"]),
            season_item(11, &["c", "unknown-artist"]),
        ];
        let fall = &variety_by_season(&items, &lookup, Hemisphere::Northern)[3];
        assert_eq!(fall.items, 2);
        assert_eq!(fall.distinct_artists, 4);
        assert_eq!(fall.distinct_genres, 4);
        assert_eq!(
            genres_of(fall),
            [("pop", 2), ("Pop", 1), ("dance pop", 1), ("edm", 1)]
        );
        assert!(any_genre_known(&items, &lookup));
        assert!(!any_genre_known(&items, &no_genres));
    }

    #[test]
    fn top_genres_are_the_ten_most_frequent_ties_by_name() {
        let many: Vec<&str> = vec![
            "zouk", "Zouk", "ambient", "Ambient", "émo", "emo", "jazz", "blues", "metal", "folk",
            "soul", "funk",
        ];
        let genres = genre_map(&[("a", &many), ("b", &["soul", "zouk"])]);
        let lookup = |id: &str| genres.get(id).map(Vec::as_slice);
        let stats = variety_by_season(
            &[season_item(3, &["a", "b"])],
            &lookup,
            Hemisphere::Northern,
        );
        let spring = &stats[1];
        assert_eq!(spring.distinct_genres, 12);
        assert_eq!(
            genres_of(spring),
            [
                ("soul", 2),
                ("zouk", 2),
                ("Ambient", 1),
                ("Zouk", 1),
                ("ambient", 1),
                ("blues", 1),
                ("emo", 1),
                ("folk", 1),
                ("funk", 1),
                ("jazz", 1),
            ]
        );
    }

    #[test]
    fn no_items_gives_four_zero_seasons() {
        let stats = variety_by_season(&[], &no_genres, Hemisphere::Southern);
        assert_eq!(stats.len(), 4);
        for (stats, season) in stats.iter().zip(Season::ALL) {
            assert_eq!(
                *stats,
                SeasonStats {
                    season,
                    items: 0,
                    distinct_artists: 0,
                    artist_variety: 0.0,
                    distinct_genres: 0,
                    top_genres: Vec::new(),
                }
            );
        }
        // Items without artists or with impossible months do not produce NaN either.
        let stats = variety_by_season(
            &[
                season_item(2, &[]),
                season_item(2, &[""]),
                season_item(0, &["a"]),
                season_item(13, &["a"]),
            ],
            &no_genres,
            Hemisphere::Northern,
        );
        assert_eq!(stats[0].items, 2);
        assert_eq!(stats[0].distinct_artists, 0);
        assert_eq!(format_variety(stats[0].artist_variety), "0.000");
        assert_eq!(stats.iter().map(|s| s.items).sum::<usize>(), 2);
    }
}
