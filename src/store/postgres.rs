//! What only Postgres does: row locks held across a Spotify call.

use sqlx::PgPool;
use uuid::Uuid;

use super::Result;
use super::tokens::{LockGuard, StoredTokens, TokenLock, select_tokens_sql};

/// Opens a transaction holding `FOR UPDATE` on the user's token row.
pub(super) async fn lock_tokens(pool: &PgPool, user: Uuid) -> Result<TokenLock> {
    let mut tx = pool.begin().await?;
    let current = sqlx::query_as::<_, StoredTokens>(&select_tokens_sql(true))
        .bind(user)
        .fetch_optional(&mut *tx)
        .await?;
    Ok(TokenLock {
        current,
        guard: LockGuard::Postgres(tx),
    })
}
