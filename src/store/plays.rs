//! Listening history: plays, the per-user catalogue of the tracks they name, the summaries that
//! keep the history views fast, coverage, and the queries the views run.
//!
//! Writes go through a [`PlayWriter`]: one transaction per batch of work (an imported file, a
//! poll), so a failure leaves nothing half-written. It adds what its plays add to the monthly
//! summaries (`history_months`, see `store::months`) when it commits: the plays it stored are
//! known exactly (a batch landing where no play is stored is stored whole; elsewhere the
//! database says which plays it added), so the summaries always equal what the plays say, and
//! nothing written is read back.

use std::collections::{BTreeMap, HashMap, HashSet};

use sqlx::{Postgres, Sqlite, Transaction};
use uuid::Uuid;

use super::months::{Counts, bucket_in_month, entries, merge};
use super::{Db, Result, Store, StoreError};
use crate::domain::time::{utc_month_of_ms, utc_month_start_ms};
pub use crate::domain::{name_key, names_of_key};

/// Where a play came from (`plays.source`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PlaySource {
    /// The poller (`/me/player/recently-played`).
    Poller = 1,
    /// The extended streaming history export.
    Extended = 2,
    /// The account-data export (`StreamingHistory*.json`).
    AccountData = 3,
}

impl PlaySource {
    /// The name used in `history_coverage.source`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Poller => "poller",
            Self::Extended => "extended",
            Self::AccountData => "account",
        }
    }

    fn code(self) -> i64 {
        self as i64
    }
}

/// A play to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPlay {
    pub track_key: String,
    /// Unix ms: Spotify's `played_at` (poller) or the end of the play (exports).
    pub played_at: i64,
    pub ms_played: i64,
}

/// What a play says about its track, for the user's catalogue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrackFacts {
    pub track_key: String,
    pub track_id: Option<String>,
    pub name: String,
    pub artist_name: String,
    pub album_name: Option<String>,
    /// Comma-separated Spotify artist ids (Web API only).
    pub artist_ids: Option<String>,
    pub duration_ms: Option<i64>,
    /// The earliest play of it in this batch (Unix ms).
    pub first_played_at: i64,
}

/// How far apart (ms) an export's play and the poller's record of the same play may be: the
/// poller's `played_at` is sometimes the start and sometimes the end of the play.
pub const MATCH_SLACK_MS: i64 = 60_000;
/// How far apart the two exports' records of one play may be (the account data rounds down to
/// the minute).
pub const EXPORTS_SLACK_MS: i64 = 90_000;

/// The artist the extended history names for a compilation's tracks (it names the album's
/// artist; the account data names the track's own).
const COMPILATION_ARTIST: &str = "Various Artists";

/// Whether two exports' records of plays close in time name the same track: the same title by
/// the same artist, or by an artist one of them does not know (none, or the compilation's
/// "Various Artists"). Keys alone can't tell: the extended history keys a play by track id and
/// the account data by names (linked to an id only when both names match exactly).
fn same_track(a: (&str, &str), b: (&str, &str)) -> bool {
    let vague = |artist: &str| artist.is_empty() || artist.eq_ignore_ascii_case(COMPILATION_ARTIST);
    a.1 == b.1 && (a.0 == b.0 || vague(a.0) || vague(b.0))
}

/// A stored play of another export that new plays may match.
struct Candidate {
    key: String,
    played_at: i64,
    ms_played: i64,
    /// (artist, title), when known.
    names: Option<(String, String)>,
    taken: bool,
}

/// Plays per statement when a batch must be checked against stored plays (`RETURNING` which
/// were added); a batch landing where no play is stored goes in one statement (SQLite: one
/// JSON parameter; Postgres: `COPY`).
const CHECKED_BATCH: usize = 5_000;
/// Above this many tracks to look up, a writer reads the user's whole catalogue instead (when
/// it is small enough to hold: see [`CATALOGUE_MAX_BYTES`]).
const LOOKUP_LIMIT: usize = 2_000;
/// The most a writer holds of the catalogue, in bytes of keys (about): past it, what it holds
/// is forgotten and tracks are looked up by key. A listener's catalogue is some tens of
/// thousands of short keys; a hostile export's, millions of long ones.
const CATALOGUE_MAX_BYTES: usize = 16 << 20;
/// What each remembered track costs besides its key's bytes (the map's entry, the `Known`).
const ENTRY_OVERHEAD: usize = 64;
/// The most the month summaries a writer adds up may hold, in bytes of track keys (about):
/// past it, they are written (in the writer's transaction) and started afresh.
const ADDED_MAX_BYTES: usize = 16 << 20;

enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

macro_rules! with_tx {
    ($writer:expr, $tx:ident => $body:expr) => {
        match &mut $writer.tx {
            Tx::Sqlite($tx) => $body,
            Tx::Postgres($tx) => $body,
        }
    };
}

/// What the catalogue holds of a track, as far as a writer needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Known {
    no: i64,
    first_played_at: Option<i64>,
    has_id: bool,
    has_album: bool,
}

impl Known {
    /// Whether storing `facts` would change the stored row (see the upsert in
    /// [`PlayWriter::upsert_tracks`]).
    fn changed_by(&self, facts: &TrackFacts) -> bool {
        (!self.has_id && facts.track_id.is_some())
            || (!self.has_album && facts.album_name.is_some())
            || facts.artist_ids.is_some()
            || facts.duration_ms.is_some()
            || self
                .first_played_at
                .is_none_or(|first| facts.first_played_at < first)
    }
}

