//! Single plays, read from the month timelines (`history_months.timeline`, see
//! `store::timeline`): a month is one row however many plays it holds, and rows stream in, so
//! reading ten years of plays holds one month's row at a time besides the plays kept.

use futures_util::TryStreamExt;

use super::*;
use crate::store::timeline;

impl Store {
    /// Every stored play in `[from_ms, to_ms)`, of the tracks numbered `numbers` (`None`: of
    /// every track): `(track number, played_at, ms_played)`, in time order (then by track).
    pub async fn timeline_plays(
        &self,
        user: UserId,
        from_ms: i64,
        to_ms: i64,
        numbers: Option<&[i64]>,
    ) -> Result<Vec<(i64, i64, i64)>> {
        if to_ms <= from_ms {
            return Ok(Vec::new());
        }
        // Track numbers are small and dense: a flag per number is the quickest filter.
        let wanted: Option<Vec<bool>> = numbers.map(|numbers| {
            let top = numbers.iter().copied().max().unwrap_or(0).max(0) as usize;
            let mut wanted = vec![false; top + 1];
            for &no in numbers {
                if let Ok(index) = usize::try_from(no) {
                    wanted[index] = true;
                }
            }
            wanted
        });
        let keep = |no: u32| {
            wanted
                .as_ref()
                .is_none_or(|wanted| wanted.get(no as usize).copied().unwrap_or(false))
        };
        let (first, last) = (utc_month_of_ms(from_ms), utc_month_of_ms(to_ms - 1));
        let sql = "SELECT month, timeline FROM history_months WHERE user_id = $1 \
                   AND month >= $2 AND month <= $3 ORDER BY month";
        let mut plays = Vec::new();
        with_pool!(self, pool => {
            let mut rows = sqlx::query_as::<_, (i64, Vec<u8>)>(sql)
                .bind(user)
                .bind(first)
                .bind(last)
                .fetch(pool);
            while let Some((month, list)) = rows.try_next().await? {
                let start = utc_month_start_ms(month);
                plays.extend(
                    timeline::entries(&list)
                        .filter(|&(_, no, _)| keep(no))
                        .map(|(at, no, ms)| (i64::from(no), start + i64::from(at), ms))
                        .filter(|&(_, at, _)| (from_ms..to_ms).contains(&at)),
                );
            }
        });
        Ok(plays)
    }
}
