//! Hidden gems: the top tracks from least to most popular, and an obscurity score.

use crate::domain::{Image, Track};
use crate::stats::common::{chosen_image, join_artist_names};

/// One row of the hidden-gems panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GemRow {
    /// 1-based position in Spotify's top list.
    pub rank: usize,
    /// Spotify track id.
    pub id: String,
    /// Track name.
    pub name: String,
    /// Track artists' names joined by `", "`.
    pub artists: String,
    /// The album cover to show; `None` means the placeholder.
    pub image: Option<Image>,
    /// Popularity 0–100; `None` shows as "popularity unknown".
    pub popularity: Option<u8>,
    /// The track on open.spotify.com.
    pub url: String,
}

/// The hidden-gems panel: rows and the obscurity header figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HiddenGems {
    /// Every top track: known popularity ascending (ties by rank), then unknown ones by rank.
    pub rows: Vec<GemRow>,
    /// `⌊100 − m + 0.5⌋`, `m` the mean known popularity; `None` when none is known.
    pub obscurity: Option<u32>,
    /// How many rows have a known popularity.
    pub known: usize,
}

/// Where a popularity figure came from; the panel names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PopularitySource {
    /// Spotify's own `popularity` (extended-quota apps).
    Spotify,
    /// ListenBrainz total listen counts, log-scaled with [`LISTENBRAINZ_LISTENS_CEILING`].
    ListenBrainz,
    /// Last.fm listener counts, log-scaled with [`LASTFM_LISTENERS_CEILING`].
    LastFm,
}

impl PopularitySource {
    /// The ceiling of the log scale of an open source's counts; `None` for Spotify's own 0–100.
    pub fn ceiling(self) -> Option<u64> {
        match self {
            Self::Spotify => None,
            Self::ListenBrainz => Some(LISTENBRAINZ_LISTENS_CEILING),
            Self::LastFm => Some(LASTFM_LISTENERS_CEILING),
        }
    }

    /// What the source counts, for the panels' notes.
    pub fn counts(self) -> &'static str {
        match self {
            Self::Spotify => "Spotify's own popularity",
            Self::ListenBrainz => "listen counts",
            Self::LastFm => "listener counts",
        }
    }

    /// The source's name as the panel shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Spotify => "Spotify",
            Self::ListenBrainz => "ListenBrainz",
            Self::LastFm => "Last.fm",
        }
    }
}

/// Spotify's own popularity of a track, when the response carried it.
pub fn spotify_popularity(track: &Track) -> Option<u8> {
    track.popularity
}

/// Whether Spotify sent popularity for at least one track; when not (development mode) the
/// caller needs an open source or the panel's "no popularity source" note.
pub fn any_popularity_known(tracks: &[Track]) -> bool {
    tracks.iter().any(|track| track.popularity.is_some())
}

/// The hidden-gems panel of the top tracks, with popularity supplied by `popularity` (Spotify's
/// own through [`spotify_popularity`], or an open source's, already on the 0–100 scale).
///
/// Every top track is listed, so a user without any popularity source still sees their list
/// (in rank order, each unknown) rather than an empty panel that looks like a result.
pub fn hidden_gems(tracks: &[Track], popularity: impl Fn(&Track) -> Option<u8>) -> HiddenGems {
    let mut rows: Vec<GemRow> = tracks
        .iter()
        .enumerate()
        .map(|(index, track)| GemRow {
            rank: index + 1,
            id: track.id.clone(),
            name: track.name.clone(),
            artists: join_artist_names(&track.artists),
            image: chosen_image(&track.album.images),
            popularity: popularity(track),
            url: track.external_urls.spotify.clone(),
        })
        .collect();
    // `None` sorts after every `Some` this way, and rank breaks every remaining tie.
    rows.sort_by_key(|row| (row.popularity.is_none(), row.popularity, row.rank));

    let known: Vec<u64> = rows
        .iter()
        .filter_map(|row| row.popularity.map(u64::from))
        .collect();
    HiddenGems {
        obscurity: obscurity(&known),
        known: known.len(),
        rows,
    }
}

/// `⌊100 − m + 0.5⌋` for `m` the mean of `known`, in integers so halves round exactly:
/// `⌊(200k + k − 2Σ) / 2k⌋` for `k` values summing to `Σ`.
fn obscurity(known: &[u64]) -> Option<u32> {
    let count = known.len() as i128;
    if count == 0 {
        return None;
    }
    let sum: i128 = known.iter().map(|&p| i128::from(p)).sum();
    let value = (201 * count - 2 * sum).div_euclid(2 * count);
    // Popularity above 100 (a caller's bug) would go negative; the scale stops at 0–100.
    Some(value.clamp(0, 100) as u32)
}

/// The ceiling `N` for ListenBrainz listen counts: a recording with `N` or more listens scores 100.
///
/// ListenBrainz's popularity endpoints count listens from ListenBrainz itself plus the MLHD+
/// data set, and the most-played recordings there are in the order of a million listens.
/// This is an estimate of that order of magnitude, not a measured maximum: on a log scale a
/// ceiling off by a factor of two moves any score by at most about 5 points, and counts above
/// it simply score 100.
pub const LISTENBRAINZ_LISTENS_CEILING: u64 = 1_000_000;

