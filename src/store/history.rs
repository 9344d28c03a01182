//! What the history views read: the monthly summaries (`history_months`, see `store::months`)
//! for whole UTC months, and the plays themselves (one stretch of their time-ordered key) for
//! what lies between a range's ends and the nearest month boundaries, so each view stays fast
//! over a million plays (see BENCHMARKS.md). Lists of many rows come back as one JSON value:
//! SQLite hands rows over at ~1.6 µs each, a JSON array of 40,000 costs a few milliseconds.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::months::{add_into, entries};
use super::{Backend, Result, Store, with_pool};
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

pub use crate::domain::{
    CoverageSpan, HistorySettings, HistoryTotals, RecentPlay, TopEntry, WindowPlays,
};

/// How a time range `[from, to)` is counted: whole UTC months from the summaries, corrected by
/// the plays between the range's ends and the month boundaries chosen for them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct RangePlan {
    /// The whole months `[first, end)` read from the summaries (none when `first >= end`).
    months: (i64, i64),
    /// Stretches `[from, to)` of plays to add (`1`) or take away (`-1`).
    edges: Vec<(i64, i64, i64)>,
}

/// A list of rows as one JSON array: `SELECT <columns> FROM <from>` aggregated.
fn json_list(backend: Backend, columns: &str, from: &str) -> String {
    match backend {
        Backend::Sqlite => {
            format!("SELECT COALESCE(json_group_array(json_array({columns})), '[]') FROM {from}")
        }
        Backend::Postgres => format!(
            "SELECT COALESCE(json_agg(json_build_array({columns}))::text, '[]') FROM {from}"
        ),
    }
}

/// `track_no IN` a JSON list of numbers bound as `$2`.
fn numbers_filter(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "track_no IN (SELECT value FROM json_each($2))",
        Backend::Postgres => {
            "track_no IN (SELECT value::bigint FROM json_array_elements_text($2::json))"
        }
    }
}

fn decode<T: DeserializeOwned>(json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|err| sqlx::Error::Decode(Box::new(err)))
}

