//! Release-year trends: when the top tracks were released.

use std::collections::BTreeMap;

use crate::domain::Track;
use crate::stats::common::release_year;

/// The figures of the release-year panel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseYears {
    /// Tracks with a known release year.
    pub counted: usize,
    /// Tracks left out because their year is unknown.
    pub unknown: usize,
    /// `(year, tracks)`, ascending, only years that occur.
    pub per_year: Vec<(i32, usize)>,
    /// Earliest known year.
    pub earliest: Option<i32>,
    /// Latest known year.
    pub latest: Option<i32>,
    /// `(year, tracks)` with the most tracks; ties go to the earliest year.
    pub peak: Option<(i32, usize)>,
    /// Element `⌊(n − 1) / 2⌋` of the counted tracks' years in ascending order (the lower
    /// median: always a year that occurs, never an average of two).
    pub median: Option<i32>,
    /// `(decade start, tracks)`, ascending, only decades that occur (1990 = 1990–1999).
    pub per_decade: Vec<(i32, usize)>,
}

/// The start of the decade a year falls in: 1999 → 1990.
pub fn decade_of(year: i32) -> i32 {
    year - year.rem_euclid(10)
}

/// A decade's label: 1990 → "1990s".
pub fn decade_label(decade_start: i32) -> String {
    format!("{decade_start}s")
}

/// The release-year figures of the top tracks. Every entry of the list counts once, as the
/// other top-track panels do.
pub fn release_year_trends(tracks: &[Track]) -> ReleaseYears {
    let mut years: Vec<i32> = tracks
        .iter()
        .filter_map(|track| release_year(track.album.release_date.as_deref()))
        .collect();
    years.sort_unstable();

    let mut per_year: BTreeMap<i32, usize> = BTreeMap::new();
    let mut per_decade: BTreeMap<i32, usize> = BTreeMap::new();
    for &year in &years {
        *per_year.entry(year).or_default() += 1;
        *per_decade.entry(decade_of(year)).or_default() += 1;
    }
    // Ascending years with a strict `>` keep the earliest of equal counts.
    let mut peak: Option<(i32, usize)> = None;
    for (&year, &count) in &per_year {
        if peak.is_none_or(|(_, best)| count > best) {
            peak = Some((year, count));
        }
    }
    let median = years
        .len()
        .checked_sub(1)
        .map(|last_index| years[last_index / 2]);

    ReleaseYears {
        counted: years.len(),
        unknown: tracks.len() - years.len(),
        earliest: years.first().copied(),
        latest: years.last().copied(),
        per_year: per_year.into_iter().collect(),
        peak,
        median,
        per_decade: per_decade.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testing::dated_track;

    fn trends(dates: &[Option<&str>]) -> ReleaseYears {
        let tracks: Vec<Track> = dates
            .iter()
            .enumerate()
            .map(|(i, date)| dated_track(&format!("t{i}"), *date))
            .collect();
        release_year_trends(&tracks)
    }

    #[test]
    fn every_figure_for_a_mixed_list() {
        let got = trends(&[
            Some("1994-05-01"),
            Some("1969"),
            Some("2021-04"),
            Some("0000"),
            Some("1994"),
            None,
            Some("1999-12-31"),
            Some(""),
            Some("2021-11-19"),
            Some("1990-01-01"),
        ]);
        assert_eq!(got.counted, 7);
        assert_eq!(got.unknown, 3);
        assert_eq!(
            got.per_year,
            [(1969, 1), (1990, 1), (1994, 2), (1999, 1), (2021, 2)]
        );
        assert_eq!(got.earliest, Some(1969));
        assert_eq!(got.latest, Some(2021));
        // 1994 and 2021 both have 2: the earliest wins.
        assert_eq!(got.peak, Some((1994, 2)));
        // Ascending: 1969 1990 1994 1994 1999 2021 2021; n = 7, element 3 → 1994.
        assert_eq!(got.median, Some(1994));
        assert_eq!(got.per_decade, [(1960, 1), (1990, 4), (2020, 2)]);
        assert_eq!(decade_label(got.per_decade[1].0), "1990s");
    }

    #[test]
    fn median_of_an_even_count_is_the_lower_middle() {
        // Ascending 1980 1990 2000 2010: n = 4, element ⌊3/2⌋ = 1 → 1990 (not 1995).
        let got = trends(&[Some("2010"), Some("1980"), Some("2000"), Some("1990")]);
        assert_eq!(got.median, Some(1990));
        assert_eq!(got.peak, Some((1980, 1)));
        assert_eq!(trends(&[Some("2003-03-03")]).median, Some(2003));
        // n = 2 → element 0.
        assert_eq!(trends(&[Some("2005"), Some("2001")]).median, Some(2001));
    }

    #[test]
    fn decades_split_at_years_ending_in_zero() {
        let got = trends(&[
            Some("1989"),
            Some("1990"),
            Some("1999"),
            Some("2000"),
            Some("1000"),
        ]);
        assert_eq!(got.per_decade, [(1000, 1), (1980, 1), (1990, 2), (2000, 1)]);
        assert_eq!(decade_of(1999), 1990);
        assert_eq!(decade_of(2000), 2000);
    }

    #[test]
    fn peak_prefers_the_higher_count_over_an_earlier_year() {
        let got = trends(&[
            Some("1970"),
            Some("2020"),
            Some("2020"),
            Some("1970-01"),
            Some("2020"),
        ]);
        assert_eq!(got.peak, Some((2020, 3)));
    }

    #[test]
    fn no_tracks_means_no_figures() {
        assert_eq!(release_year_trends(&[]), ReleaseYears::default());
        let got = trends(&[Some("0000"), None]);
        assert_eq!(
            (got.counted, got.unknown, got.median, got.peak),
            (0, 2, None, None)
        );
    }
}