/// What writers know of a user's catalogue (`user_tracks`): each track's number and what is
/// stored of it. An import job hands it from one file's writer to the next
/// ([`Store::play_writer_with`], [`PlayWriter::commit_keeping`]), so a file's tracks that are
/// already stored and unchanged cost nothing.
#[derive(Debug, Default)]
pub struct Catalogue {
    user: Option<Uuid>,
    tracks: HashMap<String, Known>,
    /// Whether `tracks` holds every track of the user (numbers up to `max_no`).
    complete: bool,
    /// The highest track number stored, when known.
    max_no: Option<i64>,
    /// What `tracks` takes, about (see [`CATALOGUE_MAX_BYTES`]).
    bytes: usize,
    /// Whether `tracks` was forgotten for being too large: the whole catalogue is then never
    /// read at once again (it was read whole while small, and has grown since).
    outgrown: bool,
}

impl Catalogue {
    fn remember(&mut self, key: String, known: Known) {
        let len = key.len();
        if self.tracks.insert(key, known).is_none() {
            self.bytes += len + ENTRY_OVERHEAD;
        }
    }

    /// Forgets what it holds when that is more than a writer may hold.
    fn trim(&mut self) {
        if self.bytes > CATALOGUE_MAX_BYTES {
            self.tracks = HashMap::new();
            self.complete = false;
            self.bytes = 0;
            self.outgrown = true;
        }
    }
}

/// What a writer's plays add to one UTC month's summary.
#[derive(Default)]
struct MonthAdded {
    start_ms: i64,
    buckets: Counts,
    tracks: HashMap<String, (i64, i64)>,
}

/// A catalogue row to insert.
struct NewTrack<'a> {
    key: &'a str,
    track_id: Option<&'a str>,
    name: &'a str,
    artist_name: &'a str,
    album_name: Option<&'a str>,
    artist_ids: Option<&'a str>,
    duration_ms: Option<i64>,
    first_played_at: Option<i64>,
    no: i64,
}

/// One transaction of history writes for one user from one source. Writers of one user take
/// turns (`BEGIN IMMEDIATE` on SQLite, a transaction-scoped advisory lock on Postgres), so a
/// writer knows what is stored while it runs: the track numbers it hands out are free, and a
/// time span where no play is stored can take a batch without checks.
pub struct PlayWriter {
    tx: Tx,
    user: Uuid,
    source: PlaySource,
    /// Time spans holding plays of other sources, which new plays must be matched against.
    other_spans: Vec<(i64, i64)>,
    /// What the plays written add to the monthly summaries, by UTC month.
    added: BTreeMap<i64, MonthAdded>,
    catalogue: Catalogue,
    /// (artist, title) of the tracks of the next batch's plays, by key (exports only).
    names: HashMap<String, (String, String)>,
    /// Stored plays of other exports that a play of this writer matched (and so was skipped):
    /// each matches one play only.
    matched: HashSet<(i64, String)>,
    /// What `added` takes, about (see [`ADDED_MAX_BYTES`]).
    added_bytes: usize,
    /// Whether the user's whole catalogue is small enough to read at once, once asked.
    whole_fits: Option<bool>,
}

/// The advisory lock key of a user's history writes (Postgres); account deletion takes it too.
pub(super) fn lock_key(user: Uuid) -> i64 {
    let (high, low) = user.as_u64_pair();
    (high ^ low ^ 0x4875_7465_7270_6531) as i64
}

/// The error of a history writer whose user no longer exists.
fn account_gone() -> StoreError {
    sqlx::Error::RowNotFound
}

/// Whether a history write failed because the user was deleted meanwhile (see
/// [`Store::play_writer`]).
pub fn is_account_gone(err: &StoreError) -> bool {
    matches!(err, sqlx::Error::RowNotFound)
}

impl Store {
    /// Starts a transaction of history writes; fails with [`account_gone`] when the user has
    /// been deleted.
    pub async fn play_writer(&self, user: Uuid, source: PlaySource) -> Result<PlayWriter> {
        self.play_writer_with(user, source, Catalogue::default())
            .await
    }

    /// Starts a transaction of history writes, with what an earlier writer of the same job
    /// learnt of the catalogue (checked against the database before use).
    pub async fn play_writer_with(
        &self,
        user: Uuid,
        source: PlaySource,
        catalogue: Catalogue,
    ) -> Result<PlayWriter> {
        let tx = match &self.db {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(lock_key(user))
                    .execute(&mut *tx)
                    .await?;
                Tx::Postgres(tx)
            }
        };
        let mut writer = PlayWriter {
            tx,
            user,
            source,
            other_spans: Vec::new(),
            added: BTreeMap::new(),
            catalogue: Catalogue::default(),
            names: HashMap::new(),
            matched: HashSet::new(),
            added_bytes: 0,
            whole_fits: None,
        };
        // Plays, tracks and month summaries carry no foreign key (it would slow every import
        // row), so a writer that outlived its account (deleted while an import ran) must not
        // write: under the lock, the deletion has either not begun or is committed.
        let exists: bool = with_tx!(writer, tx => {
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)")
                .bind(user)
                .fetch_one(&mut **tx)
                .await?
        });
        if !exists {
            return Err(account_gone());
        }
        let spans: Vec<(i64, i64)> = with_tx!(writer, tx => {
            sqlx::query_as(
                "SELECT start_ms, end_ms FROM history_coverage WHERE user_id = $1 AND source <> $2",
            )
            .bind(user)
            .bind(source.name())
            .fetch_all(&mut **tx)
            .await?
        });
        writer.other_spans = spans;
        if catalogue.user == Some(user) && catalogue.complete {
            // Another writer may have added tracks since: then it is read again when needed.
            if writer.stored_max_no().await? == catalogue.max_no.unwrap_or(0) {
                writer.catalogue = catalogue;
            }
        }
        writer.catalogue.user = Some(user);
        Ok(writer)
    }
}