/// The order of a top list: `(plays, ms)` by the chosen figure, then the other, descending.
fn rank(order: TopOrder, plays: i64, ms: i64) -> (std::cmp::Reverse<i64>, std::cmp::Reverse<i64>) {
    use std::cmp::Reverse;
    match order {
        TopOrder::Plays => (Reverse(plays), Reverse(ms)),
        TopOrder::Minutes => (Reverse(ms), Reverse(plays)),
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
    async fn month_totals(&self, user: Uuid, after: i64, before: i64) -> Result<(i64, i64)> {
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
            sqlx::query_as::<_, (i64, i64, i64, String, String, String)>(
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
        user: Uuid,
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

    /// Plays and listening time per quarter hour, grouped by `key(bucket, offset in seconds)`
    /// in the user's time zone: `(key, plays, ms)`, by key.
    async fn by_local_time(
        &self,
        user: Uuid,
        zone: &Zone,
        key: impl Fn(i64, i64) -> i64,
    ) -> Result<Vec<(i64, i64, i64)>> {
        let lists = self
            .month_lists(user, i64::MIN, i64::MAX, "buckets")
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
        user: Uuid,
        zone: &Zone,
    ) -> Result<Vec<(i64, i64, i64)>> {
        let quarter = BUCKET_MS / 1000;
        self.by_local_time(user, zone, |bucket, offset| {
            (bucket * quarter + offset).div_euclid(3600).rem_euclid(168)
        })
        .await
    }

    /// Plays and listening time per local day (days since 1970-01-01).
    pub async fn plays_by_local_day(
        &self,
        user: Uuid,
        zone: &Zone,
    ) -> Result<Vec<(i64, i64, i64)>> {
        let quarter = BUCKET_MS / 1000;
        self.by_local_time(user, zone, |bucket, offset| {
            (bucket * quarter + offset).div_euclid(86_400)
        })
        .await
    }

    /// Every artist of the user's history with the time of their first play ever (Unix ms).
    pub async fn artist_first_plays(&self, user: Uuid) -> Result<Vec<(String, i64)>> {
        let sql = json_list(
            self.backend(),
            "artist_name, first",
            "(SELECT artist_name, MIN(first_played_at) AS first FROM user_tracks \
             WHERE user_id = $1 AND first_played_at IS NOT NULL GROUP BY artist_name) AS a",
        );
        let json: String = with_pool!(self, pool => {
            sqlx::query_scalar(&sql).bind(user).fetch_one(pool).await?
        });
        decode(&json)
    }

    /// Plays and listening time in `[from_ms, to_ms)`, from the summaries (both ends must be
    /// on quarter hours, as local midnights are).
    pub async fn totals_between(&self, user: Uuid, from_ms: i64, to_ms: i64) -> Result<(i64, i64)> {
        let (from, to) = (
            from_ms.div_euclid(BUCKET_MS),
            (to_ms + BUCKET_MS - 1).div_euclid(BUCKET_MS),
        );
        if to <= from {
            return Ok((0, 0));
        }
        let (first, last) = (
            utc_month_of_ms(from * BUCKET_MS),
            utc_month_of_ms(to * BUCKET_MS - 1),
        );
        // The months in between from their totals; the first and last quarter hour by quarter
        // hour.
        let (mut plays, mut ms) = if last - first >= 2 {
            self.month_totals(user, first, last).await?
        } else {
            (0, 0)
        };
        let ends = if first == last {
            vec![first]
        } else {
            vec![first, last]
        };
        for end in ends {
            for (month, list) in self.month_lists(user, end, end, "buckets").await? {
                let base = utc_month_start_ms(month).div_euclid(BUCKET_MS);
                for (bucket, p, m) in entries(&list) {
                    if (from..to).contains(&(base + i64::from(bucket))) {
                        plays += p;
                        ms = ms.saturating_add(m);
                    }
                }
            }
        }
        Ok((plays, ms))
    }

    /// How to count `[from, to)`: the month boundary nearest to each end (or, when no play
    /// lies between an end and the boundary before or after it, that boundary), whole months
    /// between them from the summaries, and the plays between the ends and the boundaries.
    async fn range_plan(&self, user: Uuid, from: i64, to: i64) -> Result<RangePlan> {
        if to <= from {
            return Ok(RangePlan::default());
        }
        let m0 = utc_month_of_ms(from);
        let (s0, s1) = (utc_month_start_ms(m0), utc_month_start_ms(m0 + 1));
        let (start, start_empty) = if s0 == from || !self.has_plays_between(user, s0, from).await? {
            (m0, true)
        } else if from - s0 <= s1 - from {
            (m0, false)
        } else {
            (m0 + 1, false)
        };
        let m1 = utc_month_of_ms(to - 1);
        let (e0, e1) = (utc_month_start_ms(m1), utc_month_start_ms(m1 + 1));
        let (end, end_empty) = if e1 == to || !self.has_plays_between(user, to, e1).await? {
            (m1 + 1, true)
        } else if e1 - to <= to - e0 {
            (m1 + 1, false)
        } else {
            (m1, false)
        };
        if start >= end {
            return Ok(RangePlan {
                months: (0, 0),
                edges: vec![(from, to, 1)],
            });
        }
        let mut edges = Vec::new();
        let (a, b) = (utc_month_start_ms(start), utc_month_start_ms(end));
        if a < from && !start_empty {
            edges.push((a, from, -1));
        } else if a > from {
            edges.push((from, a, 1));
        }
        if b > to && !end_empty {
            edges.push((to, b, -1));
        } else if b < to {
            edges.push((b, to, 1));
        }
        Ok(RangePlan {
            months: (start, end),
            edges,
        })
    }

    /// Plays and listening time per track number in `[from, to)`, read from the plays.
    async fn edge_counts(&self, user: Uuid, from: i64, to: i64) -> Result<Vec<(u32, i64, i64)>> {
        let sql = json_list(
            self.backend(),
            "n, c, m",
            "(SELECT t.track_no AS n, COUNT(*) AS c, SUM(p.ms_played) AS m FROM plays p \
             JOIN user_tracks t ON t.user_id = p.user_id AND t.track_key = p.track_key \
             WHERE p.user_id = $1 AND p.played_at >= $2 AND p.played_at < $3 \
             GROUP BY t.track_no) AS e",
        );
        let json: String = with_pool!(self, pool => {
            sqlx::query_scalar(&sql).bind(user).bind(from).bind(to).fetch_one(pool).await?
        });
        decode(&json)
    }

    /// Plays and listening time per track number (the vector's index) in `[from, to)`; months
    /// already read (`lists`) are not read again.
    async fn track_counts(
        &self,
        user: Uuid,
        from: i64,
        to: i64,
        lists: &mut HashMap<i64, Vec<u8>>,
    ) -> Result<Vec<(i64, i64)>> {
        let plan = self.range_plan(user, from, to).await?;
        let mut totals = Vec::new();
        let (start, end) = plan.months;
        if start < end {
            if (start..end).any(|month| !lists.contains_key(&month)) {
                for (month, list) in self.month_lists(user, start, end - 1, "tracks").await? {
                    lists.insert(month, list);
                }
            }
            for month in start..end {
                if let Some(list) = lists.get(&month) {
                    add_into(&mut totals, list, 1);
                }
            }
        }
        for (a, b, sign) in plan.edges {
            for (no, plays, ms) in self.edge_counts(user, a, b).await? {
                let index = no as usize;
                if index >= totals.len() {
                    totals.resize(index + 1, (0, 0));
                }
                totals[index].0 += sign * plays;
                totals[index].1 = totals[index].1.saturating_add(sign.saturating_mul(ms));
            }
        }
        Ok(totals)
    }

    /// Catalogue rows by track number: `(number, key, name or artist ids, artist name)` of the
    /// given numbers (or all); the third column is the track's name, or with `ids` its artist
    /// ids (empty when unknown).
    async fn tracks_by_number(
        &self,
        user: Uuid,
        numbers: Option<&[i64]>,
        ids: bool,
    ) -> Result<Vec<(i64, String, String, String)>> {
        let filter = match numbers {
            Some(_) => format!(" AND {}", numbers_filter(self.backend())),
            None => String::new(),
        };
        let columns = if ids {
            "track_no, track_key, COALESCE(artist_ids, ''), artist_name"
        } else {
            "track_no, track_key, name, artist_name"
        };
        let sql = json_list(
            self.backend(),
            columns,
            &format!("user_tracks WHERE user_id = $1{filter}"),
        );
        let json: String = with_pool!(self, pool => {
            let mut query = sqlx::query_scalar(&sql).bind(user);
            if let Some(numbers) = numbers {
                query = query.bind(serde_json::to_string(numbers).unwrap_or_default());
            }
            query.fetch_one(pool).await?
        });
        decode(&json)
    }

    /// The most played tracks of `[from_ms, to_ms)`. Ties go to the smaller track key (byte
    /// order).
    pub async fn top_tracks_between(
        &self,
        user: Uuid,
        from_ms: i64,
        to_ms: i64,
        order: TopOrder,
        limit: i64,
    ) -> Result<Vec<TopEntry>> {
        let counts = self
            .track_counts(user, from_ms, to_ms, &mut HashMap::new())
            .await?;
        let mut ranked: Vec<(i64, i64, i64)> = counts
            .iter()
            .enumerate()
            .filter(|(_, (plays, _))| *plays > 0)
            .map(|(no, &(plays, ms))| (no as i64, plays, ms))
            .collect();
        ranked.sort_unstable_by_key(|&(no, plays, ms)| (rank(order, plays, ms), no));
        // The last place may be shared: every track tied with it is a candidate (by key).
        let limit = usize::try_from(limit).unwrap_or(0);
        let mut cut = ranked.len().min(limit);
        if cut > 0 {
            let (_, plays, ms) = ranked[cut - 1];
            while cut < ranked.len() && (ranked[cut].1, ranked[cut].2) == (plays, ms) {
                cut += 1;
            }
        }
        ranked.truncate(cut);
        if ranked.is_empty() {
            return Ok(Vec::new());
        }
        let numbers: Vec<i64> = ranked.iter().map(|&(no, _, _)| no).collect();
        let mut names: HashMap<i64, (String, String, String)> = self
            .tracks_by_number(user, Some(&numbers), false)
            .await?
            .into_iter()
            .map(|(no, key, name, artist)| (no, (key, name, artist)))
            .collect();
        let mut top: Vec<TopEntry> = ranked
            .into_iter()
            .map(|(no, plays, ms)| {
                let (key, name, artist_name) = names.remove(&no).unwrap_or_default();
                TopEntry {
                    key,
                    name,
                    artist_name,
                    plays,
                    ms_played: ms,
                }
            })
            .collect();
        top.sort_by(|a, b| {
            (rank(order, a.plays, a.ms_played), &a.key)
                .cmp(&(rank(order, b.plays, b.ms_played), &b.key))
        });
        top.truncate(limit);
        Ok(top)
    }

    /// The most played artists (by name, as the sources name them) of `[from_ms, to_ms)`.
    /// Ties go to the smaller name (byte order).
    pub async fn top_artists_between(
        &self,
        user: Uuid,
        from_ms: i64,
        to_ms: i64,
        order: TopOrder,
        limit: i64,
    ) -> Result<Vec<TopEntry>> {
        let counts = self
            .track_counts(user, from_ms, to_ms, &mut HashMap::new())
            .await?;
        if counts.iter().all(|(plays, _)| *plays == 0) {
            return Ok(Vec::new());
        }
        let sql = json_list(
            self.backend(),
            "artist_name, track_no",
            "user_tracks WHERE user_id = $1",
        );
        let json: String = with_pool!(self, pool => {
            sqlx::query_scalar(&sql).bind(user).fetch_one(pool).await?
        });
        let artists: Vec<(String, i64)> = decode(&json)?;
        let mut sums: HashMap<&str, (i64, i64)> = HashMap::new();
        for (artist, no) in &artists {
            if let Some(&(plays, ms)) = counts.get(*no as usize)
                && plays > 0
            {
                let sum = sums.entry(artist.as_str()).or_default();
                sum.0 += plays;
                sum.1 = sum.1.saturating_add(ms);
            }
        }
        let mut top: Vec<(&str, i64, i64)> = sums
            .into_iter()
            .map(|(artist, (plays, ms))| (artist, plays, ms))
            .collect();
        top.sort_unstable_by_key(|&(artist, plays, ms)| (rank(order, plays, ms), artist));
        top.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(top
            .into_iter()
            .map(|(artist, plays, ms)| TopEntry {
                key: artist.to_owned(),
                name: artist.to_owned(),
                artist_name: String::new(),
                plays,
                ms_played: ms,
            })
            .collect())
    }

    /// The user's known tracks with a Spotify id, by `(artist name, track name)`: what
    /// account-data entries (names only) are linked to when the names match exactly.
    pub async fn known_track_names(&self, user: Uuid) -> Result<HashMap<(String, String), String>> {
        let sql = json_list(
            self.backend(),
            "artist_name, name, k",
            "(SELECT artist_name, name, MIN(track_key) AS k FROM user_tracks \
             WHERE user_id = $1 AND track_id IS NOT NULL GROUP BY artist_name, name) AS n",
        );
        let json: String = with_pool!(self, pool => {
            sqlx::query_scalar(&sql).bind(user).fetch_one(pool).await?
        });
        let rows: Vec<(String, String, String)> = decode(&json)?;
        Ok(rows
            .into_iter()
            .map(|(artist, name, key)| ((artist, name), key))
            .collect())
    }

    /// The stretches of time whose plays are all stored, oldest first.
    pub async fn coverage(&self, user: Uuid) -> Result<Vec<CoverageSpan>> {
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
        user: Uuid,
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
        let mut lists = HashMap::new();
        let mut slices: Vec<(u8, Vec<(i64, i64)>)> = Vec::new();
        while month_start < to_ms {
            let (next_year, next_month) = if month == 12 {
                (year + 1, 1)
            } else {
                (year, month + 1)
            };
            let month_end = zone.local_month_start_ms(next_year, next_month).min(to_ms);
            let counts = self
                .track_counts(user, month_start, month_end, &mut lists)
                .await?;
            slices.push((month as u8, counts));
            (year, month, month_start) = (next_year, next_month, month_end);
        }
        let mut numbers: Vec<i64> = Vec::new();
        let longest = slices.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
        for no in 0..longest {
            if slices
                .iter()
                .any(|(_, counts)| counts.get(no).is_some_and(|c| c.0 > 0))
            {
                numbers.push(no as i64);
            }
        }
        if numbers.is_empty() {
            return Ok(Vec::new());
        }
        // Most of the catalogue: read it whole rather than look up each number.
        let whole = numbers.len() * 2 > longest;
        let mut tracks = self
            .tracks_by_number(user, (!whole).then_some(&numbers[..]), true)
            .await?;
        tracks.sort_unstable_by(|a, b| a.1.cmp(&b.1));
        let mut result = Vec::new();
        for (month, counts) in slices {
            for (no, key, ids, artist) in &tracks {
                let Some(&(plays, _)) = counts.get(*no as usize) else {
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
