//! What the history views read: every query here touches the summaries or one index range of
//! the plays, so each stays fast over a million plays (see BENCHMARKS.md).

use uuid::Uuid;

use super::{Result, Store, with_pool};
use crate::history::time::BUCKET_MS;
use crate::history::time::{utc_month_of_ms, utc_month_start_ms};
use crate::history::zone::Zone;
use crate::stats::Hemisphere;

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
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RecentPlay {
    pub played_at: i64,
    pub ms_played: i64,
    pub source: i64,
    pub track_key: String,
    pub name: String,
    pub artist_name: String,
}

/// A track or artist with its plays and listening time in a date range.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
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

/// What to order a top list by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TopOrder {
    #[default]
    Plays,
    Minutes,
}

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
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct CoverageSpan {
    pub source: String,
    pub start_ms: i64,
    pub end_ms: i64,
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

/// The part of `[from, to)` in whole UTC months, and the two partial edges.
struct RangeParts {
    first_month: i64,
    end_month: i64,
    edges: [(i64, i64); 2],
}

fn split_range(from: i64, to: i64) -> RangeParts {
    let mut first_month = utc_month_of_ms(from);
    if utc_month_start_ms(first_month) < from {
        first_month += 1;
    }
    let end_month = utc_month_of_ms(to);
    if end_month <= first_month {
        return RangeParts {
            first_month: 0,
            end_month: 0,
            edges: [(from, to), (0, 0)],
        };
    }
    RangeParts {
        first_month,
        end_month,
        edges: [
            (from, utc_month_start_ms(first_month)),
            (utc_month_start_ms(end_month), to),
        ],
    }
}

impl Store {
    /// The user's history settings (UTC and the northern hemisphere until they choose).
    pub async fn history_settings(&self, user: Uuid) -> Result<HistorySettings> {
        let row: Option<(String, String)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT time_zone, hemisphere FROM user_settings WHERE user_id = $1")
                .bind(user)
                .fetch_optional(pool)
                .await?
        });
        Ok(match row {
            None => HistorySettings::default(),
            Some((zone, hemisphere)) => HistorySettings {
                zone: Zone::parse(&zone).unwrap_or_else(Zone::utc),
                hemisphere: Hemisphere::parse(&hemisphere).unwrap_or_default(),
            },
        })
    }

    /// Saves the user's history settings.
    pub async fn save_history_settings(
        &self,
        user: Uuid,
        settings: &HistorySettings,
        now: i64,
    ) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO user_settings (user_id, time_zone, hemisphere, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET \
                 time_zone = excluded.time_zone, hemisphere = excluded.hemisphere, \
                 updated_at = excluded.updated_at",
            )
            .bind(user)
            .bind(settings.zone.name())
            .bind(settings.hemisphere.as_str())
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// How many plays are stored, how long they last, and when the first and last were.
    pub async fn history_totals(&self, user: Uuid) -> Result<HistoryTotals> {
        let (plays, ms_played): (Option<i64>, Option<i64>) = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT CAST(SUM(plays) AS BIGINT), CAST(SUM(ms_played) AS BIGINT) \
                 FROM play_buckets WHERE user_id = $1",
            )
            .bind(user)
            .fetch_one(pool)
            .await?
        });
        let first = self.edge_play(user, "ASC").await?;
        let last = self.edge_play(user, "DESC").await?;
        Ok(HistoryTotals {
            plays: plays.unwrap_or(0),
            ms_played: ms_played.unwrap_or(0),
            first,
            last,
        })
    }

    async fn edge_play(&self, user: Uuid, order: &str) -> Result<Option<i64>> {
        let sql = format!(
            "SELECT played_at FROM plays WHERE user_id = $1 ORDER BY played_at {order} LIMIT 1"
        );
        with_pool!(self, pool => {
            sqlx::query_scalar(&sql).bind(user).fetch_optional(pool).await
        })
    }

    /// Whether the user has any play in `[from_ms, to_ms)`.
    pub async fn has_plays_between(&self, user: Uuid, from_ms: i64, to_ms: i64) -> Result<bool> {
        let found: Option<i64> = with_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT played_at FROM plays WHERE user_id = $1 AND played_at >= $2 \
                 AND played_at < $3 LIMIT 1",
            )
            .bind(user)
            .bind(from_ms)
            .bind(to_ms)
            .fetch_optional(pool)
            .await?
        });
        Ok(found.is_some())
    }

    /// The latest plays, newest first.
    pub async fn recent_plays(&self, user: Uuid, limit: i64) -> Result<Vec<RecentPlay>> {
        with_pool!(self, pool => {
            sqlx::query_as::<_, RecentPlay>(
                "SELECT p.played_at, p.ms_played, p.source, p.track_key, \
                        COALESCE(t.name, p.track_key) AS name, COALESCE(t.artist_name, '') AS artist_name \
                 FROM plays p LEFT JOIN user_tracks t ON t.user_id = p.user_id AND t.track_key = p.track_key \
                 WHERE p.user_id = $1 ORDER BY p.played_at DESC LIMIT $2",
            )
            .bind(user)
            .bind(limit)
            .fetch_all(pool)
            .await
        })
    }

    /// The first and last summary bucket of the user, if any play is stored.
    async fn bucket_span(&self, user: Uuid) -> Result<Option<(i64, i64)>> {
        let (first, last): (Option<i64>, Option<i64>) = with_pool!(self, pool => {
            sqlx::query_as("SELECT MIN(bucket), MAX(bucket) FROM play_buckets WHERE user_id = $1")
                .bind(user)
                .fetch_one(pool)
                .await?
        });
        Ok(first.zip(last))
    }

    /// Runs a grouping of the summary buckets once per stretch of constant UTC offset:
    /// `select` gets `$4` = the offset in seconds. Returns every row of every stretch.
    async fn by_local_time(
        &self,
        user: Uuid,
        zone: &Zone,
        select: &str,
    ) -> Result<Vec<(i64, i64, i64)>> {
        let Some((first, last)) = self.bucket_span(user).await? else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT {select} AS k, CAST(SUM(plays) AS BIGINT), CAST(SUM(ms_played) AS BIGINT) \
             FROM play_buckets WHERE user_id = $1 AND bucket >= $2 AND bucket < $3 GROUP BY k"
        );
        let mut rows = Vec::new();
        for span in zone.offset_spans(first * BUCKET_MS, (last + 1) * BUCKET_MS) {
            let part: Vec<(i64, i64, i64)> = with_pool!(self, pool => {
                sqlx::query_as(&sql)
                    .bind(user)
                    .bind(span.start_ms.div_euclid(BUCKET_MS))
                    .bind((span.end_ms + BUCKET_MS - 1).div_euclid(BUCKET_MS))
                    .bind(span.offset_secs)
                    .fetch_all(pool)
                    .await?
            });
            rows.extend(part);
        }
        Ok(rows)
    }

    /// Plays per local hour of the week: `(hour of week counted from Thursday 00:00 — the
    /// weekday of 1970-01-01 —, plays, ms)`.
    pub async fn plays_by_hour_of_week(
        &self,
        user: Uuid,
        zone: &Zone,
    ) -> Result<Vec<(i64, i64, i64)>> {
        self.by_local_time(
            user,
            zone,
            &format!("((bucket * {} + $4) / 3600) % 168", BUCKET_MS / 1000),
        )
        .await
    }

    /// Plays and listening time per local day (days since 1970-01-01).
    pub async fn plays_by_local_day(
        &self,
        user: Uuid,
        zone: &Zone,
    ) -> Result<Vec<(i64, i64, i64)>> {
        self.by_local_time(
            user,
            zone,
            &format!("(bucket * {} + $4) / 86400", BUCKET_MS / 1000),
        )
        .await
    }

    /// Every artist of the user's history with the time of their first play ever (Unix ms).
    pub async fn artist_first_plays(&self, user: Uuid) -> Result<Vec<(String, i64)>> {
        with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT artist_name, MIN(first_played_at) FROM user_tracks \
                 WHERE user_id = $1 AND first_played_at IS NOT NULL GROUP BY artist_name",
            )
            .bind(user)
            .fetch_all(pool)
            .await
        })
    }

    /// Plays and listening time in `[from_ms, to_ms)`, from the summaries (both ends must be
    /// on quarter hours, as local midnights are).
    pub async fn totals_between(&self, user: Uuid, from_ms: i64, to_ms: i64) -> Result<(i64, i64)> {
        let (plays, ms): (Option<i64>, Option<i64>) = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT CAST(SUM(plays) AS BIGINT), CAST(SUM(ms_played) AS BIGINT) FROM play_buckets \
                 WHERE user_id = $1 AND bucket >= $2 AND bucket < $3",
            )
            .bind(user)
            .bind(from_ms.div_euclid(BUCKET_MS))
            .bind((to_ms + BUCKET_MS - 1).div_euclid(BUCKET_MS))
            .fetch_one(pool)
            .await?
        });
        Ok((plays.unwrap_or(0), ms.unwrap_or(0)))
    }

    /// The most played tracks of `[from_ms, to_ms)`.
    pub async fn top_tracks_between(
        &self,
        user: Uuid,
        from_ms: i64,
        to_ms: i64,
        order: TopOrder,
        limit: i64,
    ) -> Result<Vec<TopEntry>> {
        let parts = split_range(from_ms, to_ms);
        let order_by = match order {
            TopOrder::Plays => "g.plays DESC, g.ms_played DESC, g.track_key",
            TopOrder::Minutes => "g.ms_played DESC, g.plays DESC, g.track_key",
        };
        let sql = format!(
            "SELECT g.track_key AS key, COALESCE(t.name, g.track_key) AS name, \
                    COALESCE(t.artist_name, '') AS artist_name, g.plays, g.ms_played \
             FROM (SELECT track_key, CAST(SUM(n) AS BIGINT) AS plays, CAST(SUM(ms) AS BIGINT) AS ms_played FROM ( \
                     SELECT track_key, plays AS n, ms_played AS ms FROM track_months \
                     WHERE user_id = $1 AND month >= $2 AND month < $3 \
                     UNION ALL \
                     SELECT track_key, 1 AS n, ms_played AS ms FROM plays WHERE user_id = $1 \
                     AND ((played_at >= $4 AND played_at < $5) OR (played_at >= $6 AND played_at < $7)) \
                   ) AS x GROUP BY track_key) AS g \
             LEFT JOIN user_tracks t ON t.user_id = $1 AND t.track_key = g.track_key \
             ORDER BY {order_by} LIMIT $8"
        );
        self.top_query(&sql, user, &parts, limit).await
    }

    /// The most played artists (by name, as the sources name them) of `[from_ms, to_ms)`.
    pub async fn top_artists_between(
        &self,
        user: Uuid,
        from_ms: i64,
        to_ms: i64,
        order: TopOrder,
        limit: i64,
    ) -> Result<Vec<TopEntry>> {
        let parts = split_range(from_ms, to_ms);
        let order_by = match order {
            TopOrder::Plays => "plays DESC, ms_played DESC, artist_name",
            TopOrder::Minutes => "ms_played DESC, plays DESC, artist_name",
        };
        let sql = format!(
            "SELECT artist_name AS key, artist_name AS name, '' AS artist_name, plays, ms_played FROM ( \
               SELECT artist_name, CAST(SUM(n) AS BIGINT) AS plays, CAST(SUM(ms) AS BIGINT) AS ms_played FROM ( \
                 SELECT artist_name, plays AS n, ms_played AS ms FROM track_months \
                 WHERE user_id = $1 AND month >= $2 AND month < $3 \
                 UNION ALL \
                 SELECT t.artist_name, 1 AS n, p.ms_played AS ms FROM plays p \
                 JOIN user_tracks t ON t.user_id = p.user_id AND t.track_key = p.track_key \
                 WHERE p.user_id = $1 \
                 AND ((p.played_at >= $4 AND p.played_at < $5) OR (p.played_at >= $6 AND p.played_at < $7)) \
               ) AS x GROUP BY artist_name) AS g \
             ORDER BY {order_by} LIMIT $8"
        );
        self.top_query(&sql, user, &parts, limit).await
    }

    async fn top_query(
        &self,
        sql: &str,
        user: Uuid,
        parts: &RangeParts,
        limit: i64,
    ) -> Result<Vec<TopEntry>> {
        with_pool!(self, pool => {
            sqlx::query_as::<_, TopEntry>(sql)
                .bind(user)
                .bind(parts.first_month)
                .bind(parts.end_month)
                .bind(parts.edges[0].0)
                .bind(parts.edges[0].1)
                .bind(parts.edges[1].0)
                .bind(parts.edges[1].1)
                .bind(limit)
                .fetch_all(pool)
                .await
        })
    }

    /// The user's known tracks with a Spotify id, by `(artist name, track name)`: what
    /// account-data entries (names only) are linked to when the names match exactly.
    pub async fn known_track_names(
        &self,
        user: Uuid,
    ) -> Result<std::collections::HashMap<(String, String), String>> {
        let rows: Vec<(String, String, String)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT artist_name, name, MIN(track_key) FROM user_tracks \
                 WHERE user_id = $1 AND track_id IS NOT NULL GROUP BY artist_name, name",
            )
            .bind(user)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(artist, name, key)| ((artist, name), key))
            .collect())
    }

    /// The stretches of time whose plays are all stored, oldest first.
    pub async fn coverage(&self, user: Uuid) -> Result<Vec<CoverageSpan>> {
        with_pool!(self, pool => {
            sqlx::query_as::<_, CoverageSpan>(
                "SELECT source, start_ms, end_ms FROM history_coverage WHERE user_id = $1 \
                 ORDER BY start_ms, end_ms",
            )
            .bind(user)
            .fetch_all(pool)
            .await
        })
    }

    /// The plays of `[from_ms, to_ms)` per local month and track, with what is known of the
    /// track's artists: the input of `stats::history::season_items` (the history form of
    /// "Music variety by season").
    pub async fn plays_in_window(
        &self,
        user: Uuid,
        from_ms: i64,
        to_ms: i64,
        zone: &Zone,
    ) -> Result<Vec<WindowPlays>> {
        let mut result = Vec::new();
        if to_ms <= from_ms {
            return Ok(result);
        }
        let start = zone.local(from_ms);
        let (mut year, mut month) = (start.year, start.month);
        let mut month_start = from_ms;
        while month_start < to_ms {
            let (next_year, next_month) = if month == 12 {
                (year + 1, 1)
            } else {
                (year, month + 1)
            };
            let month_end = zone.local_month_start_ms(next_year, next_month).min(to_ms);
            let rows: Vec<(String, i64, Option<String>, Option<String>)> = with_pool!(self, pool => {
                sqlx::query_as(
                    "SELECT p.track_key, COUNT(*), MIN(t.artist_name), MIN(t.artist_ids) FROM plays p \
                     LEFT JOIN user_tracks t ON t.user_id = p.user_id AND t.track_key = p.track_key \
                     WHERE p.user_id = $1 AND p.played_at >= $2 AND p.played_at < $3 \
                     GROUP BY p.track_key",
                )
                .bind(user)
                .bind(month_start)
                .bind(month_end)
                .fetch_all(pool)
                .await?
            });
            result.extend(rows.into_iter().map(|(track_key, plays, artist, ids)| {
                let artist_name = artist
                    .or_else(|| super::plays::names_of_key(&track_key).map(|(a, _)| a.to_owned()))
                    .unwrap_or_default();
                WindowPlays {
                    month: month as u8,
                    track_key,
                    artist_name,
                    artist_ids: ids.filter(|ids| !ids.is_empty()),
                    plays,
                }
            }));
            (year, month, month_start) = (next_year, next_month, month_end);
        }
        Ok(result)
    }
}