impl PlayWriter {
    /// Whether plays in `[from, to]` may meet a play of another source, so each must be matched.
    fn needs_matching(&self, from: i64, to: i64) -> bool {
        let margin = 4 * 3_600_000;
        self.other_spans
            .iter()
            .any(|&(start, end)| start - margin <= to && from <= end + margin)
    }

    /// Tells the writer what the tracks of the plays it is about to store are called, so that
    /// an export's play is found among another export's records even where the two key it
    /// differently (see [`same_track`]). Kept only where plays may be matched at all, and only
    /// for the next batch (a file's names, all together, could be large).
    pub fn name_tracks(&mut self, tracks: &[TrackFacts]) {
        self.names.clear();
        if self.source == PlaySource::Poller || self.other_spans.is_empty() {
            return;
        }
        for track in tracks {
            self.names.insert(
                track.track_key.clone(),
                (track.artist_name.clone(), track.name.clone()),
            );
        }
    }

    /// Stores plays; a play already stored (same track and time), or one another source already
    /// recorded (see `MATCH_SLACK_MS`, `EXPORTS_SLACK_MS`), is skipped, except that a play keyed
    /// by track id replaces another export's record of it keyed by names (see
    /// [`PlayWriter::match_exports`]). Returns how many plays were added (a replaced play is
    /// not one).
    pub async fn insert(&mut self, plays: &[NewPlay]) -> Result<u64> {
        let mut batch: Vec<&NewPlay> = plays.iter().collect();
        batch
            .sort_unstable_by(|a, b| (a.played_at, &a.track_key).cmp(&(b.played_at, &b.track_key)));
        batch.dedup_by(|a, b| a.played_at == b.played_at && a.track_key == b.track_key);
        let (Some(first), Some(last)) = (batch.first(), batch.last()) else {
            return Ok(0);
        };
        let (min, max) = (first.played_at, last.played_at);
        if !self.needs_matching(min, max) && !self.any_play_between(min, max).await? {
            // Nothing stored in the batch's span: every play is new.
            self.append(&batch).await?;
            for play in &batch {
                self.count(&play.track_key, play.played_at, play.ms_played, 1);
            }
            self.write_months_if_large().await?;
            return Ok(batch.len() as u64);
        }
        let mut added: i64 = 0;
        for chunk in batch.chunks(CHECKED_BATCH) {
            let guard = self.needs_matching(chunk[0].played_at, chunk[chunk.len() - 1].played_at);
            let (new, replaced) = if guard && self.source != PlaySource::Poller {
                self.match_exports(chunk).await?
            } else {
                (chunk.to_vec(), Vec::new())
            };
            self.delete(&replaced).await?;
            for play in &replaced {
                self.count(&play.key, play.played_at, play.ms_played, -1);
            }
            let stored = self.insert_checked(&new, guard).await?;
            added += stored.len() as i64 - replaced.len() as i64;
            for (key, at, ms) in &stored {
                self.count(key, *at, *ms, 1);
            }
        }
        self.write_months_if_large().await?;
        Ok(added.max(0) as u64)
    }

    /// Matches plays with other exports' records (the poller's are [`self_guard`]'s), one to
    /// one: each with the earliest stored play in its reach that names the same track (the same
    /// key, or [`same_track`]) and that no other play matched, so a track played twice in a row
    /// stays two plays even where one export holds only one of them. Returns the plays to
    /// store and the stored plays to delete: a play keyed by track id replaces a record keyed
    /// by names (the account data's), so the play ends up stored the same whichever export
    /// came first, and counts with the track's other plays instead of as a track of its own.
    async fn match_exports<'p>(
        &mut self,
        plays: &[&'p NewPlay],
    ) -> Result<(Vec<&'p NewPlay>, Vec<Candidate>)> {
        let from = plays[0].played_at - EXPORTS_SLACK_MS;
        let to = plays[plays.len() - 1].played_at + EXPORTS_SLACK_MS;
        let mut candidates = self.other_exports_plays(from, to).await?;
        let mut keep = Vec::with_capacity(plays.len());
        let mut replaced = Vec::new();
        let mut first = 0;
        for play in plays {
            let earliest = (play.played_at - play.ms_played - MATCH_SLACK_MS)
                .max(play.played_at - EXPORTS_SLACK_MS);
            while candidates
                .get(first)
                .is_some_and(|c| c.played_at < play.played_at - EXPORTS_SLACK_MS)
            {
                first += 1;
            }
            let names = names_of_key(&play.track_key).or_else(|| {
                self.names
                    .get(&play.track_key)
                    .map(|(artist, name)| (artist.as_str(), name.as_str()))
            });
            let found = candidates[first..]
                .iter()
                .take_while(|c| c.played_at <= play.played_at + EXPORTS_SLACK_MS)
                .position(|c| {
                    !c.taken
                        && c.played_at >= earliest
                        && (c.key == play.track_key
                            || names
                                .zip(c.names.as_ref())
                                .is_some_and(|(a, b)| same_track(a, (b.0.as_str(), b.1.as_str()))))
                });
            let Some(found) = found.map(|at| at + first) else {
                keep.push(*play);
                continue;
            };
            let candidate = &mut candidates[found];
            candidate.taken = true;
            if names_of_key(&play.track_key).is_none() && names_of_key(&candidate.key).is_some() {
                keep.push(*play);
                replaced.push(found);
            } else {
                self.matched
                    .insert((candidate.played_at, candidate.key.clone()));
            }
        }
        // Highest first, so each removal leaves the indices still to remove in place.
        replaced.sort_unstable();
        let mut replaced_plays = Vec::with_capacity(replaced.len());
        for index in replaced.into_iter().rev() {
            replaced_plays.push(candidates.swap_remove(index));
        }
        Ok((keep, replaced_plays))
    }

