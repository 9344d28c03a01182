//! Users: one row per Spotify account that has logged in.

use crate::domain::UserId;
use uuid::Uuid;

use super::{Result, Store, with_pool};

/// A Euterpe user.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    /// Euterpe's own id; never shown to anyone but the user.
    pub id: UserId,
    /// Spotify's immutable `account_id` (or its user id when Spotify sent none).
    pub spotify_account_id: String,
    /// Spotify's user id (owner ids of playlists are compared with it).
    pub spotify_id: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub created_at: i64,
    pub last_login_at: i64,
    pub last_seen_at: i64,
}

impl User {
    /// The name to greet the user with.
    pub fn name(&self) -> &str {
        self.display_name
            .as_deref()
            .filter(|name| !name.trim().is_empty())
            .unwrap_or(&self.spotify_id)
    }
}

/// What `/me` told us at login.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub spotify_account_id: String,
    pub spotify_id: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
}

const USER_COLUMNS: &str = "id, spotify_account_id, spotify_id, display_name, email, \
                            created_at, last_login_at, last_seen_at";

impl Store {
    /// Creates the user at first login, or refreshes their profile and login time.
    ///
    /// Spotify's `account_id` is recent: a user first stored under their user id (the fallback
    /// key) keeps their row — history, shares and all — when an answer starts carrying it, and
    /// when one lacks it again.
    pub async fn upsert_user(&self, new: &NewUser, now: i64) -> Result<User> {
        let mut new = new.clone();
        if self
            .user_by_account(&new.spotify_account_id)
            .await?
            .is_none()
            && let Some(known) = self.user_by_spotify_id(&new.spotify_id).await?
        {
            if new.spotify_account_id == new.spotify_id {
                // No account_id this time: the row already has the real one.
                new.spotify_account_id = known.spotify_account_id;
            } else if known.spotify_account_id == known.spotify_id {
                self.rekey_user(known.id, &new.spotify_account_id).await?;
            }
        }
        self.insert_or_update_user(&new, now).await
    }

    async fn user_by_spotify_id(&self, spotify_id: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE spotify_id = $1 LIMIT 1");
        with_pool!(self, pool => {
            sqlx::query_as::<_, User>(&sql)
                .bind(spotify_id)
                .fetch_optional(pool)
                .await
        })
    }

    async fn rekey_user(&self, user: UserId, spotify_account_id: &str) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query("UPDATE users SET spotify_account_id = $1 WHERE id = $2")
                .bind(spotify_account_id)
                .bind(user)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }

    async fn insert_or_update_user(&self, new: &NewUser, now: i64) -> Result<User> {
        let sql = format!(
            "INSERT INTO users (id, spotify_account_id, spotify_id, display_name, email, \
                                created_at, last_login_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6, $6) \
             ON CONFLICT (spotify_account_id) DO UPDATE SET \
                 spotify_id = excluded.spotify_id, display_name = excluded.display_name, \
                 email = excluded.email, last_login_at = excluded.last_login_at, \
                 last_seen_at = excluded.last_seen_at \
             RETURNING {USER_COLUMNS}"
        );
        with_pool!(self, pool => {
            sqlx::query_as::<_, User>(&sql)
                .bind(Uuid::new_v4())
                .bind(&new.spotify_account_id)
                .bind(&new.spotify_id)
                .bind(&new.display_name)
                .bind(&new.email)
                .bind(now)
                .fetch_one(pool)
                .await
        })
    }

    /// The user with this id, if they still exist.
    pub async fn user(&self, id: UserId) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        with_pool!(self, pool => {
            sqlx::query_as::<_, User>(&sql).bind(id).fetch_optional(pool).await
        })
    }

    /// The user with this Spotify account id, if they have logged in before.
    pub async fn user_by_account(&self, spotify_account_id: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE spotify_account_id = $1");
        with_pool!(self, pool => {
            sqlx::query_as::<_, User>(&sql)
                .bind(spotify_account_id)
                .fetch_optional(pool)
                .await
        })
    }

    /// Users who have neither logged in nor visited since `cutoff` (Unix seconds).
    pub async fn inactive_users(&self, cutoff: i64) -> Result<Vec<UserId>> {
        with_pool!(self, pool => {
            sqlx::query_scalar::<_, UserId>(
                "SELECT id FROM users WHERE last_seen_at < $1 AND last_login_at < $1",
            )
            .bind(cutoff)
            .fetch_all(pool)
            .await
        })
    }

    /// Records that the user was here (for retention), at most as often as callers ask.
    pub async fn touch_user(&self, id: UserId, now: i64) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query("UPDATE users SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2")
                .bind(id)
                .bind(now)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }
}
