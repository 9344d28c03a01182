//! One entry of a history file, and what the parser makes of the entries it has read: the
//! counts, the file's kind, and the batch of plays on its way to the database side.

use std::collections::HashMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{
    BATCH, Batch, EARLIEST_PLAY_MS, FileKind, FileTally, MAX_BATCH_TEXT_BYTES, MAX_NAME_BYTES,
    MAX_PLAY_MS, MIN_PLAY_MS,
};
use crate::domain::time::{DAY_MS, parse_end_time, parse_utc_timestamp};
use crate::store::{NewPlay, TrackFacts, name_key};

/// One entry of any history file; every field optional so one struct reads every format, and
/// a field of the wrong type is an error with its position.
#[derive(Deserialize)]
pub(super) struct Entry {
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

/// Why an entry stops the file.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Refusal {
    /// A value that can't be a history's (the position of the entry goes with it).
    Invalid(String),
    /// The file is something else than a streaming history.
    NotAnExport(String),
    /// The database side asked to stop.
    Stopped,
}

/// What the parser has made of a file's entries so far.
pub(super) struct Reading<'a, S> {
    known: &'a HashMap<(String, String), String>,
    /// The latest a play can have ended (a day after now: clocks and time zones differ).
    latest_ms: i64,
    sink: S,
    plays: Vec<NewPlay>,
    /// The tracks of the batch's plays, by key.
    tracks: HashMap<String, TrackFacts>,
    /// Bytes of names held in `tracks`.
    text_bytes: usize,
    pub(super) tally: FileTally,
    /// Entries read, counting from 1.
    pub(super) index: usize,
}

impl<'a, S: FnMut(Batch) -> bool> Reading<'a, S> {
    pub(super) fn new(known: &'a HashMap<(String, String), String>, now_ms: i64, sink: S) -> Self {
        Reading {
            known,
            latest_ms: now_ms.saturating_add(DAY_MS),
            sink,
            plays: Vec::new(),
            tracks: HashMap::new(),
            text_bytes: 0,
            tally: FileTally::default(),
            index: 0,
        }
    }

    /// Hands the batch over.
    pub(super) fn flush(&mut self) -> Result<(), Refusal> {
        if self.plays.is_empty() {
            return Ok(());
        }
        let mut tracks: Vec<TrackFacts> = self.tracks.drain().map(|(_, facts)| facts).collect();
        tracks.sort_unstable_by(|a, b| a.track_key.cmp(&b.track_key));
        self.text_bytes = 0;
        let batch = Batch {
            kind: self.tally.kind.unwrap_or(FileKind::Extended),
            plays: std::mem::take(&mut self.plays),
            tracks,
        };
        if (self.sink)(batch) {
            Ok(())
        } else {
            Err(Refusal::Stopped)
        }
    }

    fn set_kind(&mut self, kind: FileKind) -> Result<(), Refusal> {
        match self.tally.kind {
            None => {
                self.tally.kind = Some(kind);
                Ok(())
            }
            Some(current) if current == kind => Ok(()),
            Some(current) => Err(Refusal::NotAnExport(format!(
                "entry {} is {} but the file began as {}",
                self.index,
                kind.label(),
                current.label()
            ))),
        }
    }

    /// Whether a play ending at `played_at` and lasting `ms` can have happened. Exports hold a
    /// few that can't (a device's broken clock): they are skipped and counted, the file kept.
    fn possible(&self, played_at: i64, ms: i64) -> bool {
        (EARLIEST_PLAY_MS..=self.latest_ms).contains(&played_at) && (0..=MAX_PLAY_MS).contains(&ms)
    }

    /// A name as kept: none when empty, cut to [`MAX_NAME_BYTES`] when longer.
    fn name(&mut self, name: Option<String>) -> Option<String> {
        let mut name = name.filter(|n| !n.is_empty())?;
        if name.len() > MAX_NAME_BYTES {
            const ELLIPSIS: &str = "…";
            let mut cut = MAX_NAME_BYTES - ELLIPSIS.len();
            while !name.is_char_boundary(cut) {
                cut -= 1;
            }
            name.truncate(cut);
            name.push_str(ELLIPSIS);
            // `truncate` keeps the long name's allocation; what is kept must cost what it says.
            name.shrink_to_fit();
            self.tally.names_shortened += 1;
        }
        Some(name)
    }

    /// Reads one entry.
    pub(super) fn entry(&mut self, entry: Entry) -> Result<(), Refusal> {
        self.index += 1;
        if let Some(ts) = &entry.ts {
            self.set_kind(FileKind::Extended)?;
            let Some(played_at) = parse_utc_timestamp(ts) else {
                return Err(Refusal::Invalid(format!(
                    "entry {}: ts {:?} is not a date and time",
                    self.index,
                    short(ts)
                )));
            };
            let Some(ms) = entry.ms_played else {
                return Err(Refusal::Invalid(format!(
                    "entry {} has no ms_played",
                    self.index
                )));
            };
            if !self.possible(played_at, ms) {
                self.tally.counts.impossible_skipped += 1;
                return Ok(());
            }
            let track = self.name(entry.master_metadata_track_name);
            let artist = self.name(entry.master_metadata_album_artist_name);
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
            // A Spotify id is 22 characters; anything far longer is no id, and the play is
            // known by its names instead.
            let track_id = entry
                .spotify_track_uri
                .as_deref()
                .and_then(|uri| uri.strip_prefix("spotify:track:"))
                .filter(|id| !id.is_empty() && id.len() <= 64)
                .map(str::to_owned);
            let album = self.name(entry.master_metadata_album_album_name);
            self.play(played_at, ms, track_id, track, artist, album)
        } else if let Some(end_time) = &entry.end_time {
            let Some(played_at) = parse_end_time(end_time) else {
                return Err(Refusal::Invalid(format!(
                    "entry {}: endTime {:?} is not a date and time",
                    self.index,
                    short(end_time)
                )));
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
            let Some(ms) = entry.ms_played_account else {
                return Err(Refusal::Invalid(format!(
                    "entry {} has no msPlayed",
                    self.index
                )));
            };
            if !self.possible(played_at, ms) {
                self.tally.counts.impossible_skipped += 1;
                return Ok(());
            }
            let track = self.name(entry.track_name);
            let artist = self.name(entry.artist_name);
            let (Some(track), Some(artist)) = (track, artist) else {
                self.tally.counts.no_track += 1;
                return Ok(());
            };
            if ms < MIN_PLAY_MS {
                self.tally.counts.short_skipped += 1;
                return Ok(());
            }
            self.play(played_at, ms, None, track, artist, None)
        } else {
            Err(Refusal::NotAnExport(format!(
                "entry {} has neither “ts” nor “endTime”",
                self.index
            )))
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
    ) -> Result<(), Refusal> {
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
                self.text_bytes += track.len()
                    + artist.len()
                    + album.as_ref().map_or(0, String::len)
                    + 2 * track_key.len();
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
        self.plays.push(NewPlay {
            track_key,
            played_at,
            ms_played,
        });
        if self.plays.len() >= BATCH || self.text_bytes >= MAX_BATCH_TEXT_BYTES {
            self.flush()?;
        }
        Ok(())
    }
}

/// A value quoted in an error: its start, when it is long.
fn short(text: &str) -> String {
    const QUOTED: usize = 40;
    if text.len() <= QUOTED {
        return text.to_owned();
    }
    let mut cut = QUOTED;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &text[..cut])
}
