//! The per-user cache of Spotify responses.

use crate::domain::UserId;

use super::{Result, Store, with_pool};

/// One cached Spotify response (JSON text) and its lifetime.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct CacheEntry {
    pub body: String,
    pub fetched_at: i64,
    pub expires_at: i64,
    /// Changes with every write (random), so a copy parsed elsewhere can tell it is current.
    pub version: i64,
}

/// What a cached response's row says without its body: whether it is fresh, and which write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct CacheStamp {
    pub expires_at: i64,
    pub version: i64,
}

impl Store {
    /// The cached response for `key`, fresh or not (the caller compares `expires_at`).
    pub async fn cache_get(&self, user: UserId, key: &str) -> Result<Option<CacheEntry>> {
        with_pool!(self, pool => {
            sqlx::query_as::<_, CacheEntry>(
                "SELECT body, fetched_at, expires_at, version FROM spotify_cache \
                 WHERE user_id = $1 AND key = $2",
            )
            .bind(user)
            .bind(key)
            .fetch_optional(pool)
            .await
        })
    }

    /// The stamps of every response of `user` that is fresh at `now`, by key: one read for all
    /// of a request's answers (see `select_list!`).
    pub async fn fresh_stamps(&self, user: UserId, now: i64) -> Result<Vec<(String, CacheStamp)>> {
        let rows: Vec<(String, i64, i64)> = super::select_list!(
            self,
            (String, i64, i64),
            "key, expires_at, version",
            "spotify_cache WHERE user_id = $1 AND expires_at > $2",
            |query| query.bind(user).bind(now)
        )?;
        Ok(rows
            .into_iter()
            .map(|(key, expires_at, version)| {
                (
                    key,
                    CacheStamp {
                        expires_at,
                        version,
                    },
                )
            })
            .collect())
    }

    /// Stores (or replaces) the response for `key`.
    pub async fn cache_put(&self, user: UserId, key: &str, entry: &CacheEntry) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO spotify_cache (user_id, key, body, fetched_at, expires_at, version) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (user_id, key) DO UPDATE SET body = excluded.body, \
                     fetched_at = excluded.fetched_at, expires_at = excluded.expires_at, \
                     version = excluded.version",
            )
            .bind(user)
            .bind(key)
            .bind(&entry.body)
            .bind(entry.fetched_at)
            .bind(entry.expires_at)
            .bind(entry.version)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }
}

/// A cached catalogue object (an artist) shared by every user.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Deserialize)]
pub struct CatalogueEntry {
    pub id: String,
    pub body: String,
    pub expires_at: i64,
}

impl Store {
    /// Tries to take the lease on fetching `key` for `user` until `until`; false when another
    /// request (in any process) holds an unexpired one.
    pub async fn try_lease(&self, user: UserId, key: &str, now: i64, until: i64) -> Result<bool> {
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO spotify_fetch_leases (user_id, key, until) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id, key) DO UPDATE SET until = excluded.until \
                 WHERE spotify_fetch_leases.until <= $4",
            )
            .bind(user)
            .bind(key)
            .bind(until)
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected() == 1)
        })
    }

    /// Gives back the fetch lease taken until `until`, if it is still the one held (a lease
    /// that expired may have been taken by another since).
    pub async fn release_lease_taken_until(
        &self,
        user: UserId,
        key: &str,
        until: i64,
    ) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "DELETE FROM spotify_fetch_leases WHERE user_id = $1 AND key = $2 AND until = $3",
            )
            .bind(user)
            .bind(key)
            .bind(until)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// When calls to Spotify may resume for this user (the later of their own pause and an
    /// app-wide one), if they are paused at `now`.
    pub async fn paused_until(&self, user: UserId, now: i64) -> Result<Option<i64>> {
        with_pool!(self, pool => {
            sqlx::query_scalar::<_, i64>(
                "SELECT until FROM spotify_pauses WHERE scope IN ($1, 'app') AND until > $2 \
                 ORDER BY until DESC LIMIT 1",
            )
            .bind(user.to_string())
            .bind(now)
            .fetch_optional(pool)
            .await
        })
    }

    /// Pauses calls to Spotify for a scope (a user's id, or `app`) until `until`.
    pub async fn pause(&self, scope: &str, until: i64) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO spotify_pauses (scope, until) VALUES ($1, $2) \
                 ON CONFLICT (scope) DO UPDATE SET until = excluded.until \
                 WHERE spotify_pauses.until < excluded.until",
            )
            .bind(scope)
            .bind(until)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// The cached catalogue objects among `ids` that are still fresh at `now`.
    pub async fn artists_cached(&self, ids: &[String], now: i64) -> Result<Vec<CatalogueEntry>> {
        super::fresh_rows!(
            self,
            CatalogueEntry,
            "id, body, expires_at",
            "spotify_artists WHERE expires_at > $1 AND id",
            ids,
            now
        )
    }

    /// Stores catalogue objects (replacing older copies).
    pub async fn put_artists(&self, entries: &[CatalogueEntry], now: i64) -> Result<()> {
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for entry in entries {
                sqlx::query(
                    "INSERT INTO spotify_artists (id, body, fetched_at, expires_at) \
                     VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (id) DO UPDATE SET body = excluded.body, \
                         fetched_at = excluded.fetched_at, expires_at = excluded.expires_at",
                )
                .bind(&entry.id)
                .bind(&entry.body)
                .bind(now)
                .bind(entry.expires_at)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await
        })
    }

    /// Deletes cache rows that expired more than `grace` seconds before `now` (a playlist's
    /// items under an old snapshot, say).
    pub async fn purge_expired_cache(&self, now: i64, grace: i64) -> Result<u64> {
        with_pool!(self, pool => {
            let cache = sqlx::query("DELETE FROM spotify_cache WHERE expires_at < $1")
                .bind(now - grace)
                .execute(pool)
                .await?
                .rows_affected();
            let artists = sqlx::query("DELETE FROM spotify_artists WHERE expires_at < $1")
                .bind(now - grace)
                .execute(pool)
                .await?
                .rows_affected();
            sqlx::query("DELETE FROM spotify_pauses WHERE until < $1")
                .bind(now)
                .execute(pool)
                .await?;
            Ok(cache + artists)
        })
    }
}
