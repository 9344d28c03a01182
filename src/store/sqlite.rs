//! Operations only SQLite does its own way. SQLite has no `COPY` and no array parameters: a batch
//! goes in as one JSON parameter that `json_each` unrolls.

use sqlx::{Sqlite, Transaction};

use super::dialect::json_list;
use super::plays::{
    NewPlay, NewTrack, TRACK_UPSERT_INSERT, TRACK_UPSERT_UPDATE, TrackFacts, plays_json,
};
use super::{Backend, Result};
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

/// Stores plays some of which may be stored already (`guard`: more conditions on the new row
/// `s`); returns those added.
pub(super) async fn insert_plays_returning(
    tx: &mut Transaction<'static, Sqlite>,
    user: UserId,
    source: i64,
    plays: &[&NewPlay],
    guard: &str,
) -> Result<Vec<(String, i64, i64)>> {
    let sql = format!(
        "INSERT INTO plays (user_id, track_key, played_at, ms_played, source) \
     SELECT $1, s.k, s.t, s.m, $2 FROM (SELECT j.value ->> 0 AS k, \
     j.value ->> 1 AS t, j.value ->> 2 AS m FROM json_each($3) AS j) AS s \
     WHERE TRUE{guard} ON CONFLICT DO NOTHING \
     RETURNING track_key, played_at, ms_played"
    );
    sqlx::query_as(&sql)
        .bind(user)
        .bind(source)
        .bind(plays_json(plays))
        .fetch_all(&mut **tx)
        .await
}

/// Deletes the user's plays `(played_at, track_key)`; returns how many were.
pub(super) async fn delete_plays(
    tx: &mut Transaction<'static, Sqlite>,
    user: UserId,
    plays: &[(i64, &str)],
) -> Result<u64> {
    let json = serde_json::to_string(plays).unwrap_or_default();
    Ok(sqlx::query(
        "DELETE FROM plays WHERE user_id = $1 AND (played_at, track_key) IN \
     (SELECT j.value ->> 0, j.value ->> 1 FROM json_each($2) AS j)",
    )
    .bind(user)
    .bind(json)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// Inserts new catalogue rows; returns how many were.
pub(super) async fn insert_tracks(
    tx: &mut Transaction<'static, Sqlite>,
    user: UserId,
    rows: &[NewTrack<'_>],
) -> Result<u64> {
    let json = serde_json::to_string(
        &rows
            .iter()
            .map(|r| {
                (
                    r.key,
                    r.track_id,
                    r.name,
                    r.artist_name,
                    r.album_name,
                    r.artist_ids,
                    r.duration_ms,
                    r.first_played_at,
                    r.no,
                )
            })
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    Ok(sqlx::query(
        "INSERT INTO user_tracks (user_id, track_key, track_id, name, artist_name, \
     album_name, artist_ids, duration_ms, first_played_at, track_no) \
     SELECT $1, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, \
     j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 7, j.value ->> 8 \
     FROM json_each($2) AS j WHERE TRUE ON CONFLICT DO NOTHING",
    )
    .bind(user)
    .bind(json)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// Inserts catalogue rows or completes the stored ones (see `plays::tracks::TRACK_UPSERT`).
pub(super) async fn upsert_tracks(
    tx: &mut Transaction<'static, Sqlite>,
    user: UserId,
    tracks: &[&TrackFacts],
) -> Result<()> {
    let json = serde_json::to_string(
        &tracks
            .iter()
            .map(|t| {
                (
                    &t.track_key,
                    &t.track_id,
                    &t.name,
                    &t.artist_name,
                    &t.album_name,
                    &t.artist_ids,
                    t.duration_ms,
                    t.first_played_at,
                )
            })
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    sqlx::query(&format!(
        "{TRACK_UPSERT_INSERT} SELECT $1, j.value ->> 0, j.value ->> 1, j.value ->> 2, \
     j.value ->> 3, j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 7 \
     FROM json_each($2) AS j WHERE TRUE{TRACK_UPSERT_UPDATE}"
    ))
    .bind(user)
    .bind(json)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The user's catalogue rows (`columns` of `user_tracks t`) as one JSON array: those of `keys`,
/// or all of them.
pub(super) async fn track_rows(
    tx: &mut Transaction<'static, Sqlite>,
    user: UserId,
    columns: &str,
    keys: Option<&[&str]>,
) -> Result<String> {
    let Some(keys) = keys else {
        let sql = json_list(
            Backend::Sqlite,
            columns,
            "user_tracks t WHERE t.user_id = $1",
        );
        return sqlx::query_scalar(&sql)
            .bind(user)
            .fetch_one(&mut **tx)
            .await;
    };
    // CROSS JOIN keeps the keys as the outer loop: SQLite's planner otherwise may walk the
    // catalogue and read the JSON once per track.
    let from = "json_each($2) AS j CROSS JOIN user_tracks t ON t.user_id = $1 \
                AND t.track_key = j.value";
    sqlx::query_scalar(&json_list(Backend::Sqlite, columns, from))
        .bind(user)
        .bind(serde_json::to_string(keys).unwrap_or_default())
        .fetch_one(&mut **tx)
        .await
}

/// Lets SQLite gather the statistics its planner lacks after a large import (`PRAGMA
/// optimize` analyses only the tables that need it).
pub(super) async fn refresh_history_statistics(pool: &sqlx::SqlitePool) -> Result<()> {
    sqlx::query("PRAGMA optimize")
        .execute(pool)
        .await
        .map(|_| ())
}
