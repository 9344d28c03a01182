//! Listening history: plays, the per-user catalogue of the tracks they name, the summaries that
//! keep the history views fast, coverage, and the queries the views run.
//!
//! Writes go through a [`PlayWriter`]: one transaction per batch of work (an imported file, a
//! poll), so a failure leaves nothing half-written. Its summaries (`play_buckets`,
//! `track_months`) are recomputed from `plays` for the months a transaction touched, so they
//! always equal what the plays say.

use sqlx::{Postgres, Sqlite, Transaction};
use uuid::Uuid;

use super::{Db, Result, Store};
use crate::history::time::{BUCKET_MS, utc_month_of_ms, utc_month_start_ms};

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

/// The key of a track known only by its names.
pub fn name_key(artist_name: &str, track_name: &str) -> String {
    format!("~{artist_name}\u{1f}{track_name}")
}

/// The names inside a [`name_key`], if it is one.
pub fn names_of_key(key: &str) -> Option<(&str, &str)> {
    key.strip_prefix('~')?.split_once('\u{1f}')
}

/// How far apart (ms) an export's play and the poller's record of the same play may be: the
/// poller's `played_at` is sometimes the start and sometimes the end of the play.
pub const MATCH_SLACK_MS: i64 = 60_000;
/// How far apart the two exports' records of one play may be (the account data rounds down to
/// the minute).
pub const EXPORTS_SLACK_MS: i64 = 90_000;

/// Rows per statement of a bulk insert. SQLite statements stay small: through sqlx, binding
/// costs grow faster than the parameter count (2,000-row statements were 6× slower per row than
/// 256-row ones; see BENCHMARKS.md); catalogue upserts (8 parameters a row) use a quarter.
const SQLITE_BATCH: usize = 256;
const POSTGRES_BATCH: usize = 10_000;

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

/// One transaction of history writes for one user from one source.
pub struct PlayWriter {
    tx: Tx,
    user: Uuid,
    source: PlaySource,
    /// Time spans holding plays of other sources, which new plays must be matched against.
    other_spans: Vec<(i64, i64)>,
    /// The earliest and latest play written.
    span: Option<(i64, i64)>,
}

