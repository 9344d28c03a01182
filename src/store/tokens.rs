//! Encrypted Spotify tokens, one row per user, and the lock that makes a refresh happen once.

use crate::domain::UserId;

use super::{Db, Result, Store, with_pool};
use crate::domain::Grant;

/// A user's tokens as stored: ciphertexts only (see `crypto`), never plaintext.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredTokens {
    pub user_id: UserId,
    /// Id of the key the tokens were encrypted with.
    pub key_id: String,
    pub access_token: Vec<u8>,
    pub refresh_token: Vec<u8>,
    /// Unix seconds.
    pub access_expires_at: i64,
    pub scope: String,
    /// When the user last authorized Euterpe at Spotify (the refresh token dies 6 months later).
    pub authorized_at: i64,
    pub needs_relogin: bool,
    pub updated_at: i64,
}

impl StoredTokens {
    /// What the connection policy (`domain::Connection`) needs of these tokens.
    pub fn grant(&self) -> Grant {
        Grant {
            authorized_at: self.authorized_at,
            updated_at: self.updated_at,
            needs_relogin: self.needs_relogin,
        }
    }
}

impl std::fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredTokens")
            .field("user_id", &self.user_id)
            .field("key_id", &self.key_id)
            .field("access_expires_at", &self.access_expires_at)
            .field("authorized_at", &self.authorized_at)
            .field("needs_relogin", &self.needs_relogin)
            .finish_non_exhaustive()
    }
}

const TOKEN_COLUMNS: &str = "user_id, key_id, access_token, refresh_token, access_expires_at, \
                             scope, authorized_at, needs_relogin, updated_at";

pub(super) const UPSERT_TOKENS: &str = "INSERT INTO spotify_tokens (user_id, key_id, \
     access_token, refresh_token, access_expires_at, scope, authorized_at, needs_relogin, \
     updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
     ON CONFLICT (user_id) DO UPDATE SET key_id = excluded.key_id, \
     access_token = excluded.access_token, refresh_token = excluded.refresh_token, \
     access_expires_at = excluded.access_expires_at, scope = excluded.scope, \
     authorized_at = excluded.authorized_at, needs_relogin = excluded.needs_relogin, \
     updated_at = excluded.updated_at";

pub(super) fn select_tokens_sql(for_update: bool) -> String {
    let lock = if for_update { " FOR UPDATE" } else { "" };
    format!("SELECT {TOKEN_COLUMNS} FROM spotify_tokens WHERE user_id = $1{lock}")
}

/// Binds a token row to [`UPSERT_TOKENS`].
macro_rules! bind_tokens {
    ($query:expr, $tokens:expr) => {
        $query
            .bind($tokens.user_id)
            .bind(&$tokens.key_id)
            .bind(&$tokens.access_token)
            .bind(&$tokens.refresh_token)
            .bind($tokens.access_expires_at)
            .bind(&$tokens.scope)
            .bind($tokens.authorized_at)
            .bind($tokens.needs_relogin)
            .bind($tokens.updated_at)
    };
}

impl Store {
    /// Stores a user's tokens, replacing any previous ones.
    pub async fn save_tokens(&self, tokens: &StoredTokens) -> Result<()> {
        with_pool!(self, pool => {
            bind_tokens!(sqlx::query(UPSERT_TOKENS), tokens)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }

    /// The user's stored tokens.
    pub async fn tokens(&self, user: UserId) -> Result<Option<StoredTokens>> {
        let sql = select_tokens_sql(false);
        with_pool!(self, pool => {
            sqlx::query_as::<_, StoredTokens>(&sql).bind(user).fetch_optional(pool).await
        })
    }

    /// Marks (or clears) "this user must log in again", e.g. after `invalid_grant`.
    pub async fn set_needs_relogin(&self, user: UserId, needs: bool) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query("UPDATE spotify_tokens SET needs_relogin = $2 WHERE user_id = $1")
                .bind(user)
                .bind(needs)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }

    /// Locks the user's token row until the returned guard is saved or dropped, so that only one
    /// refresh happens at a time — across processes on Postgres (`SELECT … FOR UPDATE`). SQLite
    /// serves one process, whose callers already serialise per user in memory.
    pub async fn lock_tokens(&self, user: UserId) -> Result<TokenLock> {
        match &self.db {
            Db::Postgres(pool) => super::postgres::lock_tokens(pool, user).await,
            Db::Sqlite(_) => Ok(TokenLock {
                current: self.tokens(user).await?,
                guard: LockGuard::InProcess(self.clone()),
            }),
        }
    }
}

pub(super) enum LockGuard {
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
    InProcess(Store),
}

/// A held lock on one user's token row, with the row as read under the lock.
pub struct TokenLock {
    /// The tokens as they are now (another process may have just refreshed them).
    pub current: Option<StoredTokens>,
    pub(super) guard: LockGuard,
}

impl TokenLock {
    /// Writes new tokens and releases the lock.
    pub async fn save(self, tokens: &StoredTokens) -> Result<()> {
        match self.guard {
            LockGuard::Postgres(mut tx) => {
                bind_tokens!(sqlx::query(UPSERT_TOKENS), tokens)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await
            }
            LockGuard::InProcess(store) => store.save_tokens(tokens).await,
        }
    }

    /// Marks the user as needing a new login and releases the lock.
    pub async fn mark_needs_relogin(self, user: UserId) -> Result<()> {
        match self.guard {
            LockGuard::Postgres(mut tx) => {
                sqlx::query("UPDATE spotify_tokens SET needs_relogin = TRUE WHERE user_id = $1")
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await
            }
            LockGuard::InProcess(store) => store.set_needs_relogin(user, true).await,
        }
    }
}
