//! The listening history's own words: what is stored of a span of time, and a month's plays of a
//! track, as the history's computations take them.

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
