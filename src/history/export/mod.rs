//! Spotify's personal data export: which files hold listening history, and the one parser that
//! streams a file's array an entry at a time, turning each entry into a play to store or a
//! reason to skip it.
//!
//! Formats (SPOTIFY.md): the *extended streaming history* (`Streaming_History_Audio_*.json`,
//! legacy `endsong_N.json`: `ts` is the END of the play, UTC) and the *account data*
//! (`StreamingHistory_music_N.json`, older `StreamingHistoryN.json`: `endTime` "YYYY-MM-DD HH:MM"
//! UTC, names only). Podcast, audiobook and video files are recognised and skipped.
//!
//! Memory is bounded whatever the file holds: the parser keeps one block of the file, one
//! entry (at most [`MAX_ENTRY_BYTES`]) and one batch of plays with their tracks (at most
//! [`BATCH`] plays and [`MAX_BATCH_TEXT_BYTES`] of names), which it hands to the database side
//! before reading on.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use crate::domain::time::DAY_MS;
use crate::store::{ImportCounts, NewPlay, TrackFacts};

mod entry;
mod scan;
#[cfg(test)]
mod tests;

/// Plays shorter than this are not counted (the rule of Spotify's own charts and of peers).
pub const MIN_PLAY_MS: i64 = 30_000;

/// The earliest a play can have ended: 2006-01-01 00:00 UTC, in Unix milliseconds. Spotify was
/// founded in 2006 (and launched in 2008); an earlier time is a device's broken clock.
pub const EARLIEST_PLAY_MS: i64 = 1_136_073_600_000;

/// The longest a play can last: a day. Longer is a broken clock or a corrupt entry.
pub const MAX_PLAY_MS: i64 = DAY_MS;

/// The most one entry of a history file may take. A real entry is under 2 KB (its longest
/// values are names of at most [`MAX_NAME_BYTES`] and URIs); a longer one is not an export's,
/// and fails its file by its position.
pub const MAX_ENTRY_BYTES: usize = 64 << 10;

/// The longest name (track, artist, album) kept. Real names are far shorter (the longest
/// titles on Spotify run to a few hundred characters); a longer one is cut here, at a
/// character boundary, and the file's report says how many were.
pub const MAX_NAME_BYTES: usize = 1024;

/// Plays per batch handed to the database side.
pub const BATCH: usize = 10_000;

/// Names per batch, in bytes: a batch is handed over early when its tracks' names reach this,
/// so a batch of long names stays as small as one of short ones.
pub const MAX_BATCH_TEXT_BYTES: usize = 4 << 20;

/// What a file of the export holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    /// Extended streaming history (current or legacy `endsong`).
    Extended,
    /// Account data, music (`StreamingHistory_music_N.json`, `StreamingHistoryN.json`).
    AccountMusic,
    /// Account data, podcasts: recognised, skipped.
    Podcast,
    /// Audiobooks: recognised, skipped.
    Audiobook,
    /// Video history: recognised, skipped.
    Video,
}

impl FileKind {
    /// Whether Euterpe imports this kind (music); the others are skipped with a note.
    pub fn is_music(self) -> bool {
        matches!(self, Self::Extended | Self::AccountMusic)
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Extended => "extended streaming history",
            Self::AccountMusic => "account data (music)",
            Self::Podcast => "podcast history",
            Self::Audiobook => "audiobook history",
            Self::Video => "video history",
        }
    }
}

/// The kind of an export file from its name (any folder), or `None` for files that are not
/// listening history (`Userdata.json`, `Playlist1.json`, a ReadMe…).
pub fn kind_from_name(path: &str) -> Option<FileKind> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    if !lower.ends_with(".json") {
        return None;
    }
    if lower.starts_with("streaming_history_audio") || lower.starts_with("endsong") {
        Some(FileKind::Extended)
    } else if lower.starts_with("streaming_history_video") || lower.starts_with("endvideo") {
        Some(FileKind::Video)
    } else if lower.starts_with("streaminghistory_podcast") {
        Some(FileKind::Podcast)
    } else if lower.starts_with("streaminghistory_audiobook") {
        Some(FileKind::Audiobook)
    } else if lower.starts_with("streaminghistory") {
        Some(FileKind::AccountMusic)
    } else {
        None
    }
}

