//! What the history views read: the monthly summaries (`history_months`, see `store::months`)
//! for whole UTC months, and the plays themselves (one stretch of their time-ordered key) for
//! what lies between a range's ends and the nearest month boundaries, or the months' timelines
//! where single plays count (`timelines`), so each view stays fast over a million plays (see
//! BENCHMARKS.md). Lists of many rows come back from SQLite as one JSON value (it hands rows
//! over at ~1.6 µs each, a JSON array of 40,000 costs a few milliseconds; `select_list!`).

use crate::domain::UserId;
use std::collections::HashMap;

use super::dialect::{in_json_numbers, json_list};
use super::months::{add_into, entries};
use super::{Db, Result, Store, select_list, with_pool};
use crate::domain::Hemisphere;
use crate::domain::time::BUCKET_MS;
use crate::domain::time::{utc_month_of_ms, utc_month_start_ms};
use crate::domain::zone::Zone;

/// What to order a top list by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TopOrder {
    #[default]
    Plays,
    Minutes,
}

impl TopOrder {
    /// The order as the `/history/top` form names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Plays => "plays",
            Self::Minutes => "minutes",
        }
    }
}

pub use crate::domain::{
    CoverageSpan, HistorySettings, HistoryTotals, RecentPlay, TopEntry, WindowPlays,
};

use super::decode_json as decode;

mod ranges;
mod subjects;
mod timelines;
mod year;

/// A window of at least this many local months reads the user's whole catalogue beside its
/// counts (see `plays_in_window`).
const WHOLE_CATALOGUE_MONTHS: usize = 6;

/// Settings as stored (`None`: never chosen), with the defaults for what is missing or unknown.
fn settings_of(row: Option<(String, String)>) -> HistorySettings {
    match row {
        None => HistorySettings::default(),
        Some((zone, hemisphere)) => HistorySettings {
            zone: Zone::parse(&zone).unwrap_or_else(Zone::utc),
            hemisphere: Hemisphere::parse(&hemisphere).unwrap_or_default(),
        },
    }
}

