//! Spotify's personal data export: which files hold listening history, and a streaming parser
//! that walks a file's array one entry at a time (never holding the file), turning each entry
//! into a play to store or a reason to skip it.
//!
//! Formats (SPOTIFY.md): the *extended streaming history* (`Streaming_History_Audio_*.json`,
//! legacy `endsong_N.json`: `ts` is the END of the play, UTC) and the *account data*
//! (`StreamingHistory_music_N.json`, older `StreamingHistoryN.json`: `endTime` "YYYY-MM-DD HH:MM"
//! UTC, names only). Podcast, audiobook and video files are recognised and skipped.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Read};

use serde::Deserialize;
use serde::de::{self, IgnoredAny, SeqAccess, Visitor};

use super::time::{DAY_MS, parse_end_time, parse_utc_timestamp};
use crate::store::{ImportCounts, NewPlay, TrackFacts, TrackName, name_key};

/// Plays shorter than this are not counted (the rule of Spotify's own charts and of peers).
pub const MIN_PLAY_MS: i64 = 30_000;

/// The earliest a play can have ended: 2006-01-01 00:00 UTC, in Unix milliseconds. Spotify was
/// founded in 2006 (and launched in 2008); an earlier time is a device's broken clock.
pub const EARLIEST_PLAY_MS: i64 = 1_136_073_600_000;

/// The longest a play can last: a day. Longer is a broken clock or a corrupt entry.
pub const MAX_PLAY_MS: i64 = DAY_MS;

/// The most one entry of a history file may take. A real entry is under 2 KB (its longest
/// values are names and URIs), but the parser holds a whole entry in memory: without a limit,
/// one endless entry in a small zip (a few megabytes unzip to gigabytes) would grow it until
/// the server runs out of memory.
pub const MAX_ENTRY_BYTES: usize = 1 << 20;

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

/// One entry of any history file; every field optional so one struct reads every format, and
/// a field of the wrong type is an error with its position.
#[derive(Deserialize)]
struct Entry {
    ts: Option<String>,
    ms_played: Option<i64>,
    master_metadata_track_name: Option<String>,
    master_metadata_album_artist_name: Option<String>,
    master_metadata_album_album_name: Option<String>,
    spotify_track_uri: Option<String>,
    episode_name: Option<IgnoredAny>,
    episode_show_name: Option<IgnoredAny>,
    spotify_episode_uri: Option<IgnoredAny>,
    audiobook_title: Option<IgnoredAny>,
    audiobook_uri: Option<IgnoredAny>,
    audiobook_chapter_uri: Option<IgnoredAny>,
    incognito_mode: Option<bool>,
    #[serde(rename = "endTime")]
    end_time: Option<String>,
    #[serde(rename = "artistName")]
    artist_name: Option<String>,
    #[serde(rename = "trackName")]
    track_name: Option<String>,
    #[serde(rename = "msPlayed")]
    ms_played_account: Option<i64>,
    #[serde(rename = "podcastName")]
    podcast_name: Option<IgnoredAny>,
    #[serde(rename = "episodeName")]
    episode_name_account: Option<IgnoredAny>,
    #[serde(rename = "audiobookName")]
    audiobook_name: Option<IgnoredAny>,
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Malformed or truncated JSON, or a field of the wrong type, at a position.
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
                "entry {entry} of the file's list is larger than {} MiB: not a Spotify export \
                 entry (a play takes less than 2 KB)",
                MAX_ENTRY_BYTES >> 20
            ),
            Self::Read(why) => write!(f, "the file could not be read: {why}"),
            Self::Stopped => write!(f, "the import stopped"),
        }
    }
}

/// What the parser hands to the database side.
pub enum Parsed {
    /// A batch of plays of one kind, with the names of the tracks first named in this batch
    /// (the writer matches plays with another export's records of them by names).
    Plays(FileKind, Vec<NewPlay>, Vec<TrackName>),
}

/// The end of a file: what was counted and the tracks it named.
#[derive(Debug, Default)]
pub struct FileTally {
    /// The kind the content showed (`None` for an empty array).
    pub kind: Option<FileKind>,
    pub counts: ImportCounts,
    /// Plays handed over (before duplicates are known).
    pub plays: i64,
    pub tracks: Vec<TrackFacts>,
    /// Earliest and latest play handed over.
    pub span: Option<(i64, i64)>,
}

/// Plays per batch handed to the database side.
pub const BATCH: usize = 10_000;

struct State<'a, S> {
    known: &'a HashMap<(String, String), String>,
    /// The latest a play can have ended (a day after now: clocks and time zones differ).
    latest_ms: i64,
    sink: S,
    batch: Vec<NewPlay>,
    /// The names of the tracks first seen since the last batch was handed over.
    names: Vec<TrackName>,
    tally: FileTally,
    tracks: HashMap<String, TrackFacts>,
    index: usize,
}

impl<'a, S: FnMut(Parsed) -> bool> State<'a, S> {
    fn new(known: &'a HashMap<(String, String), String>, now_ms: i64, sink: S) -> Self {
        State {
            known,
            latest_ms: now_ms.saturating_add(DAY_MS),
            sink,
            batch: Vec::with_capacity(BATCH),
            names: Vec::new(),
            tally: FileTally::default(),
            tracks: HashMap::new(),
            index: 0,
        }
    }

