//! Listening history: plays, the per-user catalogue of the tracks they name, the summaries that
//! keep the history views fast, coverage, and the queries the views run.
//!
//! Writes go through a [`PlayWriter`]: one transaction per batch of work (an imported file, a
//! poll), so a failure leaves nothing half-written. It adds what its plays add to the monthly
//! summaries (`history_months`, see `store::months`) when it commits: the plays it stored are
//! known exactly (a batch landing where no play is stored is stored whole; elsewhere the
//! database says which plays it added), so the summaries always equal what the plays say, and
//! nothing written is read back.

use crate::domain::UserId;
use std::collections::{BTreeMap, HashMap, HashSet};

use sqlx::{Postgres, Sqlite, Transaction};

use super::dialect::{in_json_numbers, json_list};
use super::months::{Counts, bucket_in_month, entries, merge};
use super::{Backend, Db, Result, Store, StoreError};
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

/// Plays per statement when a batch must be checked against stored plays (`RETURNING` which
/// were added); a batch landing where no play is stored goes in one statement (SQLite: one
/// JSON parameter; Postgres: `COPY`).
const CHECKED_BATCH: usize = 5_000;
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

/// Runs the engine's own version of a bulk operation on the writer's transaction:
/// `store::sqlite::$op` or `store::postgres::$op` (bulk loading is where the engines differ).
macro_rules! engine_op {
    ($writer:expr, $op:ident($($arg:expr),*)) => {
        match &mut $writer.tx {
            Tx::Sqlite(tx) => $crate::store::sqlite::$op(tx, $($arg),*).await,
            Tx::Postgres(tx) => $crate::store::postgres::$op(tx, $($arg),*).await,
        }
    };
}

// After `with_tx!` and `engine_op!`, which they use too.
mod matching;
mod summaries;
mod tracks;

pub use matching::{EXPORTS_SLACK_MS, MATCH_SLACK_MS};
use summaries::*;
pub use tracks::Catalogue;
use tracks::*;
pub(in crate::store) use tracks::{NewTrack, TRACK_UPSERT_INSERT, TRACK_UPSERT_UPDATE};

/// One transaction of history writes for one user from one source. Writers of one user take
/// turns (`BEGIN IMMEDIATE` on SQLite, a transaction-scoped advisory lock on Postgres), so a
/// writer knows what is stored while it runs: the track numbers it hands out are free, and a
/// time span where no play is stored can take a batch without checks.
pub struct PlayWriter {
    tx: Tx,
    user: UserId,
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
    /// The keys `added`'s timeline entries name.
    keys: Keys,
    /// Whether the user's whole catalogue is small enough to read at once, once asked.
    whole_fits: Option<bool>,
}

/// The advisory lock key of a user's history writes (Postgres); account deletion takes it too.
pub(in crate::store) fn lock_key(user: UserId) -> i64 {
    let (high, low) = user.as_uuid().as_u64_pair();
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
    pub async fn play_writer(&self, user: UserId, source: PlaySource) -> Result<PlayWriter> {
        self.play_writer_with(user, source, Catalogue::default())
            .await
    }

    /// Starts a transaction of history writes, with what an earlier writer of the same job
    /// learnt of the catalogue (checked against the database before use).
    pub async fn play_writer_with(
        &self,
        user: UserId,
        source: PlaySource,
        catalogue: Catalogue,
    ) -> Result<PlayWriter> {
        let tx = match &self.db {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => {
                Tx::Postgres(super::postgres::begin_play_writer(pool, user).await?)
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
            keys: Keys::default(),
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

    /// Stores plays that are known to be new (distinct, in a span with no stored play).
    async fn append(&mut self, plays: &[&NewPlay]) -> Result<()> {
        let (user, source) = (self.user, self.source.code());
        let stored = engine_op!(self, append_plays(user, source, plays))?;
        if stored != plays.len() as u64 {
            return Err(sqlx::Error::Protocol(format!(
                "{} of {} new plays were stored: another writer held the user's history",
                stored,
                plays.len()
            )));
        }
        Ok(())
    }

    /// The engine the writer's transaction runs on.
    fn backend(&self) -> Backend {
        match self.tx {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
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
        engine_op!(self, insert_plays_returning(user, source, plays, &guard))
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

/// Plays as one JSON array of `[track_key, played_at, ms_played]`: SQLite's way of taking a
/// batch in one parameter (`json_each`).
pub(in crate::store) fn plays_json(plays: &[&NewPlay]) -> String {
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
