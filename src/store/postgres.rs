//! What only Postgres does its own way: row and advisory locks, `UNNEST` arrays and `COPY` for
//! bulk loads.

use crate::domain::UserId;
use sqlx::{PgPool, Postgres, Transaction};

use super::dialect::json_list;
use super::plays::{
    NewPlay, NewTrack, TRACK_UPSERT_INSERT, TRACK_UPSERT_UPDATE, TrackFacts, lock_key,
};
use super::tokens::{LockGuard, StoredTokens, TokenLock, select_tokens_sql};
use super::{Backend, Result};

/// Opens a transaction holding `FOR UPDATE` on the user's token row.
pub(super) async fn lock_tokens(pool: &PgPool, user: UserId) -> Result<TokenLock> {
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

/// Appends plays with `COPY … FROM STDIN` (text format): the fastest way in, for plays known to
/// be new (a conflict would fail the transaction). Returns how many were stored.
pub(super) async fn append_plays(
    tx: &mut Transaction<'static, Postgres>,
    user: UserId,
    source: i64,
    plays: &[&NewPlay],
) -> Result<u64> {
    use std::fmt::Write;
    let user = user.to_string();
    let mut data = String::with_capacity(plays.len() * 80);
    for play in plays {
        data.push_str(&user);
        data.push('\t');
        escape_copy_text(&mut data, &play.track_key);
        let _ = writeln!(data, "\t{}\t{}\t{source}", play.played_at, play.ms_played);
    }
    let mut copy = tx
        .copy_in_raw("COPY plays (user_id, track_key, played_at, ms_played, source) FROM STDIN")
        .await?;
    copy.send(data.into_bytes()).await?;
    copy.finish().await
}

/// Stores plays some of which may be stored already (`guard`: more conditions on the new row
/// `s`); returns those added.
pub(super) async fn insert_plays_returning(
    tx: &mut Transaction<'static, Postgres>,
    user: UserId,
    source: i64,
    plays: &[&NewPlay],
    guard: &str,
) -> Result<Vec<(String, i64, i64)>> {
    let sql = format!(
        "INSERT INTO plays (user_id, track_key, played_at, ms_played, source) \
     SELECT $1, s.k, s.t, s.m, $2 \
     FROM UNNEST($3::text[], $4::bigint[], $5::bigint[]) AS s (k, t, m) \
     WHERE TRUE{guard} ON CONFLICT DO NOTHING \
     RETURNING track_key, played_at, ms_played"
    );
    let keys: Vec<&str> = plays.iter().map(|p| p.track_key.as_str()).collect();
    let times: Vec<i64> = plays.iter().map(|p| p.played_at).collect();
    let lengths: Vec<i64> = plays.iter().map(|p| p.ms_played).collect();
    sqlx::query_as(&sql)
        .bind(user)
        .bind(source)
        .bind(&keys)
        .bind(&times)
        .bind(&lengths)
        .fetch_all(&mut **tx)
        .await
}

/// Deletes the user's plays `(played_at, track_key)`; returns how many were.
pub(super) async fn delete_plays(
    tx: &mut Transaction<'static, Postgres>,
    user: UserId,
    plays: &[(i64, &str)],
) -> Result<u64> {
    Ok(sqlx::query(
        "DELETE FROM plays p USING UNNEST($2::bigint[], $3::text[]) AS d (t, k) \
         WHERE p.user_id = $1 AND p.played_at = d.t AND p.track_key = d.k",
    )
    .bind(user)
    .bind(plays.iter().map(|p| p.0).collect::<Vec<_>>())
    .bind(plays.iter().map(|p| p.1).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// Inserts new catalogue rows; returns how many were.
pub(super) async fn insert_tracks(
    tx: &mut Transaction<'static, Postgres>,
    user: UserId,
    rows: &[NewTrack<'_>],
) -> Result<u64> {
    let text = |f: for<'r> fn(&'r NewTrack<'_>) -> Option<&'r str>| {
        rows.iter().map(f).collect::<Vec<Option<&str>>>()
    };
    Ok(sqlx::query(
        "INSERT INTO user_tracks (user_id, track_key, track_id, name, artist_name, \
     album_name, artist_ids, duration_ms, first_played_at, track_no) \
     SELECT $1, k, i, n, a, al, ai, d, f, no FROM UNNEST($2::text[], $3::text[], \
     $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], \
     $10::bigint[]) AS s (k, i, n, a, al, ai, d, f, no) ON CONFLICT DO NOTHING",
    )
    .bind(user)
    .bind(text(|r| Some(r.key)))
    .bind(text(|r| r.track_id))
    .bind(text(|r| Some(r.name)))
    .bind(text(|r| Some(r.artist_name)))
    .bind(text(|r| r.album_name))
    .bind(text(|r| r.artist_ids))
    .bind(rows.iter().map(|r| r.duration_ms).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.first_played_at).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.no).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// Inserts catalogue rows or completes the stored ones (see `plays::tracks::TRACK_UPSERT`).
pub(super) async fn upsert_tracks(
    tx: &mut Transaction<'static, Postgres>,
    user: UserId,
    tracks: &[&TrackFacts],
) -> Result<()> {
    let column = |f: fn(&TrackFacts) -> Option<&str>| -> Vec<Option<&str>> {
        tracks.iter().map(|t| f(t)).collect()
    };
    sqlx::query(&format!(
        "{TRACK_UPSERT_INSERT} SELECT $1, k, i, n, a, al, ai, d, f FROM UNNEST($2::text[], \
     $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], \
     $9::bigint[]) AS s (k, i, n, a, al, ai, d, f){TRACK_UPSERT_UPDATE}"
    ))
    .bind(user)
    .bind(column(|t| Some(t.track_key.as_str())))
    .bind(column(|t| t.track_id.as_deref()))
    .bind(column(|t| Some(t.name.as_str())))
    .bind(column(|t| Some(t.artist_name.as_str())))
    .bind(column(|t| t.album_name.as_deref()))
    .bind(column(|t| t.artist_ids.as_deref()))
    .bind(tracks.iter().map(|t| t.duration_ms).collect::<Vec<_>>())
    .bind(tracks.iter().map(|t| t.first_played_at).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The user's catalogue rows (`columns` of `user_tracks t`) as one JSON array: those of `keys`,
/// or all of them.
pub(super) async fn track_rows(
    tx: &mut Transaction<'static, Postgres>,
    user: UserId,
    columns: &str,
    keys: Option<&[&str]>,
) -> Result<String> {
    let filter = if keys.is_some() {
        " AND t.track_key = ANY($2)"
    } else {
        ""
    };
    let from = format!("user_tracks t WHERE t.user_id = $1{filter}");
    let sql = json_list(Backend::Postgres, columns, &from);
    let mut query = sqlx::query_scalar(&sql).bind(user);
    if let Some(keys) = keys {
        query = query.bind(keys);
    }
    query.fetch_one(&mut **tx).await
}

/// Opens a play writer's transaction, holding the user's advisory lock until it ends so that
/// two writers of one user's history take turns.
pub(super) async fn begin_play_writer(
    pool: &PgPool,
    user: UserId,
) -> Result<Transaction<'static, Postgres>> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(lock_key(user))
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Appends `text` as a column of `COPY`'s text format: backslash, tab, newline and carriage
/// return are escaped.
fn escape_copy_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// The history's tables, whose planner statistics a large import makes stale.
const HISTORY_TABLES: &str = "plays, user_tracks, history_months, history_coverage";

/// Brings the planner's statistics of the history's tables up to date (autovacuum would, a
/// minute or more later: until then a million new plays are planned as if there were none).
pub(super) async fn refresh_history_statistics(pool: &PgPool) -> Result<()> {
    sqlx::query(&format!("ANALYZE {HISTORY_TABLES}"))
        .execute(pool)
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_its_separators() {
        let mut out = String::new();
        escape_copy_text(&mut out, "~A\\B\tC\nD\rE\u{1f}F");
        assert_eq!(out, "~A\\\\B\\tC\\nD\\rE\u{1f}F");
    }
}