    fn flush(&mut self) -> Result<(), String> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let kind = self.tally.kind.unwrap_or(FileKind::Extended);
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        let names = std::mem::take(&mut self.names);
        if (self.sink)(Parsed::Plays(kind, batch, names)) {
            Ok(())
        } else {
            Err(STOPPED.to_owned())
        }
    }

    fn set_kind(&mut self, kind: FileKind) -> Result<(), String> {
        match self.tally.kind {
            None => {
                self.tally.kind = Some(kind);
                Ok(())
            }
            Some(current) if current == kind => Ok(()),
            Some(current) => Err(format!(
                "{NOT_EXPORT}entry {} is {} but the file began as {}",
                self.index,
                kind.label(),
                current.label()
            )),
        }
    }

    /// Whether a play ending at `played_at` and lasting `ms` can have happened. Exports hold a
    /// few that can't (a device's broken clock): they are skipped and counted, the file kept.
    fn possible(&self, played_at: i64, ms: i64) -> bool {
        (EARLIEST_PLAY_MS..=self.latest_ms).contains(&played_at) && (0..=MAX_PLAY_MS).contains(&ms)
    }

    fn entry(&mut self, entry: Entry) -> Result<(), String> {
        self.index += 1;
        if let Some(ts) = &entry.ts {
            self.set_kind(FileKind::Extended)?;
            let Some(played_at) = parse_utc_timestamp(ts) else {
                return Err(format!(
                    "entry {}: ts {ts:?} is not a date and time",
                    self.index
                ));
            };
            let ms = entry
                .ms_played
                .ok_or_else(|| format!("entry {} has no ms_played", self.index))?;
            if !self.possible(played_at, ms) {
                self.tally.counts.impossible_skipped += 1;
                return Ok(());
            }
            let track = entry.master_metadata_track_name.filter(|n| !n.is_empty());
            let artist = entry
                .master_metadata_album_artist_name
                .filter(|n| !n.is_empty());
            let counts = &mut self.tally.counts;
            let (Some(track), Some(artist)) = (track, artist) else {
                if entry.episode_name.is_some()
                    || entry.episode_show_name.is_some()
                    || entry.spotify_episode_uri.is_some()
                    || entry.audiobook_title.is_some()
                    || entry.audiobook_uri.is_some()
                    || entry.audiobook_chapter_uri.is_some()
                {
                    counts.other_skipped += 1;
                } else {
                    counts.no_track += 1;
                }
                return Ok(());
            };
            if entry.incognito_mode == Some(true) {
                counts.incognito_skipped += 1;
                return Ok(());
            }
            if ms < MIN_PLAY_MS {
                counts.short_skipped += 1;
                return Ok(());
            }
            let track_id = entry
                .spotify_track_uri
                .as_deref()
                .and_then(|uri| uri.strip_prefix("spotify:track:"))
                .filter(|id| !id.is_empty())
                .map(str::to_owned);
            self.play(
                played_at,
                ms,
                track_id,
                track,
                artist,
                entry.master_metadata_album_album_name,
            )
        } else if let Some(end_time) = &entry.end_time {
            let Some(played_at) = parse_end_time(end_time) else {
                return Err(format!(
                    "entry {}: endTime {end_time:?} is not a date and time",
                    self.index
                ));
            };
            if entry.podcast_name.is_some() || entry.episode_name_account.is_some() {
                self.set_kind(FileKind::Podcast)?;
                self.tally.counts.other_skipped += 1;
                return Ok(());
            }
            if entry.audiobook_name.is_some() {
                self.set_kind(FileKind::Audiobook)?;
                self.tally.counts.other_skipped += 1;
                return Ok(());
            }
            self.set_kind(FileKind::AccountMusic)?;
            let ms = entry
                .ms_played_account
                .ok_or_else(|| format!("entry {} has no msPlayed", self.index))?;
            if !self.possible(played_at, ms) {
                self.tally.counts.impossible_skipped += 1;
                return Ok(());
            }
            let (Some(track), Some(artist)) = (
                entry.track_name.filter(|n| !n.is_empty()),
                entry.artist_name.filter(|n| !n.is_empty()),
            ) else {
                self.tally.counts.no_track += 1;
                return Ok(());
            };
            if ms < MIN_PLAY_MS {
                self.tally.counts.short_skipped += 1;
                return Ok(());
            }
            self.play(played_at, ms, None, track, artist, None)
        } else {
            Err(format!(
                "{NOT_EXPORT}entry {} has neither “ts” nor “endTime”",
                self.index
            ))
        }
    }

    fn play(
        &mut self,
        played_at: i64,
        ms_played: i64,
        track_id: Option<String>,
        track: String,
        artist: String,
        album: Option<String>,
    ) -> Result<(), String> {
        let track_key = match &track_id {
            Some(id) => id.clone(),
            None => match self.known.get(&(artist.clone(), track.clone())) {
                Some(id) => id.clone(),
                None => name_key(&artist, &track),
            },
        };
        match self.tracks.get_mut(&track_key) {
            Some(facts) => facts.first_played_at = facts.first_played_at.min(played_at),
            None => {
                self.names.push(TrackName {
                    track_key: track_key.clone(),
                    artist_name: artist.clone(),
                    name: track.clone(),
                });
                self.tracks.insert(
                    track_key.clone(),
                    TrackFacts {
                        track_key: track_key.clone(),
                        track_id,
                        name: track,
                        artist_name: artist,
                        album_name: album,
                        artist_ids: None,
                        duration_ms: None,
                        first_played_at: played_at,
                    },
                );
            }
        }
        self.tally.span = Some(match self.tally.span {
            None => (played_at, played_at),
            Some((a, b)) => (a.min(played_at), b.max(played_at)),
        });
        self.tally.plays += 1;
        self.batch.push(NewPlay {
            track_key,
            played_at,
            ms_played,
        });
        if self.batch.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }
}

