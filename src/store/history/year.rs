//! What the year in review reads beyond the top lists' counts and its plays (`timelines`):
//! the year's local days and hours (from the summaries' quarter hours), and which years hold
//! plays.

use super::*;

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