/// The ceiling `N` for Last.fm listener counts: a track with `N` or more listeners scores 100.
///
/// Last.fm's `track.getInfo` counts distinct listeners, not plays; the most widely heard tracks
/// there have a few million (the biggest hits of the last decades, 3–5 million). Like
/// [`LISTENBRAINZ_LISTENS_CEILING`] this is an order of magnitude, not a measured maximum, so
/// that both sources put a song near the same place on the 0–100 scale.
pub const LASTFM_LISTENERS_CEILING: u64 = 5_000_000;

/// Maps a listen or listener count onto Spotify's 0–100 scale:
/// `round(100 · log10(n + 1) / log10(N + 1))`, clamped to 0–100.
///
/// A logarithm because counts span six orders of magnitude while Spotify's popularity
/// behaves like a log of plays. A ceiling of 0 has no scale: only a count of 0 scores 0.
pub fn log_scaled_popularity(count: u64, ceiling: u64) -> u8 {
    if ceiling == 0 {
        return if count == 0 { 0 } else { 100 };
    }
    // `+ 1.0` in floating point: `count + 1` could overflow u64.
    let scaled = 100.0 * (count as f64 + 1.0).log10() / (ceiling as f64 + 1.0).log10();
    scaled.round().clamp(0.0, 100.0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testing::{album, credit, gem_order, track};

    fn with_popularity(id: &str, popularity: Option<u8>) -> Track {
        let mut t = track(
            id,
            &format!("Song {id}"),
            &[credit("a", "A")],
            album("al", "Al"),
        );
        t.popularity = popularity;
        t
    }

    #[test]
    fn unknown_popularity_comes_last_in_rank_order() {
        let tracks = [
            with_popularity("1", None),
            with_popularity("2", Some(50)),
            with_popularity("3", None),
            with_popularity("4", Some(0)),
            with_popularity("5", Some(50)),
        ];
        let gems = hidden_gems(&tracks, spotify_popularity);
        assert_eq!(
            gem_order(&gems),
            [
                (4, Some(0)),
                (2, Some(50)),
                (5, Some(50)),
                (1, None),
                (3, None)
            ]
        );
        assert_eq!(gems.known, 3);
        // m = 100/3 = 33.33…: ⌊100 − 33.33 + 0.5⌋ = 67.
        assert_eq!(gems.obscurity, Some(67));
    }

    #[test]
    fn obscurity_rounds_half_up() {
        let gem = |pops: &[u8]| {
            let tracks: Vec<Track> = pops
                .iter()
                .enumerate()
                .map(|(i, &p)| with_popularity(&i.to_string(), Some(p)))
                .collect();
            hidden_gems(&tracks, spotify_popularity).obscurity
        };
        // m = 47.5 → 100 − 47.5 + 0.5 = 53 exactly.
        assert_eq!(gem(&[47, 48]), Some(53));
        // m = 52.5 → 48.
        assert_eq!(gem(&[52, 53]), Some(48));
        // m = 47.25 → 53.25 → 53; m = 47.75 → 52.75 → 52.
        assert_eq!(gem(&[47, 47, 47, 48]), Some(53));
        assert_eq!(gem(&[47, 48, 48, 48]), Some(52));
        assert_eq!(gem(&[100]), Some(0));
        assert_eq!(gem(&[0, 0]), Some(100));
        assert_eq!(gem(&[]), None);
    }

    #[test]
    fn popularity_can_come_from_another_source() {
        let tracks = [
            with_popularity("1", Some(90)),
            with_popularity("2", Some(10)),
            with_popularity("3", None),
        ];
        // A caller's open-source look-up by track id, ignoring Spotify's figures.
        let gems = hidden_gems(&tracks, |t| match t.id.as_str() {
            "1" => Some(log_scaled_popularity(999, LISTENBRAINZ_LISTENS_CEILING)),
            "3" => Some(log_scaled_popularity(0, LISTENBRAINZ_LISTENS_CEILING)),
            _ => None,
        });
        // log10(1000)/log10(1 000 001) ≈ 0.5 → 50.
        assert_eq!(gem_order(&gems), [(3, Some(0)), (1, Some(50)), (2, None)]);
        assert_eq!(gems.obscurity, Some(75));
        assert_eq!(PopularitySource::ListenBrainz.label(), "ListenBrainz");
    }

    #[test]
    fn log_scale_matches_the_formula_and_clamps() {
        assert_eq!(log_scaled_popularity(0, 1_000_000), 0);
        assert_eq!(log_scaled_popularity(9, 999), 33); // 1/3 → 33.3
        assert_eq!(log_scaled_popularity(99, 999), 67); // 2/3 → 66.7
        assert_eq!(log_scaled_popularity(999, 999), 100);
        assert_eq!(log_scaled_popularity(5_000_000, 999), 100);
        assert_eq!(log_scaled_popularity(u64::MAX, 1_000_000), 100);
        // round(100·log10(31_623)/log10(1_000_001)) = round(75.0) = 75.
        assert_eq!(log_scaled_popularity(31_622, 1_000_000), 75);
        assert_eq!(log_scaled_popularity(0, 0), 0);
        assert_eq!(log_scaled_popularity(3, 0), 100);
    }

    #[test]
    fn no_top_tracks_means_no_gems_and_no_figure() {
        let gems = hidden_gems(&[], spotify_popularity);
        assert_eq!(
            gems,
            HiddenGems {
                rows: Vec::new(),
                obscurity: None,
                known: 0
            }
        );
        assert!(!any_popularity_known(&[]));
    }
}