const STOPPED: &str = "\u{0}stopped";
const NOT_EXPORT: &str = "\u{0}not-export:";

struct PlaysVisitor<'s, 'k, S> {
    state: &'s mut State<'k, S>,
}

impl<'de, S: FnMut(Parsed) -> bool> Visitor<'de> for PlaysVisitor<'_, '_, S> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of plays (a Spotify streaming history file)")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(entry) = seq.next_element::<Entry>()? {
            self.state.entry(entry).map_err(de::Error::custom)?;
        }
        self.state.flush().map_err(de::Error::custom)
    }
}

/// The UTF-8 byte order mark. Editors on Windows put it at the start of files they save, and
/// JSON parsers refuse it, so a file opened and saved again there would otherwise fail.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `reader` without a leading [`BOM`].
fn without_bom<R: Read>(mut reader: R) -> io::Result<impl Read> {
    let mut head = [0u8; 3];
    let mut filled = 0;
    while filled < head.len() {
        match reader.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    let kept = if head[..filled] == *BOM { 0 } else { filled };
    Ok(io::Cursor::new(head[..kept].to_vec()).chain(reader))
}

/// Streams one history file: every play goes to `sink` in batches (it returns `false` to
/// stop); returns the counts and the tracks the file named. `known` links names-only entries
/// (account data) to the user's known tracks: `(artist, track) → track key`. `now_ms` (Unix
/// milliseconds) tells plays in the future, which are skipped.
pub fn parse<R: Read>(
    reader: R,
    known: &HashMap<(String, String), String>,
    now_ms: i64,
    sink: impl FnMut(Parsed) -> bool,
) -> Result<FileTally, ParseError> {
    let mut state = State::new(known, now_ms, sink);
    let reader = without_bom(reader).map_err(|err| ParseError::Read(err.to_string()))?;
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let result =
        de::Deserializer::deserialize_seq(&mut deserializer, PlaysVisitor { state: &mut state })
            .and_then(|()| deserializer.end());
    if let Err(error) = result {
        return Err(classify(error));
    }
    let mut tally = state.tally;
    let mut tracks: Vec<TrackFacts> = state.tracks.into_values().collect();
    tracks.sort_by(|a, b| a.track_key.cmp(&b.track_key));
    tally.tracks = tracks;
    Ok(tally)
}

/// Why the fast reading of a file stopped short.
enum Fast {
    /// The sink asked to stop.
    Stopped,
    /// Something is wrong with the file: [`parse`] reads it again to say what, and where.
    Broken,
    /// The file can't be read, or is wrong in a way this reading can say itself.
    Failed(ParseError),
}

/// Why a file whose top level is not an array is refused.
const NOT_A_LIST: &str = "it holds no list of plays (its top level is not a JSON array)";

/// Streams one history file like [`parse`], three times faster: the file is read in large
/// blocks and each entry is parsed from the block (serde_json parses a slice far faster than a
/// reader). `open(run)` opens the file and hands `run` a reader. A file with an error is opened
/// and read again by [`parse`], so errors are the ones [`parse`] gives, positions included.
pub fn parse_file(
    open: impl Fn(&mut dyn FnMut(&mut dyn Read)) -> Result<(), ParseError>,
    known: &HashMap<(String, String), String>,
    now_ms: i64,
    sink: impl FnMut(Parsed) -> bool,
) -> Result<FileTally, ParseError> {
    let mut sink = sink;
    let mut outcome = None;
    open(&mut |reader| outcome = Some(parse_blocks(reader, BLOCK, known, now_ms, &mut sink)))?;
    match outcome {
        Some(Ok(tally)) => Ok(tally),
        Some(Err(Fast::Stopped)) => Err(ParseError::Stopped),
        Some(Err(Fast::Failed(error))) => Err(error),
        Some(Err(Fast::Broken)) | None => {
            // parse holds a whole string in memory where the first reading holds an entry, but
            // it stops at the same error, before which the first reading found no entry longer
            // than MAX_ENTRY_BYTES (and no string at the top level).
            let mut located = None;
            open(&mut |reader| located = Some(parse(reader, known, now_ms, |_| true)))?;
            match located {
                Some(Err(error)) => Err(error),
                _ => Err(ParseError::Read(
                    "the file read differently the second time".into(),
                )),
            }
        }
    }
}

/// Bytes read at a time by [`parse_file`]; a block grows to hold an entry longer than this.
const BLOCK: usize = 1 << 20;

/// A reader's bytes, a block at a time.
struct Blocks<'r> {
    reader: &'r mut dyn Read,
    buf: Vec<u8>,
    /// The unread bytes are `buf[start..end]`.
    start: usize,
    end: usize,
    eof: bool,
}