    /// The stored plays of other exports in `[from, to]`, in time order, with their tracks'
    /// names; those a play of this writer already matched are left out.
    async fn other_exports_plays(&mut self, from: i64, to: i64) -> Result<Vec<Candidate>> {
        let (user, source) = (self.user, self.source.code());
        const COLUMNS: &str = "p.track_key, p.played_at, p.ms_played, t.artist_name, t.name";
        const FROM: &str = "FROM plays p LEFT JOIN user_tracks t ON t.user_id = p.user_id \
             AND t.track_key = p.track_key WHERE p.user_id = $1 AND p.played_at >= $2 \
             AND p.played_at <= $3 AND p.source NOT IN (1, $4)";
        let json: String = match &mut self.tx {
            Tx::Sqlite(tx) => {
                sqlx::query_scalar(&format!(
                    "SELECT COALESCE(json_group_array(json_array({COLUMNS})), '[]') {FROM}"
                ))
                .bind(user)
                .bind(from)
                .bind(to)
                .bind(source)
                .fetch_one(&mut **tx)
                .await?
            }
            Tx::Postgres(tx) => {
                sqlx::query_scalar(&format!(
                    "SELECT COALESCE(json_agg(json_build_array({COLUMNS}))::text, '[]') {FROM}"
                ))
                .bind(user)
                .bind(from)
                .bind(to)
                .bind(source)
                .fetch_one(&mut **tx)
                .await?
            }
        };
        type Row = (String, i64, i64, Option<String>, Option<String>);
        let rows: Vec<Row> =
            serde_json::from_str(&json).map_err(|err| sqlx::Error::Decode(Box::new(err)))?;
        let mut candidates: Vec<Candidate> = rows
            .into_iter()
            .filter(|(key, at, ..)| !self.matched.contains(&(*at, key.clone())))
            .map(|(key, played_at, ms_played, artist, name)| {
                let names = match (artist, name) {
                    (Some(artist), Some(name)) => Some((artist, name)),
                    _ => names_of_key(&key).map(|(a, n)| (a.to_owned(), n.to_owned())),
                };
                Candidate {
                    key,
                    played_at,
                    ms_played,
                    names,
                    taken: false,
                }
            })
            .collect();
        candidates.sort_unstable_by(|a, b| (a.played_at, &a.key).cmp(&(b.played_at, &b.key)));
        Ok(candidates)
    }

    /// Deletes stored plays that new plays replace.
    async fn delete(&mut self, plays: &[Candidate]) -> Result<()> {
        if plays.is_empty() {
            return Ok(());
        }
        let user = self.user;
        let deleted = match &mut self.tx {
            Tx::Sqlite(tx) => {
                let json = serde_json::to_string(
                    &plays
                        .iter()
                        .map(|p| (p.played_at, &p.key))
                        .collect::<Vec<_>>(),
                )
                .unwrap_or_default();
                sqlx::query(
                    "DELETE FROM plays WHERE user_id = $1 AND (played_at, track_key) IN \
                     (SELECT j.value ->> 0, j.value ->> 1 FROM json_each($2) AS j)",
                )
                .bind(user)
                .bind(json)
                .execute(&mut **tx)
                .await?
                .rows_affected()
            }
            Tx::Postgres(tx) => sqlx::query(
                "DELETE FROM plays p USING UNNEST($2::bigint[], $3::text[]) AS d (t, k) \
                     WHERE p.user_id = $1 AND p.played_at = d.t AND p.track_key = d.k",
            )
            .bind(user)
            .bind(plays.iter().map(|p| p.played_at).collect::<Vec<_>>())
            .bind(plays.iter().map(|p| p.key.as_str()).collect::<Vec<_>>())
            .execute(&mut **tx)
            .await?
            .rows_affected(),
        };
        if deleted != plays.len() as u64 {
            return Err(sqlx::Error::Protocol(format!(
                "{} of {} replaced plays were deleted: another writer held the user's history",
                deleted,
                plays.len()
            )));
        }
        Ok(())
    }

    /// Whether any play of the user is stored in `[from, to]`.
    async fn any_play_between(&mut self, from: i64, to: i64) -> Result<bool> {
        let user = self.user;
        let found: Option<i64> = with_tx!(self, tx => {
            sqlx::query_scalar(
                "SELECT played_at FROM plays WHERE user_id = $1 AND played_at >= $2 \
                 AND played_at <= $3 LIMIT 1",
            )
            .bind(user)
            .bind(from)
            .bind(to)
            .fetch_optional(&mut **tx)
            .await?
        });
        Ok(found.is_some())
    }

    /// Adds a play to the summaries of its month (`sign` 1), or takes a deleted one away (-1).
    fn count(&mut self, key: &str, played_at: i64, ms_played: i64, sign: i64) {
        let month = utc_month_of_ms(played_at);
        let added = self.added.entry(month).or_insert_with(|| MonthAdded {
            start_ms: utc_month_start_ms(month),
            ..MonthAdded::default()
        });
        let bucket = added
            .buckets
            .entry(bucket_in_month(added.start_ms, played_at))
            .or_default();
        bucket.0 += sign;
        bucket.1 = bucket.1.saturating_add(sign.saturating_mul(ms_played));
        match added.tracks.get_mut(key) {
            Some(track) => {
                track.0 += sign;
                track.1 = track.1.saturating_add(sign.saturating_mul(ms_played));
            }
            None => {
                self.added_bytes += key.len() + ENTRY_OVERHEAD;
                added
                    .tracks
                    .insert(key.to_owned(), (sign, sign.saturating_mul(ms_played)));
            }
        }
    }

