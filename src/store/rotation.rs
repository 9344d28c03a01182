//! What `euterpe rotate-keys` needs from the database: token rows not yet under the newest key,
//! in batches, and a conditional rewrite of each.

use crate::domain::UserId;

use super::tokens::StoredTokens;
use super::{Result, Store, with_pool};

const COLUMNS: &str = "user_id, key_id, access_token, refresh_token, access_expires_at, scope, \
                       authorized_at, needs_relogin, updated_at";

/// A token row re-encrypted under another key.
pub struct Rekeyed {
    pub user_id: UserId,
    /// The ciphertext as read: the row is only rewritten if it still holds it (a refresh in
    /// the meantime wins, and is already encrypted with the key of the process that made it).
    pub old_access_token: Vec<u8>,
    pub key_id: String,
    pub access_token: Vec<u8>,
    pub refresh_token: Vec<u8>,
}

impl Store {
    /// How many token rows are encrypted with `key_id`.
    pub async fn count_tokens_under_key(&self, key_id: &str) -> Result<i64> {
        with_pool!(self, pool => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM spotify_tokens WHERE key_id = $1")
                .bind(key_id)
                .fetch_one(pool)
                .await
        })
    }

    /// Up to `limit` token rows not encrypted with `key_id`, in user order, after `after`.
    pub async fn tokens_not_under_key(
        &self,
        key_id: &str,
        after: Option<UserId>,
        limit: i64,
    ) -> Result<Vec<StoredTokens>> {
        let sql = match after {
            None => format!(
                "SELECT {COLUMNS} FROM spotify_tokens WHERE key_id <> $1 \
                 ORDER BY user_id LIMIT $2"
            ),
            Some(_) => format!(
                "SELECT {COLUMNS} FROM spotify_tokens WHERE key_id <> $1 AND user_id > $3 \
                 ORDER BY user_id LIMIT $2"
            ),
        };
        with_pool!(self, pool => {
            let query = sqlx::query_as::<_, StoredTokens>(&sql).bind(key_id).bind(limit);
            let query = match after {
                Some(after) => query.bind(after),
                None => query,
            };
            query.fetch_all(pool).await
        })
    }

    /// Rewrites the re-encrypted rows in one transaction; returns how many were rewritten
    /// (a row that changed since it was read is left alone).
    pub async fn save_rekeyed(&self, rows: &[Rekeyed]) -> Result<u64> {
        const UPDATE: &str = "UPDATE spotify_tokens SET key_id = $2, access_token = $3, \
                              refresh_token = $4 WHERE user_id = $1 AND access_token = $5";
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut rewritten = 0;
            for row in rows {
                rewritten += sqlx::query(UPDATE)
                    .bind(row.user_id)
                    .bind(&row.key_id)
                    .bind(&row.access_token)
                    .bind(&row.refresh_token)
                    .bind(&row.old_access_token)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            tx.commit().await?;
            Ok(rewritten)
        })
    }
}
