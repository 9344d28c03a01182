//! Operations only SQLite does its own way. SQLite has no `COPY` and no array parameters: a batch
//! goes in as one JSON parameter that `json_each` unrolls.

use sqlx::{Sqlite, Transaction};

use super::Result;
use super::plays::{NewPlay, plays_json};
use crate::domain::UserId;

/// Appends plays known to be new in one statement (the counterpart of Postgres's `COPY`, see
/// `postgres::copy_plays`). Returns how many were stored.
pub(super) async fn append_plays(
    tx: &mut Transaction<'static, Sqlite>,
    user: UserId,
    source: i64,
    plays: &[&NewPlay],
) -> Result<u64> {
    Ok(sqlx::query(
        "INSERT INTO plays (user_id, track_key, played_at, ms_played, source) \
         SELECT $1, j.value ->> 0, j.value ->> 1, j.value ->> 2, $2 \
         FROM json_each($3) AS j WHERE TRUE ON CONFLICT DO NOTHING",
    )
    .bind(user)
    .bind(source)
    .bind(plays_json(plays))
    .execute(&mut **tx)
    .await?
    .rows_affected())
}