    /// Stores plays that are known to be new (distinct, in a span with no stored play).
    async fn append(&mut self, plays: &[&NewPlay]) -> Result<()> {
        let (user, source) = (self.user, self.source.code());
        let stored = match &mut self.tx {
            Tx::Sqlite(tx) => {
                let json = plays_json(plays);
                sqlx::query(
                    "INSERT INTO plays (user_id, track_key, played_at, ms_played, source) \
                     SELECT $1, j.value ->> 0, j.value ->> 1, j.value ->> 2, $2 \
                     FROM json_each($3) AS j WHERE TRUE ON CONFLICT DO NOTHING",
                )
                .bind(user)
                .bind(source)
                .bind(json)
                .execute(&mut **tx)
                .await?
                .rows_affected()
            }
            Tx::Postgres(tx) => super::postgres::copy_plays(tx, user, source, plays).await?,
        };
        if stored != plays.len() as u64 {
            return Err(sqlx::Error::Protocol(format!(
                "{} of {} new plays were stored: another writer held the user's history",
                stored,
                plays.len()
            )));
        }
        Ok(())
    }

    /// Stores plays where some may be stored already; returns those added.
    async fn insert_checked(
        &mut self,
        plays: &[&NewPlay],
        guard: bool,
    ) -> Result<Vec<(String, i64, i64)>> {
        if plays.is_empty() {
            return Ok(Vec::new());
        }
        let (user, source) = (self.user, self.source.code());
        let guard = if guard {
            self_guard(self.source, "s.k", "s.t", "s.m")
        } else {
            String::new()
        };
        match &mut self.tx {
            Tx::Sqlite(tx) => {
                let sql = format!(
                    "INSERT INTO plays (user_id, track_key, played_at, ms_played, source) \
                     SELECT $1, s.k, s.t, s.m, $2 FROM (SELECT j.value ->> 0 AS k, \
                     j.value ->> 1 AS t, j.value ->> 2 AS m FROM json_each($3) AS j) AS s \
                     WHERE TRUE{guard} ON CONFLICT DO NOTHING \
                     RETURNING track_key, played_at, ms_played"
                );
                sqlx::query_as(&sql)
                    .bind(user)
                    .bind(source)
                    .bind(plays_json(plays))
                    .fetch_all(&mut **tx)
                    .await
            }
            Tx::Postgres(tx) => {
                let sql = format!(
                    "INSERT INTO plays (user_id, track_key, played_at, ms_played, source) \
                     SELECT $1, s.k, s.t, s.m, $2 \
                     FROM UNNEST($3::text[], $4::bigint[], $5::bigint[]) AS s (k, t, m) \
                     WHERE TRUE{guard} ON CONFLICT DO NOTHING \
                     RETURNING track_key, played_at, ms_played"
                );
                let keys: Vec<&str> = plays.iter().map(|p| p.track_key.as_str()).collect();
                let times: Vec<i64> = plays.iter().map(|p| p.played_at).collect();
                let lengths: Vec<i64> = plays.iter().map(|p| p.ms_played).collect();
                sqlx::query_as(&sql)
                    .bind(user)
                    .bind(source)
                    .bind(&keys)
                    .bind(&times)
                    .bind(&lengths)
                    .fetch_all(&mut **tx)
                    .await
            }
        }
    }

    /// The highest track number of the user's catalogue (0 when empty).
    async fn stored_max_no(&mut self) -> Result<i64> {
        let user = self.user;
        let max: Option<i64> = with_tx!(self, tx => {
            sqlx::query_scalar("SELECT MAX(track_no) FROM user_tracks WHERE user_id = $1")
                .bind(user)
                .fetch_one(&mut **tx)
                .await?
        });
        Ok(max.unwrap_or(0))
    }

    /// Whether the user's whole catalogue is small enough to hold (see
    /// [`CATALOGUE_MAX_BYTES`]); asked once per writer.
    async fn whole_catalogue_fits(&mut self) -> Result<bool> {
        if let Some(fits) = self.whole_fits {
            return Ok(fits);
        }
        let user = self.user;
        let (count, chars): (i64, i64) = with_tx!(self, tx => {
            sqlx::query_as(
                "SELECT COUNT(*), COALESCE(SUM(LENGTH(track_key)), 0) FROM user_tracks \
                 WHERE user_id = $1",
            )
            .bind(user)
            .fetch_one(&mut **tx)
            .await?
        });
        // LENGTH counts characters: four bytes each at most.
        let bytes = chars as usize * 4 + count as usize * ENTRY_OVERHEAD;
        let fits = bytes <= CATALOGUE_MAX_BYTES;
        self.whole_fits = Some(fits);
        Ok(fits)
    }

