//! The per-user cache of Spotify responses.

use uuid::Uuid;

use super::{Result, Store, with_pool};

/// One cached Spotify response (JSON text) and its lifetime.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct CacheEntry {
    pub body: String,
    pub fetched_at: i64,
    pub expires_at: i64,
}

impl Store {
    /// The cached response for `key`, fresh or not (the caller compares `expires_at`).
    pub async fn cache_get(&self, user: Uuid, key: &str) -> Result<Option<CacheEntry>> {
        with_pool!(self, pool => {
            sqlx::query_as::<_, CacheEntry>(
                "SELECT body, fetched_at, expires_at FROM spotify_cache \
                 WHERE user_id = $1 AND key = $2",
            )
            .bind(user)
            .bind(key)
            .fetch_optional(pool)
            .await
        })
    }

    /// Stores (or replaces) the response for `key`.
    pub async fn cache_put(&self, user: Uuid, key: &str, entry: &CacheEntry) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO spotify_cache (user_id, key, body, fetched_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (user_id, key) DO UPDATE SET body = excluded.body, \
                     fetched_at = excluded.fetched_at, expires_at = excluded.expires_at",
            )
            .bind(user)
            .bind(key)
            .bind(&entry.body)
            .bind(entry.fetched_at)
            .bind(entry.expires_at)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }
}
