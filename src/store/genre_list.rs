//! MusicBrainz's list of genres (see `migrations/*/0009`): an artist's tags count as genres
//! only when they are in it. Shared by every process, refreshed by one of them at a time.

use std::collections::HashSet;

use super::{Result, Store, placeholders, with_pool};

/// Names per `INSERT` or `IN (…)`: well under both engines' parameter limits.
const CHUNK: usize = 500;

impl Store {
    /// Whether the genre list wants reading: last read at or before `stale_before`, and no
    /// process holds it back at `now` (one reading it, or waiting after an unusable answer).
    pub async fn genre_list_due(&self, now: i64, stale_before: i64) -> Result<bool> {
        with_pool!(self, pool => {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM musicbrainz_genre_list \
                 WHERE fetched_at <= $1 AND not_before <= $2",
            )
            .bind(stale_before)
            .bind(now)
            .fetch_one(pool)
            .await
        })
        .map(|due| due > 0)
    }

    /// Takes the reading of the genre list when it is due (see [`Store::genre_list_due`]),
    /// holding other processes back until `hold_until`. Whether this caller got it.
    pub async fn claim_genre_list(
        &self,
        now: i64,
        stale_before: i64,
        hold_until: i64,
    ) -> Result<bool> {
        with_pool!(self, pool => {
            sqlx::query(
                "UPDATE musicbrainz_genre_list SET not_before = $3 \
                 WHERE fetched_at <= $1 AND not_before <= $2",
            )
            .bind(stale_before)
            .bind(now)
            .bind(hold_until)
            .execute(pool)
            .await
            .map(|done| done.rows_affected() > 0)
        })
    }

    /// Holds the next reading of the genre list back until `not_before`.
    pub async fn hold_genre_list(&self, not_before: i64) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query("UPDATE musicbrainz_genre_list SET not_before = $1")
                .bind(not_before)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }

    /// Replaces the genre list with `names` (compared lower-cased), read whole at `now`.
    pub async fn replace_genre_list(&self, names: &[String], now: i64) -> Result<()> {
        let mut lower: Vec<String> = names
            .iter()
            .map(|name| name.trim().to_lowercase())
            .collect();
        lower.retain(|name| !name.is_empty());
        lower.sort();
        lower.dedup();
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM musicbrainz_genres")
                .execute(&mut *tx)
                .await?;
            for chunk in lower.chunks(CHUNK) {
                let values: Vec<String> = (1..=chunk.len()).map(|i| format!("(${i})")).collect();
                let sql = format!("INSERT INTO musicbrainz_genres (name) VALUES {}", values.join(", "));
                let mut query = sqlx::query(&sql);
                for name in chunk {
                    query = query.bind(name);
                }
                query.execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE musicbrainz_genre_list SET fetched_at = $1, not_before = 0")
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })
    }

    /// Those of `names` that are in the genre list, lower-cased (none while it is unknown).
    pub async fn genres_among(&self, names: &[String]) -> Result<HashSet<String>> {
        let lower: Vec<String> = names
            .iter()
            .map(|name| name.trim().to_lowercase())
            .collect();
        let mut found = HashSet::new();
        for chunk in lower.chunks(CHUNK) {
            let sql = format!(
                "SELECT name FROM musicbrainz_genres WHERE name IN ({})",
                placeholders(1, chunk.len())
            );
            let rows = with_pool!(self, pool => {
                let mut query = sqlx::query_scalar::<_, String>(&sql);
                for name in chunk {
                    query = query.bind(name);
                }
                query.fetch_all(pool).await
            })?;
            found.extend(rows);
        }
        Ok(found)
    }

    /// When the genre list was last read whole (`0`: never), and how many genres it has.
    pub async fn genre_list_size(&self) -> Result<(i64, i64)> {
        with_pool!(self, pool => {
            sqlx::query_as::<_, (i64, i64)>(
                "SELECT fetched_at, (SELECT COUNT(*) FROM musicbrainz_genres) \
                 FROM musicbrainz_genre_list",
            )
            .fetch_one(pool)
            .await
        })
    }
}
