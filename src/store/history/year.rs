//! What the year in review reads beyond the top lists' counts: the year's local days and
//! hours (from the summaries' quarter hours), its busiest song-day, each track's first play of
//! the year and last play in the year before it (for rediscoveries), and which years hold plays.

use super::*;
use crate::domain::time::DAY_MS;
use crate::domain::zone::OffsetSpan;

/// `played_at` moved to local time by `spans` (which must cover the rows read), in SQL both
/// engines run: the offsets are our own numbers, never the user's text.
fn local_ms_sql(spans: &[OffsetSpan]) -> String {
    let Some((last, rest)) = spans.split_last() else {
        return "played_at".to_owned();
    };
    if rest.is_empty() {
        return format!("(played_at + {})", last.offset_secs * 1000);
    }
    let mut sql = String::from("(played_at + CASE");
    for span in rest {
        sql.push_str(&format!(
            " WHEN played_at < {} THEN {}",
            span.end_ms,
            span.offset_secs * 1000
        ));
    }
    sql.push_str(&format!(" ELSE {} END)", last.offset_secs * 1000));
    sql
}

impl Store {
    /// Plays and listening time per track number (the vector's index) in `[from_ms, to_ms)`.
    pub async fn track_counts_between(
        &self,
        user: UserId,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(i64, i64)>> {
        self.track_counts(user, from_ms, to_ms, &mut HashMap::new())
            .await
    }

    /// Plays and listening time per local day (days since 1970-01-01) of `[from_ms, to_ms)`,
    /// whose ends are local midnights.
    pub async fn local_days_between(
        &self,
        user: UserId,
        zone: &Zone,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(i64, i64, i64)>> {
        let quarter = BUCKET_MS / 1000;
        self.by_local_time(user, zone, Some((from_ms, to_ms)), |bucket, offset| {
            (bucket * quarter + offset).div_euclid(86_400)
        })
        .await
    }

    /// Plays and listening time per local hour of the day (0–23) of `[from_ms, to_ms)`.
    pub async fn local_hours_between(
        &self,
        user: UserId,
        zone: &Zone,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(i64, i64, i64)>> {
        let quarter = BUCKET_MS / 1000;
        self.by_local_time(user, zone, Some((from_ms, to_ms)), |bucket, offset| {
            (bucket * quarter + offset).div_euclid(3600).rem_euclid(24)
        })
        .await
    }

    /// The track played most often on one local day of `[from_ms, to_ms)`: `(track key, local
    /// day, plays)`; ties go to the earlier day, then the smaller key.
    pub async fn most_plays_in_a_day(
        &self,
        user: UserId,
        zone: &Zone,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Option<(String, i64, i64)>> {
        let local = local_ms_sql(&zone.offset_spans(from_ms, to_ms));
        let sql = format!(
            "SELECT track_key, d, n FROM (SELECT track_key, {local} / {DAY_MS} AS d, COUNT(*) AS n \
             FROM plays WHERE user_id = $1 AND played_at >= $2 AND played_at < $3 \
             GROUP BY track_key, {local} / {DAY_MS}) AS per_day \
             ORDER BY n DESC, d, track_key LIMIT 1"
        );
        with_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(user)
                .bind(from_ms)
                .bind(to_ms)
                .fetch_optional(pool)
                .await
        })
    }

    /// Each track played in `[from_ms, to_ms)` or in `[before_ms, from_ms)`: its key, its first
    /// play at or after `from_ms` and its last play before it (Unix ms).
    pub async fn first_and_last_plays(
        &self,
        user: UserId,
        before_ms: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(String, Option<i64>, Option<i64>)>> {
        let sql = json_list(
            self.backend(),
            "track_key, f, l",
            "(SELECT track_key, MIN(CASE WHEN played_at >= $3 THEN played_at END) AS f, \
                     MAX(CASE WHEN played_at < $3 THEN played_at END) AS l \
              FROM plays WHERE user_id = $1 AND played_at >= $2 AND played_at < $4 \
              GROUP BY track_key) AS edges",
        );
        let json: String = with_pool!(self, pool => {
            sqlx::query_scalar(&sql)
                .bind(user)
                .bind(before_ms)
                .bind(from_ms)
                .bind(to_ms)
                .fetch_one(pool)
                .await?
        });
        decode(&json)
    }

    /// The local years (in `zone`) that hold at least one play, oldest first.
    pub async fn years_with_plays(&self, user: UserId, zone: &Zone) -> Result<Vec<i64>> {
        let months: Vec<i64> = with_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT month FROM history_months WHERE user_id = $1 AND plays > 0 ORDER BY month",
            )
            .bind(user)
            .fetch_all(pool)
            .await?
        });
        // A UTC month touches at most two local years (its first and last hours may lie across
        // New Year elsewhere); those near the edges are asked of the plays themselves.
        let mut candidates: Vec<i64> = Vec::new();
        for month in months {
            for at in [utc_month_start_ms(month), utc_month_start_ms(month + 1) - 1] {
                let year = zone.local(at).year;
                if candidates.last() != Some(&year) && !candidates.contains(&year) {
                    candidates.push(year);
                }
            }
        }
        candidates.sort_unstable();
        let mut years = Vec::new();
        for year in candidates {
            let (from, to) = (
                zone.local_month_start_ms(year, 1),
                zone.local_month_start_ms(year + 1, 1),
            );
            if self.has_plays_between(user, from, to).await? {
                years.push(year);
            }
        }
        Ok(years)
    }
}