impl Store {
    /// Starts a transaction of history writes.
    pub async fn play_writer(&self, user: Uuid, source: PlaySource) -> Result<PlayWriter> {
        let tx = match &self.db {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        };
        let mut writer = PlayWriter {
            tx,
            user,
            source,
            other_spans: Vec::new(),
            span: None,
        };
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
    /// recorded (see `MATCH_SLACK_MS`), is skipped. Returns how many were added.
    pub async fn insert(&mut self, plays: &[NewPlay]) -> Result<u64> {
        let mut added = 0;
        let batch = match self.tx {
            Tx::Sqlite(_) => SQLITE_BATCH,
            Tx::Postgres(_) => POSTGRES_BATCH,
        };
        for chunk in plays.chunks(batch) {
            let (Some(min), Some(max)) = (
                chunk.iter().map(|p| p.played_at).min(),
                chunk.iter().map(|p| p.played_at).max(),
            ) else {
                continue;
            };
            self.span = Some(match self.span {
                None => (min, max),
                Some((a, b)) => (a.min(min), b.max(max)),
            });
            let guard = self.needs_matching(min, max);
            added += self.insert_chunk(chunk, guard).await?;
        }
        Ok(added)
    }

    async fn insert_chunk(&mut self, chunk: &[NewPlay], guard: bool) -> Result<u64> {
        let source = self.source.code();
        let user = self.user;
        match &mut self.tx {
            Tx::Sqlite(tx) => {
                let mut sql = String::with_capacity(64 + chunk.len() * 24);
                sql.push_str(
                    "INSERT INTO plays (user_id, track_key, played_at, ms_played, source) \
                     SELECT $1, s.column1, s.column2, s.column3, $2 FROM (VALUES ",
                );
                for index in 0..chunk.len() {
                    let base = 3 + index * 3;
                    if index > 0 {
                        sql.push(',');
                    }
                    sql.push_str(&format!("(${},${},${})", base, base + 1, base + 2));
                }
                sql.push_str(") AS s WHERE 1");
                if guard {
                    sql.push_str(&self_guard(
                        self.source,
                        "s.column1",
                        "s.column2",
                        "s.column3",
                    ));
                }
                sql.push_str(" ON CONFLICT DO NOTHING");
                let mut query = sqlx::query(&sql).bind(user).bind(source);
                for play in chunk {
                    query = query
                        .bind(&play.track_key)
                        .bind(play.played_at)
                        .bind(play.ms_played);
                }
                Ok(query.execute(&mut **tx).await?.rows_affected())
            }
            Tx::Postgres(tx) => {
                let mut sql = String::from(
                    "INSERT INTO plays (user_id, track_key, played_at, ms_played, source) \
                     SELECT $1, s.k, s.t, s.m, $2 \
                     FROM UNNEST($3::text[], $4::bigint[], $5::bigint[]) AS s (k, t, m) WHERE TRUE",
                );
                if guard {
                    sql.push_str(&self_guard(self.source, "s.k", "s.t", "s.m"));
                }
                sql.push_str(" ON CONFLICT DO NOTHING");
                let keys: Vec<&str> = chunk.iter().map(|p| p.track_key.as_str()).collect();
                let times: Vec<i64> = chunk.iter().map(|p| p.played_at).collect();
                let lengths: Vec<i64> = chunk.iter().map(|p| p.ms_played).collect();
                Ok(sqlx::query(&sql)
                    .bind(user)
                    .bind(source)
                    .bind(&keys)
                    .bind(&times)
                    .bind(&lengths)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected())
            }
        }
    }

    /// Adds tracks to the user's catalogue, or completes what it knows of them (ids, album,
    /// duration) and moves their first play earlier. `tracks` must have distinct keys.
    pub async fn upsert_tracks(&mut self, tracks: &[TrackFacts]) -> Result<()> {
        const CONFLICT: &str = " ON CONFLICT (user_id, track_key) DO UPDATE SET \
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
                for chunk in tracks.chunks(SQLITE_BATCH / 4) {
                    let mut sql = String::from(COLUMNS);
                    sql.push_str("VALUES ");
                    for index in 0..chunk.len() {
                        let base = 2 + index * 8;
                        if index > 0 {
                            sql.push(',');
                        }
                        sql.push_str(&format!(
                            "($1,${},${},${},${},${},${},${},${})",
                            base,
                            base + 1,
                            base + 2,
                            base + 3,
                            base + 4,
                            base + 5,
                            base + 6,
                            base + 7
                        ));
                    }
                    sql.push_str(CONFLICT);
                    let mut query = sqlx::query(&sql).bind(user);
                    for track in chunk {
                        query = query
                            .bind(&track.track_key)
                            .bind(&track.track_id)
                            .bind(&track.name)
                            .bind(&track.artist_name)
                            .bind(&track.album_name)
                            .bind(&track.artist_ids)
                            .bind(track.duration_ms)
                            .bind(track.first_played_at);
                    }
                    query.execute(&mut **tx).await?;
                }
            }
            Tx::Postgres(tx) => {
                let sql = format!(
                    "{COLUMNS} SELECT $1, k, i, n, a, al, ai, d, f FROM UNNEST($2::text[], $3::text[], \
                     $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[]) \
                     AS s (k, i, n, a, al, ai, d, f){CONFLICT}"
                );
                for chunk in tracks.chunks(POSTGRES_BATCH) {
                    let column = |f: fn(&TrackFacts) -> Option<&str>| -> Vec<Option<&str>> {
                        chunk.iter().map(f).collect()
                    };
                    sqlx::query(&sql)
                        .bind(user)
                        .bind(column(|t| Some(t.track_key.as_str())))
                        .bind(column(|t| t.track_id.as_deref()))
                        .bind(column(|t| Some(t.name.as_str())))
                        .bind(column(|t| Some(t.artist_name.as_str())))
                        .bind(column(|t| t.album_name.as_deref()))
                        .bind(column(|t| t.artist_ids.as_deref()))
                        .bind(chunk.iter().map(|t| t.duration_ms).collect::<Vec<_>>())
                        .bind(chunk.iter().map(|t| t.first_played_at).collect::<Vec<_>>())
                        .execute(&mut **tx)
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// Records that this source holds every play of `[start_ms, end_ms]`.
    pub async fn add_coverage(&mut self, start_ms: i64, end_ms: i64) -> Result<()> {
        let (user, source) = (self.user, self.source.name());
        with_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO history_coverage (user_id, source, start_ms, end_ms) VALUES ($1, $2, $3, $4)",
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

    /// The earliest and latest play written so far.
    pub fn span(&self) -> Option<(i64, i64)> {
        self.span
    }

    /// Recomputes the summaries of every UTC month from `from_ms` to `to_ms` from the plays.
    pub async fn refresh_summaries(&mut self, from_ms: i64, to_ms: i64) -> Result<()> {
        let user = self.user;
        let (first, last) = (utc_month_of_ms(from_ms), utc_month_of_ms(to_ms));
        let (start, end) = (utc_month_start_ms(first), utc_month_start_ms(last + 1));
        with_tx!(self, tx => {
            sqlx::query("DELETE FROM play_buckets WHERE user_id = $1 AND bucket >= $2 AND bucket < $3")
                .bind(user)
                .bind(start / BUCKET_MS)
                .bind(end / BUCKET_MS)
                .execute(&mut **tx)
                .await?;
            sqlx::query(&format!(
                "INSERT INTO play_buckets (user_id, bucket, plays, ms_played) \
                 SELECT user_id, played_at / {BUCKET_MS}, COUNT(*), SUM(ms_played) FROM plays \
                 WHERE user_id = $1 AND played_at >= $2 AND played_at < $3 \
                 GROUP BY user_id, played_at / {BUCKET_MS}"
            ))
            .bind(user)
            .bind(start)
            .bind(end)
            .execute(&mut **tx)
            .await?;
            sqlx::query("DELETE FROM track_months WHERE user_id = $1 AND month >= $2 AND month <= $3")
                .bind(user)
                .bind(first)
                .bind(last)
                .execute(&mut **tx)
                .await?;
            for month in first..=last {
                sqlx::query(
                    "INSERT INTO track_months (user_id, month, track_key, artist_name, plays, ms_played) \
                     SELECT p.user_id, $2, p.track_key, MIN(t.artist_name), COUNT(*), SUM(p.ms_played) \
                     FROM plays p JOIN user_tracks t ON t.user_id = p.user_id AND t.track_key = p.track_key \
                     WHERE p.user_id = $1 AND p.played_at >= $3 AND p.played_at < $4 \
                     GROUP BY p.user_id, p.track_key",
                )
                .bind(user)
                .bind(month)
                .bind(utc_month_start_ms(month))
                .bind(utc_month_start_ms(month + 1))
                .execute(&mut **tx)
                .await?;
            }
        });
        Ok(())
    }

    /// Makes everything written permanent.
    pub async fn commit(self) -> Result<()> {
        match self.tx {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }
}

/// The condition that skips a play another source already recorded (see [`MATCH_SLACK_MS`]).
fn self_guard(source: PlaySource, key: &str, at: &str, ms: &str) -> String {
    match source {
        PlaySource::Poller => format!(
            " AND NOT EXISTS (SELECT 1 FROM plays p WHERE p.user_id = $1 AND p.track_key = {key} \
             AND p.played_at >= {at} - {MATCH_SLACK_MS} AND p.played_at <= {at} + 14400000 \
             AND p.source <> 1 AND p.played_at - p.ms_played - {MATCH_SLACK_MS} <= {at})"
        ),
        other => format!(
            " AND NOT EXISTS (SELECT 1 FROM plays p WHERE p.user_id = $1 AND p.track_key = {key} \
             AND p.played_at >= {at} - {ms} - {MATCH_SLACK_MS} AND p.played_at <= {at} + {EXPORTS_SLACK_MS} \
             AND ((p.source = 1 AND p.played_at <= {at} + {MATCH_SLACK_MS}) \
               OR (p.source NOT IN (1, {code}) AND p.played_at >= {at} - {EXPORTS_SLACK_MS})))",
            code = other.code()
        ),
    }
}
