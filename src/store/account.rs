//! Everything Euterpe holds about one user: read out for "Download your data", and deleted for
//! "Delete account".

use crate::domain::UserId;

use super::{Result, Store, with_pool};

/// Tables whose rows belong to a user through a `user_id` column. `users` itself (by `id`) and
/// the login sessions (through `user_sessions`) are handled beside them.
pub const USER_TABLES: [&str; 13] = [
    "plays",
    "user_tracks",
    "history_months",
    "history_coverage",
    "poll_state",
    "imports",
    "user_settings",
    "spotify_cache",
    "spotify_fetch_leases",
    "shares",
    "compare_optins",
    "spotify_tokens",
    "user_sessions",
];

/// A stored play, as the data download lists it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredPlay {
    pub played_at: i64,
    pub track_key: String,
    pub ms_played: i64,
    pub source: i64,
}

/// A track of the user's catalogue, as the data download lists it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredTrack {
    pub track_key: String,
    pub track_id: Option<String>,
    pub name: String,
    pub artist_name: String,
    pub album_name: Option<String>,
    pub artist_ids: Option<String>,
    pub duration_ms: Option<i64>,
    pub first_played_at: Option<i64>,
}

impl Store {
    /// Deletes the user and everything of theirs: sessions (so every browser is logged out),
    /// tokens, plays, their summaries and catalogue, imports, coverage, settings, cache, share
    /// links, the comparison opt-in and rate-limit pauses.
    ///
    /// It waits for a history write of the user in progress (an import, a poll) and deletes its
    /// rows too; writers that come after find no user and write nothing.
    pub async fn delete_account(&self, user: UserId) -> Result<()> {
        self.delete_user_sessions(user).await?;
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if self.backend() == super::Backend::Postgres {
                // History writers' lock (SQLite has one writer at a time anyway).
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(super::plays::lock_key(user))
                    .execute(&mut *tx)
                    .await?;
            }
            for table in USER_TABLES {
                sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
            }
            // A rate-limit pause is keyed by the user's id as text, not a user_id column.
            sqlx::query("DELETE FROM spotify_pauses WHERE scope = $1")
                .bind(user.to_string())
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(user)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })
    }

    /// The next page of the user's plays after `(played_at, track_key)`, oldest first.
    pub async fn plays_page(
        &self,
        user: UserId,
        after: Option<(i64, String)>,
        limit: i64,
    ) -> Result<Vec<StoredPlay>> {
        let (at, key) = after.unwrap_or((i64::MIN, String::new()));
        with_pool!(self, pool => {
            sqlx::query_as::<_, StoredPlay>(
                "SELECT played_at, track_key, ms_played, source FROM plays WHERE user_id = $1 \
                 AND (played_at > $2 OR (played_at = $2 AND track_key > $3)) \
                 ORDER BY played_at, track_key LIMIT $4",
            )
            .bind(user)
            .bind(at)
            .bind(key)
            .bind(limit)
            .fetch_all(pool)
            .await
        })
    }

    /// The next page of the user's catalogue after `track_key`.
    pub async fn tracks_page(
        &self,
        user: UserId,
        after: &str,
        limit: i64,
    ) -> Result<Vec<StoredTrack>> {
        with_pool!(self, pool => {
            sqlx::query_as::<_, StoredTrack>(
                "SELECT track_key, track_id, name, artist_name, album_name, artist_ids, duration_ms, \
                 first_played_at FROM user_tracks WHERE user_id = $1 AND track_key > $2 \
                 ORDER BY track_key LIMIT $3",
            )
            .bind(user)
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await
        })
    }

    /// The user's cached Spotify answers: `(key, JSON body, fetched_at)`.
    pub async fn cache_entries(&self, user: UserId) -> Result<Vec<(String, String, i64)>> {
        with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT key, body, fetched_at FROM spotify_cache WHERE user_id = $1 ORDER BY key",
            )
            .bind(user)
            .fetch_all(pool)
            .await
        })
    }
}