/// Where a history file stands in its numbered series, from its name: the series (the name's
/// start, lowercased, up to its first digit) and the file's number (the digits that end it),
/// e.g. `Streaming_History_Audio_2020-2021_3.json` → (`streaming_history_audio_`, 3),
/// `StreamingHistory0.json` → (`streaminghistory`, 0). Spotify numbers an export's files in
/// the order of their plays, so files of one series numbered N and N + 1 hold neighbouring
/// stretches of time. `None` for a name without a number: four digits are a year
/// (`Streaming_History_Audio_2020.json`), and a browser's ` (1)` copy is no part of a series.
pub fn series_of(path: &str) -> Option<(String, u32)> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    let stem = lower.strip_suffix(".json")?;
    let digits = stem.len() - stem.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 3 {
        return None;
    }
    let (rest, number) = stem.split_at(stem.len() - digits);
    if !(rest.ends_with('_') || rest.ends_with(|c: char| c.is_ascii_alphabetic())) {
        return None;
    }
    let series = &rest[..rest
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(rest.len())];
    Some((series.to_owned(), number.parse().ok()?))
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Malformed or truncated JSON, or a field of the wrong type, at a position (serde_json's
    /// counting: lines from 1, bytes into the line).
    Json {
        message: String,
        line: usize,
        column: usize,
        truncated: bool,
    },
    /// Valid JSON, but not a Spotify streaming history.
    NotAnExport(String),
    /// An entry (counted from 1) longer than [`MAX_ENTRY_BYTES`].
    EntryTooLarge(usize),
    /// Reading failed (e.g. a damaged zip entry, or more data than allowed).
    Read(String),
    /// The database side stopped (its error is reported instead).
    Stopped,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json {
                truncated: true,
                line,
                column,
                ..
            } => write!(
                f,
                "the file ends too early, at line {line}, column {column}: it looks truncated (download or unzip it again)"
            ),
            Self::Json {
                message,
                line,
                column,
                ..
            } => {
                write!(
                    f,
                    "the JSON is not valid at line {line}, column {column}: {message}"
                )
            }
            Self::NotAnExport(why) => {
                write!(f, "this is not a Spotify streaming history file: {why}")
            }
            Self::EntryTooLarge(entry) => write!(
                f,
                "entry {entry} of the file's list is larger than {} KiB: not a Spotify export \
                 entry (a play takes less than 2 KB)",
                MAX_ENTRY_BYTES >> 10
            ),
            Self::Read(why) => write!(f, "the file could not be read: {why}"),
            Self::Stopped => write!(f, "the import stopped"),
        }
    }
}

/// A batch of one file's plays, handed to the database side: the plays, and what they say
/// about each of their tracks (each track once, with its earliest play in the batch).
#[derive(Debug)]
pub struct Batch {
    pub kind: FileKind,
    pub plays: Vec<NewPlay>,
    pub tracks: Vec<TrackFacts>,
}

/// The end of a file: what was counted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FileTally {
    /// The kind the content showed (`None` for an empty array).
    pub kind: Option<FileKind>,
    pub counts: ImportCounts,
    /// Plays handed over (before duplicates are known).
    pub plays: i64,
    /// Names longer than [`MAX_NAME_BYTES`] that were cut short.
    pub names_shortened: i64,
    /// Earliest and latest play handed over.
    pub span: Option<(i64, i64)>,
}

/// Streams one history file: every play goes to `sink` in batches (it returns `false` to
/// stop); returns what was counted. `known` links names-only entries (account data) to the
/// user's known tracks: `(artist, track) → track key`. `now_ms` (Unix milliseconds) tells
/// plays in the future, which are skipped. A file that fails has handed over some batches
/// already: the database side must not keep them (an import stores a file in one
/// transaction).
pub fn parse(
    reader: &mut dyn Read,
    known: &HashMap<(String, String), String>,
    now_ms: i64,
    sink: impl FnMut(Batch) -> bool,
) -> Result<FileTally, ParseError> {
    scan::parse_blocks(reader, scan::BLOCK, known, now_ms, sink)
}
