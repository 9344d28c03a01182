//! The listening history's own words: a listener's history settings, what is stored of a span
//! of time, top entries and recent plays, and a month's plays of a track, as the history's
//! computations and pages take them.

use super::Hemisphere;
use super::zone::Zone;

/// Plays of one track in one local month, for the history form of "Music variety by season".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowPlays {
    /// The month (1–12) in the user's time zone.
    pub month: u8,
    pub track_key: String,
    /// The track's (first or album) artist, as the source named it.
    pub artist_name: String,
    /// Comma-separated Spotify artist ids of the track, when the Web API told us.
    pub artist_ids: Option<String>,
    pub plays: i64,
}

/// One stretch of time whose plays are all stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverageSpan {
    pub source: String,
    pub start_ms: i64,
    pub end_ms: i64,
}

/// How much history is stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HistoryTotals {
    pub plays: i64,
    pub ms_played: i64,
    /// Unix ms of the first and the last stored play.
    pub first: Option<i64>,
    pub last: Option<i64>,
}

/// One recent play, with its names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecentPlay {
    pub played_at: i64,
    pub ms_played: i64,
    pub source: i64,
    pub track_key: String,
    pub name: String,
    pub artist_name: String,
}

/// A track or artist with its plays and listening time in a date range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopEntry {
    /// The track key (tracks) or the artist's name (artists).
    pub key: String,
    /// The track's name (tracks) or the artist's name (artists).
    pub name: String,
    /// The artist's name (tracks) or empty (artists).
    pub artist_name: String,
    pub plays: i64,
    pub ms_played: i64,
}

/// The history settings of a user.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HistorySettings {
    pub zone: Zone,
    pub hemisphere: Hemisphere,
}

impl Default for HistorySettings {
    fn default() -> Self {
        Self {
            zone: Zone::utc(),
            hemisphere: Hemisphere::Northern,
        }
    }
}

/// The key of a track known only by its names.
pub fn name_key(artist_name: &str, track_name: &str) -> String {
    format!("~{artist_name}\u{1f}{track_name}")
}

/// The names inside a [`name_key`], if it is one.
pub fn names_of_key(key: &str) -> Option<(&str, &str)> {
    key.strip_prefix('~')?.split_once('\u{1f}')
}

/// What the listening history says of a panel's rows: plays and listening time (ms) in the
/// panel's window, by track id (top songs) or artist name (top artists), with the window and its
/// holes for the "at least" note.
#[derive(Clone, Debug, PartialEq)]
pub struct PlayCounts {
    pub counts: std::collections::HashMap<String, (i64, i64)>,
    /// The window (Unix ms, `[from, to)`).
    pub window: (i64, i64),
    pub holes: Holes,
    /// The listener's time zone, in which the window's dates are told.
    pub zone: Zone,
}

impl PlayCounts {
    /// Plays and listening time of `key`, zero when the history has none of it.
    pub fn of(&self, key: &str) -> (i64, i64) {
        self.counts.get(key).copied().unwrap_or((0, 0))
    }
}

/// The stretches of a view's period the history does not cover (Unix ms, oldest first), and
/// since when it holds the user's plays at all, for the "at least" note.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Holes {
    pub spans: Vec<(i64, i64)>,
    /// The start of the earliest covered stretch (recorded or imported), if any.
    pub since: Option<i64>,
}

impl Holes {
    /// `spans`, the holes a view's period has in `coverage`, with the earliest covered moment.
    pub fn of(coverage: &[CoverageSpan], spans: Vec<(i64, i64)>) -> Self {
        Self {
            spans,
            since: coverage.iter().map(|span| span.start_ms).min(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

/// A track of the listener's catalogue (every track their history names), as the detail and
/// year pages need it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(from = "CatalogueRow")]
pub struct CatalogueTrack {
    /// The track's number in the listener's catalogue (the summaries count by it).
    pub no: i64,
    /// The history's key: a Spotify id, or a [`name_key`].
    pub key: String,
    pub name: String,
    /// The track's (first or album) artist, as the source named it.
    pub artist_name: String,
    pub album_name: Option<String>,
    /// Comma-separated Spotify artist ids, when the Web API told us.
    pub artist_ids: Option<String>,
    /// The first stored play of it (Unix ms).
    pub first_played_at: Option<i64>,
}

/// A catalogue row as the store reads it, in [`CatalogueTrack`]'s field order.
pub type CatalogueRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
);

impl From<CatalogueRow> for CatalogueTrack {
    fn from(
        (no, key, name, artist_name, album_name, artist_ids, first_played_at): CatalogueRow,
    ) -> Self {
        Self {
            no,
            key,
            name,
            artist_name,
            album_name,
            artist_ids,
            first_played_at,
        }
    }
}

impl CatalogueTrack {
    /// The Spotify id of the track's first credited artist, when known.
    pub fn artist_id(&self) -> Option<&str> {
        let first = self.artist_ids.as_deref()?.split(',').next()?.trim();
        (!first.is_empty()).then_some(first)
    }
}