impl Blocks<'_> {
    /// Reads more, keeping the unread bytes (and growing when they fill the block).
    fn fill(&mut self) -> Result<(), Fast> {
        if self.eof {
            return Err(Fast::Broken);
        }
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                Err(err) => return Err(Fast::Failed(ParseError::Read(err.to_string()))),
            }
        }
    }

    /// Skips a [`BOM`] at the start.
    fn skip_bom(&mut self) -> Result<(), Fast> {
        while self.end - self.start < BOM.len() && !self.eof {
            self.fill()?;
        }
        if self.buf[self.start..self.end].starts_with(BOM) {
            self.start += BOM.len();
        }
        Ok(())
    }

    /// The next byte that is not JSON whitespace (not consumed), or `None` at the end.
    fn peek(&mut self) -> Result<Option<u8>, Fast> {
        loop {
            while self.start < self.end {
                match self.buf[self.start] {
                    b' ' | b'\n' | b'\t' | b'\r' => self.start += 1,
                    byte => return Ok(Some(byte)),
                }
            }
            if self.eof {
                return Ok(None);
            }
            self.fill()?;
        }
    }

    /// The next entry (the block is read further when it ends inside one), or `Ok(None)` when
    /// it is longer than [`MAX_ENTRY_BYTES`].
    fn entry(&mut self) -> Result<Option<Entry>, Fast> {
        self.peek()?;
        loop {
            let mut stream = serde_json::Deserializer::from_slice(&self.buf[self.start..self.end])
                .into_iter::<Entry>();
            match stream.next() {
                Some(Ok(entry)) => {
                    self.start += stream.byte_offset();
                    return Ok(Some(entry));
                }
                Some(Err(error)) if error.is_eof() && !self.eof => {
                    if self.end - self.start >= MAX_ENTRY_BYTES {
                        return Ok(None);
                    }
                    self.fill()?
                }
                None if !self.eof => self.fill()?,
                _ => return Err(Fast::Broken),
            }
        }
    }
}

/// [`parse_file`]'s reading: the array of entries, block by block.
fn parse_blocks<S: FnMut(Parsed) -> bool>(
    reader: &mut dyn Read,
    block: usize,
    known: &HashMap<(String, String), String>,
    now_ms: i64,
    sink: S,
) -> Result<FileTally, Fast> {
    let mut state = State::new(known, now_ms, sink);
    let mut blocks = Blocks {
        reader,
        buf: vec![0; block.max(1)],
        start: 0,
        end: 0,
        eof: false,
    };
    let stopped = |error: String| {
        if error == STOPPED {
            Fast::Stopped
        } else {
            Fast::Broken
        }
    };
    blocks.skip_bom()?;
    match blocks.peek()? {
        Some(b'[') => {}
        // parse would read all of a string to quote it in its error, however long.
        Some(b'"') => return Err(Fast::Failed(ParseError::NotAnExport(NOT_A_LIST.into()))),
        _ => return Err(Fast::Broken),
    }
    blocks.start += 1;
    if blocks.peek()? == Some(b']') {
        blocks.start += 1;
    } else {
        loop {
            let Some(entry) = blocks.entry()? else {
                return Err(Fast::Failed(ParseError::EntryTooLarge(state.index + 1)));
            };
            state.entry(entry).map_err(stopped)?;
            match blocks.peek()? {
                Some(b',') => blocks.start += 1,
                Some(b']') => {
                    blocks.start += 1;
                    break;
                }
                _ => return Err(Fast::Broken),
            }
        }
    }
    if blocks.peek()?.is_some() {
        return Err(Fast::Broken);
    }
    state.flush().map_err(stopped)?;
    let mut tally = state.tally;
    let mut tracks: Vec<TrackFacts> = state.tracks.into_values().collect();
    tracks.sort_by(|a, b| a.track_key.cmp(&b.track_key));
    tally.tracks = tracks;
    Ok(tally)
}