impl Store {
    /// The user's history settings (UTC and the northern hemisphere until they choose).
    pub async fn history_settings(&self, user: UserId) -> Result<HistorySettings> {
        let row: Option<(String, String)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT time_zone, hemisphere FROM user_settings WHERE user_id = $1")
                .bind(user)
                .fetch_optional(pool)
                .await?
        });
        Ok(settings_of(row))
    }

    /// Brings the database's statistics of the history up to date, after an import that added
    /// many plays: the first views of a freshly imported history are planned with them.
    pub async fn refresh_history_statistics(&self) -> Result<()> {
        match &self.db {
            Db::Sqlite(pool) => crate::store::sqlite::refresh_history_statistics(pool).await,
            Db::Postgres(pool) => crate::store::postgres::refresh_history_statistics(pool).await,
        }
    }

    /// The user's history settings, and whether they have a play in `[from_ms, to_ms)`: in one
    /// read, as the seasons panel asks for both on every view.
    pub async fn settings_and_plays_between(
        &self,
        user: UserId,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<(HistorySettings, bool)> {
        let (zone, hemisphere, played): (Option<String>, Option<String>, bool) = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT (SELECT time_zone FROM user_settings WHERE user_id = $1), \
                        (SELECT hemisphere FROM user_settings WHERE user_id = $1), \
                        EXISTS (SELECT 1 FROM plays WHERE user_id = $1 AND played_at >= $2 \
                                AND played_at < $3)",
            )
            .bind(user)
            .bind(from_ms)
            .bind(to_ms)
            .fetch_one(pool)
            .await?
        });
        Ok((settings_of(zone.zip(hemisphere)), played))
    }

    /// Saves the user's history settings.
    pub async fn save_history_settings(
        &self,
        user: UserId,
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
    pub async fn history_totals(&self, user: UserId) -> Result<HistoryTotals> {
        let (plays, ms_played) = self.month_totals(user, i64::MIN, i64::MAX).await?;
        let first = self.edge_play(user, "ASC").await?;
        let last = self.edge_play(user, "DESC").await?;
        Ok(HistoryTotals {
            plays,
            ms_played,
            first,
            last,
        })
    }

    /// Plays and listening time of the user's months after `after` and before `before`, added
    /// up here: SQL's `SUM` fails on a total past the largest integer, where this saturates.
    /// (A user has a few hundred months at most.)
    async fn month_totals(&self, user: UserId, after: i64, before: i64) -> Result<(i64, i64)> {
        let months: Vec<(i64, i64)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT plays, ms_played FROM history_months WHERE user_id = $1 AND month > $2 \
                 AND month < $3",
            )
            .bind(user)
            .bind(after)
            .bind(before)
            .fetch_all(pool)
            .await?
        });
        Ok(months.into_iter().fold((0, 0), |(p, m), (plays, ms)| {
            (p + plays, m.saturating_add(ms))
        }))
    }

    async fn edge_play(&self, user: UserId, order: &str) -> Result<Option<i64>> {
        let sql = format!(
            "SELECT played_at FROM plays WHERE user_id = $1 ORDER BY played_at {order} LIMIT 1"
        );
        with_pool!(self, pool => {
            sqlx::query_scalar(&sql).bind(user).fetch_optional(pool).await
        })
    }

    /// Whether the user has any play in `[from_ms, to_ms)`.
    pub async fn has_plays_between(&self, user: UserId, from_ms: i64, to_ms: i64) -> Result<bool> {
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
    pub async fn recent_plays(&self, user: UserId, limit: i64) -> Result<Vec<RecentPlay>> {
        self.plays_before(user, None, limit).await
    }

    /// The user's plays newest first, starting after `before` (the `played_at` and track key of
    /// the last play of the previous page; keyset paging, as fast on page 5,000 as on page 1).
    pub async fn plays_before(
        &self,
        user: UserId,
        before: Option<(i64, &str)>,
        limit: i64,
    ) -> Result<Vec<RecentPlay>> {
        let (at, key) = before.unwrap_or((i64::MAX, ""));
        with_pool!(self, pool => {
            sqlx::query_as::<_, (i64, i64, i64, String, String, String)>(
                "SELECT p.played_at, p.ms_played, p.source, p.track_key, \
                        COALESCE(t.name, p.track_key) AS name, COALESCE(t.artist_name, '') AS artist_name \
                 FROM plays p LEFT JOIN user_tracks t ON t.user_id = p.user_id AND t.track_key = p.track_key \
                 WHERE p.user_id = $1 AND (p.played_at < $2 OR (p.played_at = $2 AND p.track_key < $3)) \
                 ORDER BY p.played_at DESC, p.track_key DESC LIMIT $4",
            )
            .bind(user)
            .bind(at)
            .bind(key)
            .bind(limit)
            .fetch_all(pool)
            .await
        })
        .map(|rows| {
            rows.into_iter()
                .map(
                    |(played_at, ms_played, source, track_key, name, artist_name)| RecentPlay {
                        played_at,
                        ms_played,
                        source,
                        track_key,
                        name,
                        artist_name,
                    },
                )
                .collect()
        })
    }

    /// One packed list (`buckets` or `tracks`) of every summary month in `[first, last]`.
    async fn month_lists(
        &self,
        user: UserId,
        first: i64,
        last: i64,
        column: &str,
    ) -> Result<Vec<(i64, Vec<u8>)>> {
        let sql = format!(
            "SELECT month, {column} FROM history_months WHERE user_id = $1 AND month >= $2 \
             AND month <= $3 ORDER BY month"
        );
        with_pool!(self, pool => {
            sqlx::query_as(&sql).bind(user).bind(first).bind(last).fetch_all(pool).await
        })
    }

    /// Plays and listening time per quarter hour of `[from_ms, to_ms)` (quarter-hour
    /// boundaries, as local midnights are; `None`: all of it), grouped by `key(bucket, offset in
    /// seconds)` in the user's time zone: `(key, plays, ms)`, by key.
    pub(super) async fn by_local_time(
        &self,
        user: UserId,
        zone: &Zone,
        span_ms: Option<(i64, i64)>,
        key: impl Fn(i64, i64) -> i64,
    ) -> Result<Vec<(i64, i64, i64)>> {
        let (months, within) = match span_ms {
            None => ((i64::MIN, i64::MAX), i64::MIN..i64::MAX),
            Some((from, to)) if to > from => (
                (utc_month_of_ms(from), utc_month_of_ms(to - 1)),
                from.div_euclid(BUCKET_MS)..to.div_euclid(BUCKET_MS),
            ),
            Some(_) => return Ok(Vec::new()),
        };
        let lists = self
            .month_lists(user, months.0, months.1, "buckets")
            .await?;
        let (Some((first, _)), Some((last, _))) = (lists.first(), lists.last()) else {
            return Ok(Vec::new());
        };
        let spans = zone.offset_spans(utc_month_start_ms(*first), utc_month_start_ms(last + 1));
        let mut span = 0;
        // Consecutive quarter hours mostly share a key: add up runs, then merge them by key.
        let mut runs: Vec<(i64, i64, i64)> = Vec::new();
        for (month, list) in &lists {
            let base = utc_month_start_ms(*month).div_euclid(BUCKET_MS);
            for (bucket, plays, ms) in entries(list) {
                let bucket = base + i64::from(bucket);
                if !within.contains(&bucket) {
                    continue;
                }
                let at = bucket * BUCKET_MS;
                while span + 1 < spans.len() && spans[span].end_ms <= at {
                    span += 1;
                }
                let offset = spans.get(span).map_or(0, |s| s.offset_secs);
                let key = key(bucket, offset);
                match runs.last_mut() {
                    Some(run) if run.0 == key => {
                        run.1 += plays;
                        run.2 = run.2.saturating_add(ms);
                    }
                    _ => runs.push((key, plays, ms)),
                }
            }
        }
        runs.sort_by_key(|run| run.0);
        let mut grouped: Vec<(i64, i64, i64)> = Vec::new();
        for (key, plays, ms) in runs {
            match grouped.last_mut() {
                Some(group) if group.0 == key => {
                    group.1 += plays;
                    group.2 = group.2.saturating_add(ms);
                }
                _ => grouped.push((key, plays, ms)),
            }
        }
        Ok(grouped)
    }

    /// Plays per local hour of the week: `(hour of week counted from Thursday 00:00 — the
    /// weekday of 1970-01-01 —, plays, ms)`.
    pub async fn plays_by_hour_of_week(
        &self,
        user: UserId,
        zone: &Zone,
    ) -> Result<Vec<(i64, i64, i64)>> {
        let quarter = BUCKET_MS / 1000;
        self.by_local_time(user, zone, None, |bucket, offset| {
            (bucket * quarter + offset).div_euclid(3600).rem_euclid(168)
        })
        .await
    }

    /// Plays and listening time per local day (days since 1970-01-01).
    pub async fn plays_by_local_day(
        &self,
        user: UserId,
        zone: &Zone,
    ) -> Result<Vec<(i64, i64, i64)>> {
        let quarter = BUCKET_MS / 1000;
        self.by_local_time(user, zone, None, |bucket, offset| {
            (bucket * quarter + offset).div_euclid(86_400)
        })
        .await
    }

    /// Every artist of the user's history with the time of their first play ever (Unix ms).
    pub async fn artist_first_plays(&self, user: UserId) -> Result<Vec<(String, i64)>> {
        select_list!(
            self,
            (String, i64),
            "artist_name, first",
            "(SELECT artist_name, MIN(first_played_at) AS first FROM user_tracks \
             WHERE user_id = $1 AND first_played_at IS NOT NULL GROUP BY artist_name) AS a",
            |query| query.bind(user)
        )
    }

    /// The user's known tracks with a Spotify id, by `(artist name, track name)`: what
    /// account-data entries (names only) are linked to when the names match exactly.
    pub async fn known_track_names(
        &self,
        user: UserId,
    ) -> Result<HashMap<(String, String), String>> {
        let rows: Vec<(String, String, String)> = select_list!(
            self,
            (String, String, String),
            "artist_name, name, k",
            "(SELECT artist_name, name, MIN(track_key) AS k FROM user_tracks \
             WHERE user_id = $1 AND track_id IS NOT NULL GROUP BY artist_name, name) AS n",
            |query| query.bind(user)
        )?;
        Ok(rows
            .into_iter()
            .map(|(artist, name, key)| ((artist, name), key))
            .collect())
    }

    /// The stretches of time whose plays are all stored, oldest first.
    pub async fn coverage(&self, user: UserId) -> Result<Vec<CoverageSpan>> {
        with_pool!(self, pool => {
            sqlx::query_as::<_, (String, i64, i64)>(
                "SELECT source, start_ms, end_ms FROM history_coverage WHERE user_id = $1 \
                 ORDER BY start_ms, end_ms",
            )
            .bind(user)
            .fetch_all(pool)
            .await
        })
        .map(|rows| {
            rows.into_iter()
                .map(|(source, start_ms, end_ms)| CoverageSpan {
                    source,
                    start_ms,
                    end_ms,
                })
                .collect()
        })
    }

    /// The plays of `[from_ms, to_ms)` per local month and track, with what is known of the
    /// track's artists: the input of `stats::history::season_items` (the history form of
    /// "Music variety by season"). Months in order; within a month, tracks by key.
    pub async fn plays_in_window(
        &self,
        user: UserId,
        from_ms: i64,
        to_ms: i64,
        zone: &Zone,
    ) -> Result<Vec<WindowPlays>> {
        if to_ms <= from_ms {
            return Ok(Vec::new());
        }
        // The local months of the window, each counted like a date range.
        let start = zone.local(from_ms);
        let (mut year, mut month) = (start.year, start.month);
        let mut month_start = from_ms;
        let mut months: Vec<(u8, i64, i64)> = Vec::new();
        while month_start < to_ms {
            let (next_year, next_month) = if month == 12 {
                (year + 1, 1)
            } else {
                (year, month + 1)
            };
            let month_end = zone.local_month_start_ms(next_year, next_month).min(to_ms);
            months.push((month as u8, month_start, month_end));
            (year, month, month_start) = (next_year, next_month, month_end);
        }
        // The window's plays from the month timelines (a year's are ~100,000 plays, one row a
        // month), and meanwhile, for six months and more, the catalogue they mostly name.
        let catalogue = async {
            if months.len() >= WHOLE_CATALOGUE_MONTHS {
                self.tracks_by_number(user, None, true).await.map(Some)
            } else {
                Ok(None)
            }
        };
        let (plays, catalogue) =
            tokio::try_join!(self.timeline_plays(user, from_ms, to_ms, None), catalogue)?;
        // Plays per track number (the index), per local month; plays and months are in time
        // order, so each play's month is found by walking the months once.
        let mut slices: Vec<(u8, Vec<i64>)> = months
            .iter()
            .map(|&(month, _, _)| (month, Vec::new()))
            .collect();
        let mut index = 0;
        for &(no, at, _) in &plays {
            while months.get(index).is_some_and(|&(_, _, end)| end <= at) {
                index += 1;
            }
            let (Some((_, counts)), Ok(no)) = (slices.get_mut(index), usize::try_from(no)) else {
                continue;
            };
            if no >= counts.len() {
                counts.resize(no + 1, 0);
            }
            counts[no] += 1;
        }
        let mut numbers: Vec<i64> = Vec::new();
        let longest = slices.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
        for no in 0..longest {
            if slices
                .iter()
                .any(|(_, counts)| counts.get(no).is_some_and(|&plays| plays > 0))
            {
                numbers.push(no as i64);
            }
        }
        if numbers.is_empty() {
            return Ok(Vec::new());
        }
        let mut tracks = match catalogue {
            Some(tracks) => tracks,
            None => {
                // Most of the catalogue: read it whole rather than look up each number.
                let whole = numbers.len() * 2 > longest;
                self.tracks_by_number(user, (!whole).then_some(&numbers[..]), true)
                    .await?
            }
        };
        tracks.sort_unstable_by(|a, b| a.1.cmp(&b.1));
        let mut result = Vec::new();
        for (month, counts) in slices {
            for (no, key, ids, artist) in &tracks {
                let Some(&plays) = counts.get(*no as usize) else {
                    continue;
                };
                if plays > 0 {
                    result.push(WindowPlays {
                        month,
                        track_key: key.clone(),
                        artist_name: artist.clone(),
                        artist_ids: (!ids.is_empty()).then(|| ids.clone()),
                        plays,
                    });
                }
            }
        }
        Ok(result)
    }
}