    /// Makes sure the catalogue knows every stored track among `keys`.
    async fn learn(&mut self, keys: &[&str]) -> Result<()> {
        self.catalogue.trim();
        if self.catalogue.complete {
            return Ok(());
        }
        let unknown: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|key| !self.catalogue.tracks.contains_key(*key))
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        let whole = unknown.len() > LOOKUP_LIMIT
            && !self.catalogue.outgrown
            && self.whole_catalogue_fits().await?;
        let user = self.user;
        const COLUMNS: &str = "t.track_key, t.track_no, t.first_played_at, \
             CASE WHEN t.track_id IS NULL THEN 0 ELSE 1 END, \
             CASE WHEN t.album_name IS NULL THEN 0 ELSE 1 END";
        let json: String = match &mut self.tx {
            Tx::Sqlite(tx) => {
                let (from, keys) = if whole {
                    ("user_tracks t WHERE t.user_id = $1", None)
                } else {
                    let keys = serde_json::to_string(&unknown).unwrap_or_default();
                    (
                        // CROSS JOIN keeps the keys as the outer loop: SQLite's planner
                        // otherwise may walk the catalogue and read the JSON once per track.
                        "json_each($2) AS j CROSS JOIN user_tracks t ON t.user_id = $1 \
                         AND t.track_key = j.value",
                        Some(keys),
                    )
                };
                let sql = format!(
                    "SELECT COALESCE(json_group_array(json_array({COLUMNS})), '[]') FROM {from}"
                );
                let mut query = sqlx::query_scalar(&sql).bind(user);
                if let Some(keys) = keys {
                    query = query.bind(keys);
                }
                query.fetch_one(&mut **tx).await?
            }
            Tx::Postgres(tx) => {
                let filter = if whole {
                    ""
                } else {
                    " AND t.track_key = ANY($2)"
                };
                let sql = format!(
                    "SELECT COALESCE(json_agg(json_build_array({COLUMNS}))::text, '[]') \
                     FROM user_tracks t WHERE t.user_id = $1{filter}"
                );
                let mut query = sqlx::query_scalar(&sql).bind(user);
                if !whole {
                    query = query.bind(&unknown);
                }
                query.fetch_one(&mut **tx).await?
            }
        };
        let rows: Vec<(String, i64, Option<i64>, i64, i64)> =
            serde_json::from_str(&json).map_err(|err| sqlx::Error::Decode(Box::new(err)))?;
        for (key, no, first_played_at, has_id, has_album) in rows {
            self.catalogue.max_no = self.catalogue.max_no.map(|max| max.max(no));
            self.catalogue.remember(
                key,
                Known {
                    no,
                    first_played_at,
                    has_id: has_id != 0,
                    has_album: has_album != 0,
                },
            );
        }
        if whole {
            self.catalogue.complete = true;
            let max = self.catalogue.tracks.values().map(|k| k.no).max();
            self.catalogue.max_no = Some(max.unwrap_or(0));
        }
        Ok(())
    }

    /// Gives the next track numbers to new catalogue rows and stores them.
    async fn insert_tracks(&mut self, mut rows: Vec<NewTrack<'_>>) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut next = match self.catalogue.max_no {
            Some(max) => max,
            None => self.stored_max_no().await?,
        };
        for row in &mut rows {
            next += 1;
            row.no = next;
        }
        let user = self.user;
        let stored = match &mut self.tx {
            Tx::Sqlite(tx) => {
                let json = serde_json::to_string(
                    &rows
                        .iter()
                        .map(|r| {
                            (
                                r.key,
                                r.track_id,
                                r.name,
                                r.artist_name,
                                r.album_name,
                                r.artist_ids,
                                r.duration_ms,
                                r.first_played_at,
                                r.no,
                            )
                        })
                        .collect::<Vec<_>>(),
                )
                .unwrap_or_default();
                sqlx::query(
                    "INSERT INTO user_tracks (user_id, track_key, track_id, name, artist_name, \
                     album_name, artist_ids, duration_ms, first_played_at, track_no) \
                     SELECT $1, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, \
                     j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 7, j.value ->> 8 \
                     FROM json_each($2) AS j WHERE TRUE ON CONFLICT DO NOTHING",
                )
                .bind(user)
                .bind(json)
                .execute(&mut **tx)
                .await?
                .rows_affected()
            }
            Tx::Postgres(tx) => {
                let text = |f: for<'r> fn(&'r NewTrack<'_>) -> Option<&'r str>| {
                    rows.iter().map(f).collect::<Vec<Option<&str>>>()
                };
                sqlx::query(
                    "INSERT INTO user_tracks (user_id, track_key, track_id, name, artist_name, \
                     album_name, artist_ids, duration_ms, first_played_at, track_no) \
                     SELECT $1, k, i, n, a, al, ai, d, f, no FROM UNNEST($2::text[], $3::text[], \
                     $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], \
                     $10::bigint[]) AS s (k, i, n, a, al, ai, d, f, no) ON CONFLICT DO NOTHING",
                )
                .bind(user)
                .bind(text(|r| Some(r.key)))
                .bind(text(|r| r.track_id))
                .bind(text(|r| Some(r.name)))
                .bind(text(|r| Some(r.artist_name)))
                .bind(text(|r| r.album_name))
                .bind(text(|r| r.artist_ids))
                .bind(rows.iter().map(|r| r.duration_ms).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.first_played_at).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.no).collect::<Vec<_>>())
                .execute(&mut **tx)
                .await?
                .rows_affected()
            }
        };
        if stored != rows.len() as u64 {
            return Err(sqlx::Error::Protocol(format!(
                "{} of {} new tracks were stored: another writer held the user's history",
                stored,
                rows.len()
            )));
        }
        self.catalogue.max_no = Some(next);
        for row in rows {
            self.catalogue.remember(
                row.key.to_owned(),
                Known {
                    no: row.no,
                    first_played_at: row.first_played_at,
                    has_id: row.track_id.is_some(),
                    has_album: row.album_name.is_some(),
                },
            );
        }
        Ok(())
    }

    /// Adds tracks to the user's catalogue, or completes what it knows of them (ids, album,
    /// duration) and moves their first play earlier. `tracks` must have distinct keys.
    pub async fn upsert_tracks(&mut self, tracks: &[TrackFacts]) -> Result<()> {
        let keys: Vec<&str> = tracks.iter().map(|t| t.track_key.as_str()).collect();
        self.learn(&keys).await?;
        let mut new = Vec::new();
        let mut changed = Vec::new();
        for track in tracks {
            match self.catalogue.tracks.get(&track.track_key) {
                None => new.push(NewTrack {
                    key: &track.track_key,
                    track_id: track.track_id.as_deref(),
                    name: &track.name,
                    artist_name: &track.artist_name,
                    album_name: track.album_name.as_deref(),
                    artist_ids: track.artist_ids.as_deref(),
                    duration_ms: track.duration_ms,
                    first_played_at: Some(track.first_played_at),
                    no: 0,
                }),
                Some(known) if known.changed_by(track) => changed.push(track),
                Some(_) => {}
            }
        }
        self.insert_tracks(new).await?;
        self.update_tracks(&changed).await
    }

    /// Completes stored catalogue rows with what `tracks` say.
    async fn update_tracks(&mut self, tracks: &[&TrackFacts]) -> Result<()> {
        if tracks.is_empty() {
            return Ok(());
        }
        const UPDATE: &str = " ON CONFLICT (user_id, track_key) DO UPDATE SET \
               track_id = COALESCE(user_tracks.track_id, excluded.track_id), \
               album_name = COALESCE(user_tracks.album_name, excluded.album_name), \
               artist_ids = COALESCE(excluded.artist_ids, user_tracks.artist_ids), \
               duration_ms = COALESCE(excluded.duration_ms, user_tracks.duration_ms), \
               first_played_at = CASE WHEN user_tracks.first_played_at IS NULL \
                 OR excluded.first_played_at < user_tracks.first_played_at \
                 THEN excluded.first_played_at ELSE user_tracks.first_played_at END";
        const COLUMNS: &str = "INSERT INTO user_tracks (user_id, track_key, track_id, name, \
             artist_name, album_name, artist_ids, duration_ms, first_played_at) ";
        let user = self.user;
        match &mut self.tx {
            Tx::Sqlite(tx) => {
                let json = serde_json::to_string(
                    &tracks
                        .iter()
                        .map(|t| {
                            (
                                &t.track_key,
                                &t.track_id,
                                &t.name,
                                &t.artist_name,
                                &t.album_name,
                                &t.artist_ids,
                                t.duration_ms,
                                t.first_played_at,
                            )
                        })
                        .collect::<Vec<_>>(),
                )
                .unwrap_or_default();
                sqlx::query(&format!(
                    "{COLUMNS} SELECT $1, j.value ->> 0, j.value ->> 1, j.value ->> 2, \
                     j.value ->> 3, j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 7 \
                     FROM json_each($2) AS j WHERE TRUE{UPDATE}"
                ))
                .bind(user)
                .bind(json)
                .execute(&mut **tx)
                .await?;
            }
            Tx::Postgres(tx) => {
                let column = |f: fn(&TrackFacts) -> Option<&str>| -> Vec<Option<&str>> {
                    tracks.iter().map(|t| f(t)).collect()
                };
                sqlx::query(&format!(
                    "{COLUMNS} SELECT $1, k, i, n, a, al, ai, d, f FROM UNNEST($2::text[], \
                     $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], \
                     $9::bigint[]) AS s (k, i, n, a, al, ai, d, f){UPDATE}"
                ))
                .bind(user)
                .bind(column(|t| Some(t.track_key.as_str())))
                .bind(column(|t| t.track_id.as_deref()))
                .bind(column(|t| Some(t.name.as_str())))
                .bind(column(|t| Some(t.artist_name.as_str())))
                .bind(column(|t| t.album_name.as_deref()))
                .bind(column(|t| t.artist_ids.as_deref()))
                .bind(tracks.iter().map(|t| t.duration_ms).collect::<Vec<_>>())
                .bind(tracks.iter().map(|t| t.first_played_at).collect::<Vec<_>>())
                .execute(&mut **tx)
                .await?;
            }
        }
        for track in tracks {
            if let Some(known) = self.catalogue.tracks.get_mut(&track.track_key) {
                known.has_id |= track.track_id.is_some();
                known.has_album |= track.album_name.is_some();
                known.first_played_at = Some(match known.first_played_at {
                    Some(first) => first.min(track.first_played_at),
                    None => track.first_played_at,
                });
            }
        }
        Ok(())
    }

    /// Records that this source holds every play of `[start_ms, end_ms]` (unless a stretch it
    /// recorded already holds it: an import records a stretch per file, every time).
    pub async fn add_coverage(&mut self, start_ms: i64, end_ms: i64) -> Result<()> {
        let (user, source) = (self.user, self.source.name());
        with_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO history_coverage (user_id, source, start_ms, end_ms) \
                 SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM history_coverage \
                 WHERE user_id = $1 AND source = $2 AND start_ms <= $3 AND end_ms >= $4)",
            )
            .bind(user)
            .bind(source)
            .bind(start_ms)
            .bind(end_ms.max(start_ms))
            .execute(&mut **tx)
            .await?;
        });
        Ok(())
    }

    /// Extends the poller's coverage that ends at `previous_end` to `end_ms`, or starts a new
    /// stretch at `start_ms` when there is none (after a gap).
    pub async fn extend_coverage(
        &mut self,
        previous_end: Option<i64>,
        start_ms: i64,
        end_ms: i64,
    ) -> Result<()> {
        let (user, source) = (self.user, self.source.name());
        let extended = match previous_end {
            None => 0,
            Some(previous) => with_tx!(self, tx => {
                sqlx::query(
                    "UPDATE history_coverage SET end_ms = $4 \
                     WHERE user_id = $1 AND source = $2 AND end_ms = $3",
                )
                .bind(user)
                .bind(source)
                .bind(previous)
                .bind(end_ms)
                .execute(&mut **tx)
                .await?
                .rows_affected()
            }),
        };
        if extended == 0 {
            self.add_coverage(start_ms, end_ms).await?;
        }
        Ok(())
    }

    /// Adds what the written plays add to the monthly summaries. Every play's track gets a
    /// catalogue row (writers add tracks with their plays; one named by nothing else gets a row
    /// named after its key).
    async fn write_months(&mut self) -> Result<()> {
        if self.added.is_empty() {
            return Ok(());
        }
        let mut keys: Vec<&str> = Vec::new();
        for added in self.added.values() {
            keys.extend(added.tracks.keys().map(String::as_str));
        }
        keys.sort_unstable();
        keys.dedup();
        let keys: Vec<String> = keys.into_iter().map(str::to_owned).collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        self.learn(&refs).await?;
        let missing: Vec<NewTrack<'_>> = refs
            .iter()
            .filter(|key| !self.catalogue.tracks.contains_key(**key))
            .map(|key| {
                let (artist_name, name) = names_of_key(key).unwrap_or(("", key));
                NewTrack {
                    key,
                    track_id: None,
                    name,
                    artist_name,
                    album_name: None,
                    artist_ids: None,
                    duration_ms: None,
                    first_played_at: None,
                    no: 0,
                }
            })
            .collect();
        self.insert_tracks(missing).await?;

        let user = self.user;
        let months: Vec<i64> = self.added.keys().copied().collect();
        type Row = (i64, Vec<u8>, Vec<u8>);
        let stored: Vec<Row> = match &mut self.tx {
            Tx::Sqlite(tx) => {
                sqlx::query_as(
                    "SELECT month, buckets, tracks FROM history_months WHERE user_id = $1 \
                     AND month IN (SELECT value FROM json_each($2))",
                )
                .bind(user)
                .bind(serde_json::to_string(&months).unwrap_or_default())
                .fetch_all(&mut **tx)
                .await?
            }
            Tx::Postgres(tx) => {
                sqlx::query_as(
                    "SELECT month, buckets, tracks FROM history_months WHERE user_id = $1 \
                     AND month = ANY($2)",
                )
                .bind(user)
                .bind(&months)
                .fetch_all(&mut **tx)
                .await?
            }
        };
        let mut stored: HashMap<i64, (Vec<u8>, Vec<u8>)> = stored
            .into_iter()
            .map(|(month, buckets, tracks)| (month, (buckets, tracks)))
            .collect();
        let added = std::mem::take(&mut self.added);
        self.added_bytes = 0;
        for (month, added) in added {
            let (old_buckets, old_tracks) = stored.remove(&month).unwrap_or_default();
            let mut tracks = Counts::with_capacity(added.tracks.len());
            for (key, counts) in &added.tracks {
                let no = self.catalogue.tracks.get(key).map_or(0, |known| known.no);
                let entry = tracks.entry(no as u32).or_default();
                entry.0 += counts.0;
                entry.1 = entry.1.saturating_add(counts.1);
            }
            let buckets = merge(&old_buckets, &added.buckets);
            let tracks = merge(&old_tracks, &tracks);
            let (plays, ms) = entries(&buckets)
                .fold((0, 0), |(p, m): (i64, i64), (_, plays, ms)| {
                    (p + plays, m.saturating_add(ms))
                });
            with_tx!(self, tx => {
                sqlx::query(
                    "INSERT INTO history_months (user_id, month, plays, ms_played, buckets, tracks) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, month) DO UPDATE SET \
                     plays = excluded.plays, ms_played = excluded.ms_played, \
                     buckets = excluded.buckets, tracks = excluded.tracks",
                )
                .bind(user)
                .bind(month)
                .bind(plays)
                .bind(ms)
                .bind(buckets)
                .bind(tracks)
                .execute(&mut **tx)
                .await?;
            });
        }
        Ok(())
    }

    /// Writes the month summaries added up so far when they take more than a writer may hold.
    async fn write_months_if_large(&mut self) -> Result<()> {
        if self.added_bytes > ADDED_MAX_BYTES {
            self.write_months().await?;
        }
        Ok(())
    }

    /// Makes everything written permanent, summaries included.
    pub async fn commit(self) -> Result<()> {
        self.commit_keeping().await.map(drop)
    }

    /// Commits, handing back what was learnt of the catalogue for the next writer of the job.
    pub async fn commit_keeping(mut self) -> Result<Catalogue> {
        self.write_months().await?;
        match self.tx {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(self.catalogue)
    }
}