fn classify(error: serde_json::Error) -> ParseError {
    use serde_json::error::Category;
    let text = error.to_string();
    if text.contains(STOPPED) {
        return ParseError::Stopped;
    }
    if let Some(at) = text.find(NOT_EXPORT) {
        let why = &text[at + NOT_EXPORT.len()..];
        return ParseError::NotAnExport(why.to_owned());
    }
    let (line, column) = (error.line(), error.column());
    match error.classify() {
        Category::Io => ParseError::Read(text),
        Category::Eof => ParseError::Json {
            message: "unexpected end of file".into(),
            line,
            column,
            truncated: true,
        },
        Category::Data
            if text.starts_with("invalid type: map, expected a list of plays")
                || text.starts_with("invalid type: string")
                    && text.contains("expected a list of plays")
                || text.contains("expected a list of plays") =>
        {
            ParseError::NotAnExport(NOT_A_LIST.into())
        }
        Category::Syntax | Category::Data => {
            // serde_json appends " at line L column C": the position is given separately.
            let message = match text.rfind(" at line ") {
                Some(cut) => text[..cut].to_owned(),
                None => text,
            };
            ParseError::Json {
                message,
                line,
                column,
                truncated: false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/fixtures/spotify/export/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    /// The tests' now: 2026-01-01.
    fn now() -> i64 {
        parse_utc_timestamp("2026-01-01T00:00:00Z").unwrap()
    }

    fn run(bytes: &[u8]) -> (Result<FileTally, ParseError>, Vec<NewPlay>) {
        let mut plays = Vec::new();
        let known = HashMap::new();
        let result = parse(bytes, &known, now(), |Parsed::Plays(_, batch, _)| {
            plays.extend(batch);
            true
        });
        (result, plays)
    }

    #[test]
    fn file_names_tell_the_kind() {
        use FileKind::*;
        for (name, kind) in [
            (
                "Spotify Extended Streaming History/Streaming_History_Audio_2019-2021_3.json",
                Some(Extended),
            ),
            ("MyData/endsong_0.json", Some(Extended)),
            (
                "Spotify Extended Streaming History/Streaming_History_Video_2020-2024.json",
                Some(Video),
            ),
            (
                "Spotify Account Data/StreamingHistory_music_3.json",
                Some(AccountMusic),
            ),
            ("MyData/StreamingHistory0.json", Some(AccountMusic)),
            (
                "Spotify Account Data/StreamingHistory_podcast_0.json",
                Some(Podcast),
            ),
            ("Spotify Account Data/Userdata.json", None),
            ("Spotify Account Data/ReadMeFirst.pdf", None),
        ] {
            assert_eq!(kind_from_name(name), kind, "{name}");
        }
    }

    #[test]
    fn file_names_tell_the_series_and_number() {
        for (name, series) in [
            (
                "Spotify Extended Streaming History/Streaming_History_Audio_2020-2021_3.json",
                Some(("streaming_history_audio_", 3)),
            ),
            (
                "Streaming_History_Audio_2022_12.json",
                Some(("streaming_history_audio_", 12)),
            ),
            ("MyData/endsong_0.json", Some(("endsong_", 0))),
            (
                "StreamingHistory_music_0.json",
                Some(("streaminghistory_music_", 0)),
            ),
            (
                "MyData/StreamingHistory1.json",
                Some(("streaminghistory", 1)),
            ),
            ("Streaming_History_Audio_2020.json", None),
            ("Streaming_History_Audio_2020-2021.json", None),
            ("StreamingHistory_music_0 (1).json", None),
            ("notes.txt", None),
        ] {
            assert_eq!(
                series_of(name),
                series.map(|(s, n)| (s.to_owned(), n)),
                "{name}"
            );
        }
    }

    #[test]
    fn extended_history_current_format() {
        let (tally, plays) = run(&fixture(
            "extended_Streaming_History_Audio_format2023plus.json",
        ));
        let tally = tally.unwrap();
        assert_eq!(tally.kind, Some(FileKind::Extended));
        let counts = tally.counts;
        assert_eq!(tally.plays as usize, plays.len());
        assert_eq!(
            plays.len() as i64
                + counts.short_skipped
                + counts.incognito_skipped
                + counts.no_track
                + counts.other_skipped,
            5
        );
        assert!(
            counts.short_skipped >= 1,
            "the 2.4 s play is short: {counts:?}"
        );
        let monsters = plays
            .iter()
            .find(|p| p.track_key == "50DMJJpAeQv4fIpxZvQz2e")
            .unwrap();
        assert_eq!(
            monsters.played_at,
            parse_utc_timestamp("2023-03-19T18:31:37Z").unwrap()
        );
        assert_eq!(monsters.ms_played, 174_424);
        let facts = tally
            .tracks
            .iter()
            .find(|t| t.track_key == "50DMJJpAeQv4fIpxZvQz2e")
            .unwrap();
        assert_eq!(facts.artist_name, "All Time Low");
        assert_eq!(facts.track_id.as_deref(), Some("50DMJJpAeQv4fIpxZvQz2e"));
    }

    #[test]
    fn extended_history_legacy_endsong_with_null_flags() {
        let (tally, plays) = run(&fixture("extended_endsong_0_legacy_format.json"));
        let tally = tally.unwrap();
        assert_eq!(tally.kind, Some(FileKind::Extended));
        assert!(
            plays
                .iter()
                .any(|p| p.track_key == "6pHLEjP6LdsoP31jZDNc6e")
        );
        assert_eq!(
            tally.plays
                + tally.counts.short_skipped
                + tally.counts.incognito_skipped
                + tally.counts.no_track
                + tally.counts.other_skipped,
            5
        );
    }

    #[test]
    fn account_data_music_has_names_only() {
        let (tally, plays) = run(&fixture("account_StreamingHistory_music_3.json"));
        let tally = tally.unwrap();
        assert_eq!(tally.kind, Some(FileKind::AccountMusic));
        assert_eq!(
            tally.plays + tally.counts.short_skipped + tally.counts.no_track,
            150
        );
        let first = &plays[0];
        assert_eq!(first.track_key, name_key("結束バンド", "月並みに輝け"));
        assert_eq!(first.played_at, parse_end_time("2024-09-23 07:36").unwrap());
        assert!(tally.tracks.iter().all(|t| t.track_id.is_none()));
    }

    #[test]
    fn account_entries_link_to_known_tracks_by_exact_names() {
        let mut known = HashMap::new();
        known.insert(
            ("結束バンド".to_owned(), "月並みに輝け".to_owned()),
            "ID1".to_owned(),
        );
        let mut plays = Vec::new();
        parse(
            &fixture("account_StreamingHistory_music_3.json")[..],
            &known,
            now(),
            |Parsed::Plays(_, b, _)| {
                plays.extend(b);
                true
            },
        )
        .unwrap();
        assert_eq!(plays[0].track_key, "ID1");
        assert!(plays.iter().any(|p| p.track_key.starts_with('~')));
    }

    #[test]
    fn podcasts_are_recognised_and_skipped() {
        let (tally, plays) = run(&fixture("account_StreamingHistory_podcast_0.json"));
        let tally = tally.unwrap();
        assert_eq!(tally.kind, Some(FileKind::Podcast));
        assert!(plays.is_empty());
        assert!(tally.counts.other_skipped > 0);
    }

    #[test]
    fn broken_input_is_located() {
        let mut truncated = fixture("extended_endsong_0_legacy_format.json");
        truncated.truncate(truncated.len() / 2);
        match run(&truncated).0 {
            Err(ParseError::Json {
                truncated: true,
                line,
                ..
            }) => assert!(line > 10),
            other => panic!("{other:?}"),
        }
        let wrong = br#"[{"ts": "2024-01-01T00:00:00Z", "ms_played": "lots"}]"#;
        match run(wrong).0 {
            Err(ParseError::Json {
                message,
                line: 1,
                column,
                truncated: false,
            }) => {
                assert!(message.contains("invalid type: string"), "{message}");
                assert!(column > 30, "{column}");
            }
            other => panic!("{other:?}"),
        }
        let syntax = b"[\n{\"ts\": \"2024-01-01T00:00:00Z\",, }]";
        assert!(matches!(
            run(syntax).0,
            Err(ParseError::Json {
                line: 2,
                truncated: false,
                ..
            })
        ));
        assert!(matches!(
            run(br#"{"userName": "x"}"#).0,
            Err(ParseError::NotAnExport(_))
        ));
        match run(br#"[{"name": "Liked Songs"}]"#).0 {
            Err(ParseError::NotAnExport(why)) => assert!(why.contains("entry 1"), "{why}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            run(b"").0,
            Err(ParseError::Json {
                truncated: true,
                ..
            })
        ));
        let (empty, _) = run(b" [ ] ");
        assert_eq!(empty.unwrap().kind, None);
    }

    /// A reader handing out a few bytes at a time.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    /// `parse_file` over bytes, with a given block size and read size.
    fn run_blocks(
        bytes: &[u8],
        block: usize,
        trickle: usize,
    ) -> (Result<FileTally, ParseError>, Vec<NewPlay>) {
        let known = HashMap::new();
        let mut plays = Vec::new();
        let mut sink = |Parsed::Plays(_, batch, _)| {
            plays.extend(batch);
            true
        };
        let outcome = parse_blocks(
            &mut Trickle(bytes, trickle),
            block,
            &known,
            now(),
            &mut sink,
        );
        let result = match outcome {
            Ok(tally) => Ok(tally),
            Err(Fast::Stopped) => Err(ParseError::Stopped),
            Err(Fast::Failed(error)) => Err(error),
            Err(Fast::Broken) => match parse(bytes, &known, now(), |_| true) {
                Err(error) => Err(error),
                Ok(_) => panic!("the block reading failed a file parse reads"),
            },
        };
        // parse_file itself agrees.
        let open = |run: &mut dyn FnMut(&mut dyn Read)| {
            run(&mut Trickle(bytes, trickle));
            Ok(())
        };
        let whole = parse_file(open, &known, now(), |_| true);
        assert_eq!(whole.is_ok(), result.is_ok());
        if let (Err(a), Err(b)) = (&whole, &result) {
            assert_eq!(a, b);
        }
        (result, plays)
    }

    fn same_tally(a: &FileTally, b: &FileTally) {
        assert_eq!(
            (a.kind, a.counts, a.plays, &a.tracks, a.span),
            (b.kind, b.counts, b.plays, &b.tracks, b.span)
        );
    }

    #[test]
    fn block_reading_equals_parse_on_every_fixture() {
        for name in [
            "extended_Streaming_History_Audio_format2023plus.json",
            "extended_endsong_0_legacy_format.json",
            "account_StreamingHistory_music_3.json",
            "account_StreamingHistory_podcast_0.json",
        ] {
            let bytes = fixture(name);
            let (expected, expected_plays) = run(&bytes);
            let expected = expected.unwrap();
            for (block, trickle) in [(BLOCK, usize::MAX), (1, 1), (7, 3), (64, 1000), (300, 17)] {
                let (tally, plays) = run_blocks(&bytes, block, trickle);
                same_tally(&tally.unwrap(), &expected);
                assert_eq!(plays, expected_plays, "{name} in blocks of {block}");
            }
        }
    }

    #[test]
    fn block_reading_reports_what_parse_reports() {
        let good = fixture("extended_endsong_0_legacy_format.json");
        let mut broken: Vec<Vec<u8>> = Vec::new();
        // Cut anywhere, and bytes replaced anywhere.
        for cut in (0..good.len()).step_by(7) {
            broken.push(good[..cut].to_vec());
        }
        for (at, byte) in (0..good.len()).step_by(11).zip(
            [b'x', b'"', b',', b']', b'}', b'{', b'0', b' ']
                .iter()
                .cycle(),
        ) {
            let mut bytes = good.clone();
            bytes[at] = *byte;
            broken.push(bytes);
        }
        broken.push(br#"[{"ts": "2024-01-01T00:00:00Z", "ms_played": "lots"}]"#.to_vec());
        broken.push(b"[\n{\"ts\": \"2024-01-01T00:00:00Z\",, }]".to_vec());
        broken.push(br#"{"userName": "x"}"#.to_vec());
        broken.push(br#"[{"name": "Liked Songs"}]"#.to_vec());
        broken.push(br#"[1, 2]"#.to_vec());
        broken.push(br#"[{"ts":"2024-01-01T00:00:00Z","ms_played":1},]"#.to_vec());
        broken.push(br#"[] x"#.to_vec());
        broken.push(b"\xEF\xBB\xBF[1]".to_vec());
        broken.push(b"\xEF\xBB\xBF".to_vec());
        broken.push(b"\xEF\xBB[]".to_vec());
        broken.push(b" \xEF\xBB\xBF[]".to_vec());
        broken.push(b"".to_vec());
        broken.push(b"   ".to_vec());
        for bytes in &broken {
            let (expected, expected_plays) = run(bytes);
            for (block, trickle) in [(BLOCK, usize::MAX), (5, 2), (64, 64)] {
                let (result, plays) = run_blocks(bytes, block, trickle);
                match (&result, &expected) {
                    (Ok(a), Ok(b)) => same_tally(a, b),
                    (a, b) => assert_eq!(
                        a.as_ref().err(),
                        b.as_ref().err(),
                        "{}",
                        String::from_utf8_lossy(bytes)
                    ),
                }
                if expected.is_ok() {
                    assert_eq!(plays, expected_plays);
                }
            }
        }
    }

    /// `parse_file` over `head`, `huge` bytes of `A` and `tail`; with the fewest bytes a reading
    /// of it left unread.
    fn parse_endless(head: &[u8], huge: u64, tail: &[u8]) -> (Result<FileTally, ParseError>, u64) {
        let left = std::cell::Cell::new(u64::MAX);
        let open = |run: &mut dyn FnMut(&mut dyn Read)| {
            let mut reader = head.chain(io::repeat(b'A').take(huge)).chain(tail);
            run(&mut reader);
            let unread = io::copy(&mut reader, &mut io::sink()).unwrap();
            left.set(left.get().min(unread));
            Ok(())
        };
        let result = parse_file(open, &HashMap::new(), now(), |_| true);
        (result, left.get())
    }

    #[test]
    fn an_entry_over_the_limit_fails_the_file_and_is_read_no_further() {
        let play = r#"{"ts":"2020-01-01T10:00:00Z","ms_played":40000,"master_metadata_track_name":"A","master_metadata_album_artist_name":"X","spotify_track_uri":"spotify:track:aaa"}"#;
        // Entry 3 of 64 MiB (as in a zip bomb), after two plays.
        let head =
            format!(r#"[{play}, {play}, {{"ts":"2020-01-01T10:00:00Z","ms_played":40000,"x":""#);
        let huge = 64 << 20;
        let (result, left) = parse_endless(head.as_bytes(), huge, b"\"}]");
        assert_eq!(result.unwrap_err(), ParseError::EntryTooLarge(3));
        assert!(
            left > huge - (8 << 20),
            "only {left} bytes were left unread"
        );
        assert_eq!(
            ParseError::EntryTooLarge(3).to_string(),
            "entry 3 of the file's list is larger than 1 MiB: not a Spotify export entry \
             (a play takes less than 2 KB)"
        );

        // Just under the limit is an entry like any other, in blocks of any size.
        let padding = "A".repeat(MAX_ENTRY_BYTES - play.len() - 20);
        let large = format!(r#"[{}, "x":"{padding}"}}]"#, &play[..play.len() - 1]);
        assert!(large.len() < MAX_ENTRY_BYTES);
        for (block, trickle) in [(BLOCK, usize::MAX), (7, 1 << 16)] {
            let (tally, plays) = run_blocks(large.as_bytes(), block, trickle);
            assert_eq!(tally.unwrap().plays, 1);
            assert_eq!(plays.len(), 1);
        }

        // A string at the top level, which the second reading would hold whole to quote it.
        let (result, left) = parse_endless(b"\"", huge, b"\"");
        assert!(
            matches!(result, Err(ParseError::NotAnExport(_))),
            "{result:?}"
        );
        assert!(
            left > huge - (8 << 20),
            "only {left} bytes were left unread"
        );
    }

    #[test]
    fn a_leading_byte_order_mark_is_skipped() {
        for name in [
            "extended_Streaming_History_Audio_format2023plus.json",
            "account_StreamingHistory_music_3.json",
        ] {
            let plain = fixture(name);
            let marked = [BOM, &plain[..]].concat();
            let (expected, expected_plays) = run(&plain);
            let expected = expected.unwrap();
            assert!(!expected_plays.is_empty());
            let (tally, plays) = run(&marked);
            same_tally(&tally.unwrap(), &expected);
            assert_eq!(plays, expected_plays);
            for (block, trickle) in [(BLOCK, usize::MAX), (1, 1), (2, 1), (7, 3)] {
                let (tally, plays) = run_blocks(&marked, block, trickle);
                same_tally(&tally.unwrap(), &expected);
                assert_eq!(plays, expected_plays, "{name} in blocks of {block}");
            }
        }
        let (empty, _) = run_blocks(b"\xEF\xBB\xBF [ ]", 1, 1);
        assert_eq!(empty.unwrap().kind, None);
    }

    #[test]
    fn plays_at_impossible_times_or_of_impossible_lengths_are_skipped_and_counted() {
        assert_eq!(
            Some(EARLIEST_PLAY_MS),
            parse_utc_timestamp("2006-01-01T00:00:00Z")
        );
        let play = |ts: &str, ms: &str| {
            format!(
                r#"{{"ts":"{ts}","ms_played":{ms},"master_metadata_track_name":"A","master_metadata_album_artist_name":"X","spotify_track_uri":"spotify:track:aaa"}}"#
            )
        };
        let entries = [
            play("2020-05-01T10:00:00Z", "200000"),
            play("0001-01-01T00:00:00Z", "200000"),
            play("9999-12-31T23:59:59Z", "200000"),
            play("2020-05-01T11:00:00Z", "9000000000000000000"),
            play("2020-05-01T12:00:00Z", "-200000"),
            play("2005-12-31T23:59:59Z", "200000"),
            // Now is 2026-01-01: a day ahead is a clock or time zone off, not impossible.
            play("2026-01-01T23:00:00Z", "200000"),
            play("2026-01-02T00:00:01Z", "200000"),
            play("2020-05-01T13:00:00Z", "86400000"),
            play("2020-05-01T14:00:00Z", "86400001"),
        ];
        let json = format!("[{}]", entries.join(",\n"));
        let (tally, plays) = run(json.as_bytes());
        let tally = tally.unwrap();
        assert_eq!(tally.counts.impossible_skipped, 7, "{:?}", tally.counts);
        let times: Vec<i64> = plays.iter().map(|p| p.played_at).collect();
        let at = |ts| parse_utc_timestamp(ts).unwrap();
        assert_eq!(
            times,
            [
                at("2020-05-01T10:00:00Z"),
                at("2026-01-01T23:00:00Z"),
                at("2020-05-01T13:00:00Z")
            ]
        );
        assert_eq!(
            tally.span,
            Some((at("2020-05-01T10:00:00Z"), at("2026-01-01T23:00:00Z")))
        );
        let (blocks, _) = run_blocks(json.as_bytes(), 64, 5);
        same_tally(&blocks.unwrap(), &tally);

        // Account data alike.
        let json = br#"[
          {"endTime":"2020-05-01 10:00","artistName":"X","trackName":"A","msPlayed":200000},
          {"endTime":"1970-01-01 00:00","artistName":"X","trackName":"A","msPlayed":200000},
          {"endTime":"2020-05-01 11:00","artistName":"X","trackName":"A","msPlayed":90000000}
        ]"#;
        let (tally, plays) = run(json);
        assert_eq!(tally.unwrap().counts.impossible_skipped, 2);
        assert_eq!(plays.len(), 1);
    }

    #[test]
    fn short_incognito_and_trackless_entries_are_counted() {
        let json = br#"[
          {"ts":"2024-01-01T10:00:00Z","ms_played":200000,"master_metadata_track_name":"A","master_metadata_album_artist_name":"X","spotify_track_uri":"spotify:track:aaa","incognito_mode":false},
          {"ts":"2024-01-01T10:05:00Z","ms_played":20000,"master_metadata_track_name":"A","master_metadata_album_artist_name":"X","spotify_track_uri":"spotify:track:aaa"},
          {"ts":"2024-01-01T10:10:00Z","ms_played":200000,"master_metadata_track_name":"A","master_metadata_album_artist_name":"X","spotify_track_uri":"spotify:track:aaa","incognito_mode":true},
          {"ts":"2024-01-01T10:20:00Z","ms_played":900000,"master_metadata_track_name":null,"master_metadata_album_artist_name":null,"spotify_track_uri":null,"episode_name":"Ep","spotify_episode_uri":"spotify:episode:e"},
          {"ts":"2024-01-01T10:30:00Z","ms_played":60000,"master_metadata_track_name":null,"master_metadata_album_artist_name":null,"spotify_track_uri":null}
        ]"#;
        let (tally, plays) = run(json);
        let tally = tally.unwrap();
        assert_eq!(plays.len(), 1);
        let c = tally.counts;
        assert_eq!(
            (
                c.short_skipped,
                c.incognito_skipped,
                c.other_skipped,
                c.no_track
            ),
            (1, 1, 1, 1)
        );
    }
}
