//! Counting a time range of the history: whole UTC months from the summaries, corrected at the
//! range's ends by the plays themselves; the totals and the top tracks and artists of a range.

use super::*;
use crate::domain::UserId;

/// How a time range `[from, to)` is counted: whole UTC months from the summaries, corrected by
/// the plays between the range's ends and the month boundaries chosen for them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct RangePlan {
    /// The whole months `[first, end)` read from the summaries (none when `first >= end`).
    pub(super) months: (i64, i64),
    /// Stretches `[from, to)` of plays to add (`1`) or take away (`-1`).
    pub(super) edges: Vec<(i64, i64, i64)>,
}

/// The order of a top list: `(plays, ms)` by the chosen figure, then the other, descending.
pub(super) fn rank(
    order: TopOrder,
    plays: i64,
    ms: i64,
) -> (std::cmp::Reverse<i64>, std::cmp::Reverse<i64>) {
    use std::cmp::Reverse;
    match order {
        TopOrder::Plays => (Reverse(plays), Reverse(ms)),
        TopOrder::Minutes => (Reverse(ms), Reverse(plays)),
    }
}

impl Store {
    /// Plays and listening time in `[from_ms, to_ms)`, from the summaries (both ends must be
    /// on quarter hours, as local midnights are).
    pub async fn totals_between(
        &self,
        user: UserId,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<(i64, i64)> {
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
    pub(super) async fn range_plan(&self, user: UserId, from: i64, to: i64) -> Result<RangePlan> {
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
    pub(super) async fn edge_counts(
        &self,
        user: UserId,
        from: i64,
        to: i64,
    ) -> Result<Vec<(u32, i64, i64)>> {
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
    pub(super) async fn track_counts(
        &self,
        user: UserId,
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
    pub(super) async fn tracks_by_number(
        &self,
        user: UserId,
        numbers: Option<&[i64]>,
        ids: bool,
    ) -> Result<Vec<(i64, String, String, String)>> {
        let filter = match numbers {
            Some(_) => format!(" AND {}", in_json_numbers(self.backend(), "track_no", 2)),
            None => String::new(),
        };
        let columns = if ids {
            "track_no, track_key, COALESCE(artist_ids, ''), artist_name"
        } else {
            "track_no, track_key, name, artist_name"
        };
        let from = format!("user_tracks WHERE user_id = $1{filter}");
        let numbers = numbers.map(|numbers| serde_json::to_string(numbers).unwrap_or_default());
        select_list!(
            self,
            (i64, String, String, String),
            columns,
            &from,
            |query| {
                match &numbers {
                    Some(numbers) => query.bind(user).bind(numbers),
                    None => query.bind(user),
                }
            }
        )
    }

    /// The most played tracks of `[from_ms, to_ms)`. Ties go to the smaller track key (byte
    /// order).
    pub async fn top_tracks_between(
        &self,
        user: UserId,
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
        user: UserId,
        from_ms: i64,
        to_ms: i64,
        order: TopOrder,
        limit: i64,
    ) -> Result<Vec<TopEntry>> {
        // Every track's artist, read beside the counts (most of a long range's tracks are
        // played in it).
        let artists = async {
            select_list!(
                self,
                (String, i64),
                "artist_name, track_no",
                "user_tracks WHERE user_id = $1",
                |query| query.bind(user)
            )
        };
        let mut lists = HashMap::new();
        let (counts, artists) =
            tokio::try_join!(self.track_counts(user, from_ms, to_ms, &mut lists), artists)?;
        if counts.iter().all(|(plays, _)| *plays == 0) {
            return Ok(Vec::new());
        }
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
}