/// Plays as one JSON array of `[track_key, played_at, ms_played]` (SQLite's bulk parameter).
fn plays_json(plays: &[&NewPlay]) -> String {
    serde_json::to_string(
        &plays
            .iter()
            .map(|p| (&p.track_key, p.played_at, p.ms_played))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default()
}

/// The condition that skips a play the poller already recorded (see [`MATCH_SLACK_MS`]), or,
/// for the poller, one an export recorded. Exports' records of each other are matched by
/// [`PlayWriter::match_exports`].
fn self_guard(source: PlaySource, key: &str, at: &str, ms: &str) -> String {
    match source {
        PlaySource::Poller => format!(
            " AND NOT EXISTS (SELECT 1 FROM plays p WHERE p.user_id = $1 AND p.track_key = {key} \
             AND p.played_at >= {at} - {MATCH_SLACK_MS} AND p.played_at <= {at} + 14400000 \
             AND p.source <> 1 AND p.played_at - p.ms_played - {MATCH_SLACK_MS} <= {at})"
        ),
        _ => format!(
            " AND NOT EXISTS (SELECT 1 FROM plays p WHERE p.user_id = $1 AND p.track_key = {key} \
             AND p.played_at >= {at} - {ms} - {MATCH_SLACK_MS} \
             AND p.played_at <= {at} + {MATCH_SLACK_MS} AND p.source = 1)"
        ),
    }
}
